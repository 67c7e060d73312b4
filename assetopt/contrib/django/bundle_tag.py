"""The ``{% bundle "css" %}...{% endbundle %}`` tag (registered by ``templatetags/assetopt.py``).

At render time the tag works out which static paths its inner tags produce *in this context*: it
walks its compiled nodes, evaluates each ``{% if %}`` exactly as Django would, takes ``{% static %}``
paths literally and ignores every variable. The key therefore never depends on rendered output
(nonces, CSRF tokens, user data). It then prints one tag per built file, with SRI ``integrity`` and
the inner tags' ``nonce``/``crossorigin``/``referrerpolicy``.

- critical CSS (``docs/critical-css.md``): a CSS bundle whose manifest entry has ``"critical"`` prints it
  in a ``<style>`` and loads the bundle without blocking render (``build/critical.py``), with the
  request's CSP nonce (``csp_nonce`` from Django 6's context processor, ``request.csp_nonce`` from
  django-csp, or the inner tags' ``nonce``); ``ASSETOPT["CRITICAL_CSS"] = False`` prints the plain ``<link>``.
- bundling off (``ASSETOPT["BUNDLES"] = False``, or ``DEBUG`` by default): the inner tags, unchanged.
- not built: ``STRICT`` raises naming the template, line and command; otherwise the inner tags and
  one logged warning per bundle. Never a 500 in production by default.
The tag reads the manifest once per file version (``tag_memo``) and never writes.
"""

from __future__ import annotations

import bisect
import functools
import html
import logging
from typing import Any

from django import template
from django.template.base import (
    Node,
    NodeList,
    TextNode,
    VariableDoesNotExist,
    VariableNode,
)
from django.template.defaulttags import ForNode, IfNode
from django.templatetags.static import StaticNode
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ...build.critical import critical_markup, rebase_urls
from ...build.manifest import ManifestBundle
from ...errors import BundleSpecError
from ...templates.assets import Asset, asset_of
from ...templates.bundle_blocks import BundleVariant, variant_of_assets
from ...templates.lexer import Token, TokenKind
from ...templates.model import Template, parse_template
from ...templates.refs import RefKind, strip_static_path
from ...templates.tags import StartTag, scan_tags
from . import conf, tag_memo

__all__ = ["BundleNode", "BundleNotBuilt", "do_bundle"]

logger = logging.getLogger("assetopt")

_PREFIX = "/__assetopt_static__/"  # stands for STATIC_URL in the skeleton: static paths stay logical
_CARRIED = ("nonce", "crossorigin", "referrerpolicy")
_STRUCTURAL_NODES = frozenset(
    {
        "IncludeNode",
        "BlockNode",
        "ExtendsNode",
        "BundleNode",
        "CompressorNode",
        "WithNode",
        "CacheNode",
        "SpacelessNode",
        "AutoEscapeControlNode",
        "FilterNode",
    }
)
_warned: set[tuple[str, int]] = set()


class BundleNotBuilt(template.TemplateSyntaxError):
    pass


def _skeleton(nodelist: NodeList, context: template.Context, out: list[str]) -> None:
    """The inner markup with {% if %} decided, {% static %} literal and every variable blank."""
    for node in nodelist:
        if isinstance(node, TextNode):
            out.append(node.s)
        elif isinstance(node, StaticNode):
            path = node.path.var
            # ' css/a.css ' as the build keyed it (a manifest storage strips the spaces): a leading
            # space kept after the prefix would name another path, so the block would never match
            out.append(_PREFIX + strip_static_path(path) if isinstance(path, str) else "")
        elif isinstance(node, VariableNode):
            if node.filter_expression.token.strip() == "STATIC_URL":
                out.append(_PREFIX)
        elif isinstance(node, IfNode):
            for condition, branch in node.conditions_nodelists:
                if condition is None or _holds(condition, context):
                    _skeleton(branch, context, out)
                    break


def _holds(condition: Any, context: template.Context) -> bool:
    """A condition as Django's own ``IfNode.render`` decides it: a failed lookup is false."""
    try:
        return bool(condition.eval(context))
    except VariableDoesNotExist:
        return False


def _asset_in_context(tag: StartTag, tmpl: Template, static_url: str | None) -> Asset | None:
    """The asset of ``tag`` in the skeleton. A literal ``/static/...`` URL is read with the build's
    ``static_url`` (from the manifest), as the build read it, so both compute the same key."""
    asset = asset_of(tag, tmpl, _PREFIX)
    if asset is not None and static_url and (asset.ref is None or asset.ref.kind is not RefKind.STATIC):
        asset = asset_of(tag, tmpl, static_url)
    return asset


def _asset_tags(html: str) -> list[StartTag]:
    """The <link>/<script> tags of rendered output: all markup, one TEXT token (user data that looks
    like {{ }} stays text)."""
    items = scan_tags(html, (Token(TokenKind.TEXT, 0, len(html), 1, html),))
    return [i for i in items if isinstance(i, StartTag) and i.name in ("link", "script")]


