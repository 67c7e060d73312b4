"""Rewrite transform (opt-in): inline styles leave the templates for one generated stylesheet.

- A static ``style="..."`` becomes a class: ``ao-s-`` + the first 8 hex digits of the SHA-256 of its
  normalised declarations, so one style gets one class in every template, and a second rewrite finds
  nothing to do. The rule, ``.ao-s-1a2b3c4d{color: red !important}``, goes into ``assetopt/inline.css``
  (``INLINE_CSS``). The class is appended inside a quoted ``class`` value (template code in it is
  fine: this is text concatenation), or ``class="..."`` takes the style attribute's place. An empty
  ``style`` is removed.
- A ``<style>`` block without template code moves into the same file, after the classes, with a
  ``/* from TEMPLATE:LINE */`` comment (a ``media`` other than ``all`` wraps it in ``@media``).
- The file is linked once per page: ``<link rel="stylesheet" href="{% static 'assetopt/inline.css' %}">``
  becomes the last tag of the first stylesheet run in ``<head>`` (two or more bundle-eligible
  stylesheets, media all, or a ``{% bundle "css" %}`` block), so it joins the page's bundle.

Where (``style_scope``, from the pages; ``styles_scope.py`` says how): a template's styles move only
when every page that renders it loads the generated file exactly once, unconditionally, in ``<head>``.

Priority. A ``style=""`` declaration is attached to its element: it beats every normal author rule
(any selector, order or ``@layer``) and loses to every author ``!important`` one. A class rule keeps
the first half only by being ``!important`` itself, so every generated declaration is (one that
already is keeps its single ``!important``). What changes, exactly, for the same property on the
same element:

1. A normal inline declaration used to lose to every author ``!important`` rule. Its class rule
   (unlayered, as specific as one class, placed at the end of the first stylesheet run) now beats
   the unlayered ``!important`` rules less specific than one class (``p``, ``*``) wherever they are,
   and those exactly as specific (``.d-none``, ``[hidden]``) that come before it: every stylesheet of
   the run does (Bootstrap's utilities are such rules). Layered ones, more specific ones and later
   ones of equal specificity still win, as before.
2. An inline ``!important`` declaration used to beat every author ``!important`` rule. Its class
   rule now loses to one that is in an ``@layer``, more specific than one class (``#id``, ``.a .b``),
   or as specific and later in the order (a stylesheet after the run, any ``<style>`` block: the
   moved ones follow the classes in the generated file).
3. Beyond the cascade of rules: an author ``!important`` declaration beats CSS animations (a
   keyframed ``opacity`` no longer animates a property the element had inline) and every inline style
   a script sets (``el.style.width = "40%"`` is a normal inline declaration: ``width: 0% !important``
   wins). ``display: none`` therefore stays inline (scripts show such elements through
   ``el.style.display``); other properties scripts drive cannot be seen here. Whatever reads the
   attribute no longer finds it: ``el.style.width``, ``getAttribute("style")``, ``[style*=...]``
   selectors. Check pages with such scripts in a browser.

What stays, listed with the reason: template code in the value or the block; ``style`` on
``<html>``/``<head>``/``<body>`` (scroll locks and themes set their style from scripts), inside
``<template>`` (a shadow root does not see the page's stylesheets) or ``{% blocktrans %}`` (its text is
a message id); relative ``url()`` (resolved against the page, not the stylesheet); a value that is
not plain declarations; a ``<style>`` with ``@import``, an ``id``/``title``/other attribute, a
non-CSS ``type``, inside ``<noscript>``. Pure: a ``Template`` and a ``RewriteContext`` in, a
``StylesResult`` out; the generated file's text is ``merge_stylesheet`` (the existing file's rules
are kept: a class name cannot be turned back into its style, so the file is a source to keep).

The pieces: ``styles_extract.py`` (which styles of a template move, and their edits),
``styles_scope.py`` (which pages allow it, where the link goes), ``styles_sheet.py`` (the classes and
the generated file's text). Their public names are importable from here, as they always were.
"""

from __future__ import annotations

from ...templates.model import Template
from ...templates.tags import StartTag
from ..context import RewriteContext
from ..edits import Edit, Skip, TransformResult
from .extract import KIND, plan_attributes, style_elements
from .scope import NO_PAGE, StyleScope, link_point, standalone_scope, style_scope
from .sheet import (
    HEADER,
    INLINE_CSS,
    MovedBlock,
    StylesResult,
    class_name,
    merge_stylesheet,
    read_stylesheet,
    stylesheet_text,
)

__all__ = [
    "INLINE_CSS",
    "HEADER",
    "NO_PAGE",
    "MovedBlock",
    "StylesResult",
    "StyleScope",
    "plan_styles",
    "style_scope",
    "link_point",
    "class_name",
    "merge_stylesheet",
    "read_stylesheet",
    "stylesheet_text",
]


# -- the transform ----------------------------------------------------------------------------------


def plan_styles(template: Template, ctx: RewriteContext) -> StylesResult:
    """The edits moving ``template``'s styles out, the rules and blocks they need, the Skips."""
    scope = ctx.styles if ctx.styles is not None else standalone_scope(template, ctx.static_url)
    held = None if template.name in scope.movable else scope.held.get(template.name, scope.unlisted)
    edits, skips, rules = plan_attributes(template, held)
    blocks: list[MovedBlock] = []
    for el in style_elements(template):
        reason = (
            el.reason
            or held
            or ("" if (template.name, el.start) in scope.blocks else scope.held_blocks.get((template.name, el.start), scope.unlisted))
        )
        if reason:
            skips.append(Skip(KIND, template.path, el.lineno, f"<style> stays: {reason}"))
            continue
        edits.append(Edit(el.span[0], el.span[1], "", KIND, el.lineno, "<style> moved to assetopt/inline.css"))
        if el.css:
            blocks.append(MovedBlock(template.name, el.lineno, el.css))
    loads: tuple[str, ...] = ()
    point = link_point(template, ctx.static_url) if template.name in scope.links else None
    if point is not None and not _links_generated(template):
        edits.append(_link_edit(template, point))
        loads = ("static",)
    return StylesResult(TransformResult(tuple(edits), tuple(skips), loads), tuple(sorted(rules.items())), tuple(blocks))


def _links_generated(template: Template) -> bool:
    return any(isinstance(i, StartTag) and i.name == "link" and INLINE_CSS in (i.get("href") or "") for i in template.items)


def _link_edit(template: Template, last: StartTag) -> Edit:
    source = template.source
    href = last.attr("href")
    quote = href.quote if href is not None and href.quote else '"'
    inner = "'" if quote == '"' else '"'
    tag = f"<link rel={quote}stylesheet{quote} href={quote}{{% static {inner}{INLINE_CSS}{inner} %}}{quote}{' /' if last.self_closing else ''}>"
    line_start = source.rfind("\n", 0, last.start) + 1
    indent = source[line_start : last.start]
    if not indent.strip(" \t"):
        tag = ("\r\n" if "\r\n" in source else "\n") + indent + tag
    return Edit(last.end, last.end, tag, KIND, last.lineno, "assetopt/inline.css joins the first stylesheet run")