@functools.lru_cache(maxsize=4096)
def _variant_of(kind: str, where: str, lineno: int, skeleton: str, static_url: str | None) -> BundleVariant | None:
    """The bundle variant a skeleton stands for (None: its tags mix media or defer). Cached: a block
    has a bounded number of skeletons (its {% if %} branches; variables are blank), and parsing one
    on every request would cost more than the rest of the tag."""
    tmpl = parse_template(where, skeleton)
    assets = [a for i in tmpl.items if isinstance(i, StartTag) and (a := _asset_in_context(i, tmpl, static_url)) is not None]
    try:
        return variant_of_assets(kind, [a for a in assets if a.kind == kind], where, lineno)
    except BundleSpecError:
        return None


class BundleNode(Node):
    def __init__(self, kind: str, nodelist: NodeList, where: str, lineno: int) -> None:
        self.kind = kind
        self.nodelist = nodelist
        self.where = where
        self.lineno = lineno

    def render(self, context: template.Context) -> SafeString | str:
        settings = conf.tag_settings()
        if not settings.bundles:
            return self.nodelist.render(context)
        parts: list[str] = []
        _skeleton(self.nodelist, context, parts)
        manifest = tag_memo.read_manifest(settings.manifest)
        static_url = manifest.static_url if manifest is not None else None
        variant = _variant_of(self.kind, self.where, self.lineno, "".join(parts), static_url)
        if variant is None:
            return self._fallback(context, "its tags mix media or defer", settings.strict)
        if not variant.paths:
            return self.nodelist.render(context)
        entry = manifest.bundles.get(variant.key) if manifest is not None else None
        if entry is None or entry.kind != self.kind:
            return self._fallback(context, "it has not been built", settings.strict)
        try:
            url = tag_memo.url_function(settings.manifest)
            urls = [url(f.name) for f in entry.files]
        except ValueError as exc:
            # ManifestStaticFilesStorage raises for a name its staticfiles.json lacks (collectstatic
            # ran before the build): serve the original tags rather than fail the page.
            return self._fallback(
                context,
                f"the static files storage cannot serve it ({exc})",
                settings.strict,
                "run collectstatic with the assetopt storage, which builds the bundles and hashes them into staticfiles.json;"
                " `assetopt build` into STATIC_ROOT does not add them there",
            )
        return self._tags(entry, urls, context, settings.critical_css)

    def _fallback(
        self, context: template.Context, why: str, strict: bool, fix: str = "run `assetopt build`, or collectstatic with the assetopt storage"
    ) -> str:
        message = f'{self.where}:{self.lineno}: {{% bundle "{self.kind}" %}} renders its original tags because {why} ({fix})'
        if strict:
            raise BundleNotBuilt(message)
        if (self.where, self.lineno) not in _warned:
            _warned.add((self.where, self.lineno))
            logger.warning("assetopt: %s", message)
        return self.nodelist.render(context)

    def _tags(self, entry: ManifestBundle, urls: list[str], context: template.Context, critical_on: bool = False) -> SafeString:
        rendered = self.nodelist.render(context)
        carried = ""
        raw: dict[str, str | None] = {}
        tags = _asset_tags(str(rendered))
        if tags:
            for name in _CARRIED:
                value = tags[0].get(name)
                if value is not None:
                    # the value is HTML source text (already escaped): unescape once, escape once
                    carried += f' {name}="{escape(html.unescape(value))}"' if value else f" {name}"
                    raw[name] = html.unescape(value) if value else None
        if critical_on and entry.critical is not None and self.kind == "css" and len(urls) == 1 and entry.semantics == "all":
            return mark_safe(self._critical(entry, urls[0], raw, context))
        out = []
        for f, raw_url in zip(entry.files, urls):
            url = escape(raw_url)
            if "crossorigin" not in carried and raw_url.startswith(("http://", "https://", "//")):
                # SRI on another origin needs a CORS request, or the browser blocks the file.
                carried += ' crossorigin="anonymous"'

            if self.kind == "css":
                media = "" if entry.semantics == "all" else f' media="{escape(entry.semantics)}"'
                out.append(f'<link rel="stylesheet" href="{url}" integrity="{f.integrity}"{media}{carried}>')
            else:
                defer = " defer" if entry.semantics == "defer" else ""
                out.append(f'<script src="{url}" integrity="{f.integrity}"{defer}{carried}></script>')
        return mark_safe("\n".join(out))

    def _critical(self, entry: ManifestBundle, url: str, carried: dict[str, str | None], context: template.Context) -> str:
        """The ``<style>`` + non-blocking loader markup (``build/critical.py``) for a one-file CSS bundle."""
        assert entry.critical is not None
        nonce = carried.pop("nonce", None) or _csp_nonce(context)
        if "crossorigin" not in carried and url.startswith(("http://", "https://", "//")):
            carried["crossorigin"] = "anonymous"
        key = ("critical", entry.key, entry.critical.hash, url)
        css = tag_memo.rendered.get(key)
        if css is None:  # rebasing url()s costs a scan of up to 14 KB: once per bundle URL
            css = tag_memo.remember(tag_memo.rendered, key, rebase_urls(entry.critical.css, url))
        return critical_markup(css, url, entry.files[0].integrity, carried, nonce)


def _csp_nonce(context: template.Context) -> str | None:
    """The request's CSP nonce: ``csp_nonce`` (Django 6's ``context_processors.csp``) or
    ``request.csp_nonce`` (django-csp). Reading either makes the middleware send it in the header."""
    for value in (context.get("csp_nonce"), getattr(context.get("request"), "csp_nonce", None)):
        if value:
            return str(value)
    return None


def _check(nodelist: NodeList, where: str) -> None:
    """Refuse at compile time what has no asset list known before rendering."""
    for node in nodelist:
        lineno = getattr(getattr(node, "token", None), "lineno", None)
        if isinstance(node, ForNode):
            raise template.TemplateSyntaxError(f"{where}:{lineno}: {{% for %}} inside {{% bundle %}}: its files are not known before rendering")
        if isinstance(node, StaticNode) and not isinstance(node.path.var, str):
            raise template.TemplateSyntaxError(f"{where}:{lineno}: {{% static %}} with a computed path inside {{% bundle %}}: use a literal path")
        if isinstance(node, IfNode):
            for _, branch in node.conditions_nodelists:
                _check(branch, where)
        elif type(node).__name__ in _STRUCTURAL_NODES:
            # Tags that only print a value ({% url %}, {% trans %}, {% csrf_token %}) may sit in an
            # attribute (title="{% trans 'x' %}"); these bring markup of their own, which the build
            # could not know.
            raise template.TemplateSyntaxError(
                f"{where}:{lineno}: {{% {node.token.contents.split()[0]} %}} is not allowed inside {{% bundle %}}: only <link>/<script> tags and {{% if %}}"
            )


def _url_skeleton(nodelist: NodeList, parts: list[tuple[str, int]]) -> None:
    """The inner markup with every ``{% if %}`` branch in turn, ``{% static %}`` and ``{{ STATIC_URL }}``
    as the static prefix and any other variable as ``{{ v }}``; each part with its source line."""
    for node in nodelist:
        lineno = node.token.lineno
        if isinstance(node, TextNode):
            parts.append((node.s, lineno))
        elif isinstance(node, StaticNode):
            parts.append((_PREFIX + node.path.var, lineno))
        elif isinstance(node, VariableNode):
            is_prefix = node.filter_expression.token.strip() == "STATIC_URL"
            parts.append((_PREFIX if is_prefix else "{{ v }}", lineno))
        elif isinstance(node, IfNode):
            for _, branch in node.conditions_nodelists:
                _url_skeleton(branch, parts)


def _check_urls(nodelist: NodeList, where: str) -> None:
    """Refuse a variable in an href/src (``href="{{ x }}"``), as the build does, naming its line."""
    parts: list[tuple[str, int]] = []
    _url_skeleton(nodelist, parts)
    starts: list[int] = []
    pos = 0
    for text, _ in parts:
        starts.append(pos)
        pos += len(text)
    skeleton = "".join(text for text, _ in parts)
    for tag in _asset_tags(skeleton):
        url = tag.get("href") if tag.name == "link" else tag.get("src")
        if url is not None and "{{" in url:
            i = bisect.bisect_right(starts, tag.start) - 1
            text, lineno = parts[i]
            lineno += text[: tag.start - starts[i]].count("\n")
            shown = url.replace(_PREFIX, "{{ STATIC_URL }}")
            raise template.TemplateSyntaxError(
                f"{where}:{lineno}: a path computed at run time inside {{% bundle %}} ({shown}): use a literal {{% static %}} path"
            )


def do_bundle(parser: template.base.Parser, token: template.base.Token) -> BundleNode:
    """``{% bundle "css" %}<link ...>...{% endbundle %}`` or ``{% bundle "js" %}<script ...>...``."""
    bits = token.split_contents()
    where = str(getattr(parser.origin, "template_name", None) or getattr(parser.origin, "name", "<template>"))
    if len(bits) != 2 or bits[1] not in ('"css"', "'css'", '"js"', "'js'"):
        raise template.TemplateSyntaxError(
            f'{where}:{token.lineno}: expected {{% bundle "css" %}} or {{% bundle "js" %}}, got {{% {token.contents} %}}'
        )
    nodelist = parser.parse(("endbundle",))
    parser.delete_first_token()
    _check(nodelist, where)
    _check_urls(nodelist, where)
    return BundleNode(bits[1].strip("\"'"), nodelist, where, token.lineno)
