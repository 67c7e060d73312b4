"""Rewrite transform: wrap the element a ``[[tool.assetopt.cache]]`` rule selects in Django's ``{% cache %}``.

Whether the element may be cached and what the fragment varies on is ``cache_fragments.py``
(``design.md`` decision 9: derived from the template code inside it, never guessed; the rule's
``vary`` says what the view's data depends on, else it is keyed per user and URL; whether the key
holds, ``verify --cache`` proves by rendering). Here: find the
one element a rule's selector matches, refuse what a ``{% cache %}`` pair cannot wrap (no end tag of
its own, a span cutting through a template node, inside ``{% blocktrans %}``/``{% bundle %}`` or
another cache, overlapping another rule's element), and make the two edits. A rule that matches no
element, or several, is reported; an element already inside ``{% cache %}`` with the rule's name is
left alone, so rewriting twice equals rewriting once.

What it never does: change a byte of output where the element shares its line with other content.
Pure: a ``Template`` and a ``RewriteContext`` in, a ``TransformResult`` out. ``suggest_cache`` and
``Suggestion`` are re-exported from ``cache_fragments`` (they lived here first).
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING

from ..templates.cache_fragments import (
    LANGUAGE_VAR,
    NO_TAGS_INSIDE,
    REQUEST_KEY,
    Suggestion,
    analyse_fragment,
    cache_name,
    crossing,
    suggest_cache,
)
from ..templates.cache_reads import CacheFacts
from ..templates.model import Template
from ..templates.soup import markup_soup, source_offset
from ..templates.tags import VOID_ELEMENTS, EndTag, OpaqueTag, StartTag
from .context import CacheRule, RewriteContext
from .edits import Edit, Skip, TransformResult

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

__all__ = ["Suggestion", "plan_cache", "suggest_cache"]

KIND = "cache"
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_ALIAS_RE = re.compile(r"[A-Za-z0-9_.-]+\Z")


# -- plan_cache ------------------------------------------------------------------------------------------


def plan_cache(template: Template, ctx: RewriteContext) -> TransformResult:
    """Edits wrapping the element of each of ``ctx.cache_rules`` for this template in ``{% cache %}``."""
    file = ctx.file_key(template.name)  # a rule names one of the file's names: it applies to the file
    rules = [r for r in ctx.cache_rules if ctx.file_key(r.template) == file]
    if not rules:
        return TransformResult()
    soup = markup_soup(template)
    edits: list[Edit] = []
    skips: list[Skip] = []
    taken: list[tuple[int, int, str]] = []
    language = False
    for rule in rules:
        outcome = _plan_rule(template, soup, rule, ctx.cache_alias, taken, ctx.cache_facts)
        if isinstance(outcome, Skip):
            skips.append(outcome)
        elif outcome is not None:
            edits.extend(outcome[0])
            language = language or outcome[1]
    loads = (("cache",) + (("i18n",) if language else ())) if edits else ()
    return TransformResult(tuple(edits), tuple(skips), loads)


def _plan_rule(
    template: Template,
    soup: BeautifulSoup,
    rule: CacheRule,
    alias: str,
    taken: list[tuple[int, int, str]],
    facts: CacheFacts | None = None,
) -> tuple[list[Edit], bool] | Skip | None:
    from soupsieve import SelectorSyntaxError

    sel = f'"{rule.selector}"'

    def skip(reason: str, lineno: int = 0) -> Skip:
        return Skip(KIND, template.path, lineno, f"{sel}: {reason}")

    if not _NAME_RE.match(rule.name):
        return skip(f'fragment name {rule.name!r} must be letters, digits, "_" or "-" (not starting with a digit)')
    if isinstance(rule.timeout, bool) or not isinstance(rule.timeout, int) or rule.timeout < 1:
        return skip(f"timeout must be a positive number of seconds, not {rule.timeout!r}")
    if alias and not _ALIAS_RE.match(alias):
        return skip(f"cache alias {alias!r} must be letters, digits, '_', '.' or '-'")
    try:
        matches = soup.select(rule.selector)
    except SelectorSyntaxError as exc:
        return skip(f"invalid selector ({str(exc).splitlines()[0]})")
    if not matches:
        return skip(f"matches no element in {template.name}")
    if len(matches) > 1:
        lines = ", ".join(str(m.sourceline) for m in matches)
        return skip(f"matches {len(matches)} elements (lines {lines}); a cache rule needs exactly one")
    offset = source_offset(template, matches[0])
    if offset is None:
        return skip("the matched element has no position in the source")
    item = next((i for i in template.items if i.start == offset), None)
    lineno = template.lines.lineno(offset)
    if isinstance(item, OpaqueTag):
        return skip(f"not cached: the start tag at line {lineno} is interrupted by template code ({item.reason})", lineno)
    if not isinstance(item, StartTag):
        return skip(f"not cached: the element at line {lineno} is not a tag of the template (text of a <title> or <textarea>?)", lineno)
    end_tag = _end_tag(template, item)
    if isinstance(end_tag, str):
        return skip(f"not cached: {end_tag}", lineno)
    start, end = item.start, end_tag.end if end_tag else item.end
    around = [n.delimiters.open for n in template.bodies if n.kind == "cache" and n.delimiters.holds(start, end)]
    if any(cache_name(tok) == rule.name for tok in around):
        return None  # already wrapped: rewriting twice equals rewriting once
    if around:
        return skip(f"not cached: already inside {{% cache {cache_name(around[-1])} %}} at line {around[-1].lineno}", lineno)
    shut = [n for n in template.bodies if n.kind in NO_TAGS_INSIDE and n.delimiters.holds(start, end)]
    if shut:
        return skip(
            f"not cached: it is inside {{% {shut[-1].kind} %}} at line {shut[-1].delimiters.open.lineno}, which allows no {{% cache %}}", lineno
        )
    cut = crossing(template, start, end)
    if cut is not None:
        assert end_tag is not None
        return skip(
            f"not cached: <{item.name}> at line {lineno} and its </{item.name}> at line {end_tag.lineno} are in "
            f"different template nodes ({{% {cut.tag_name} %}} at line {cut.lineno} is between them)",
            lineno,
        )
    for t_start, t_end, other in taken:
        if t_start < end and start < t_end:
            return skip(f"not cached: its element overlaps the one {other} caches", lineno)
    verdict = analyse_fragment(template, start, end, facts, rule.vary)
    if verdict.refusal:
        return skip(f"not cached: {verdict.refusal}", lineno)
    taken.append((start, end, sel))
    bits = [str(rule.timeout), rule.name, *verdict.vary]
    open_tag = "{% cache " + " ".join(bits) + (f' using="{alias}"' if alias else "") + " %}"
    if verdict.language:
        open_tag = "{% get_current_language as " + LANGUAGE_VAR + " %}" + open_tag
    reason = f"cache {sel} for {rule.timeout}s as {rule.name}" + (f", varying on {', '.join(verdict.vary)}" if verdict.vary else "")
    if rule.vary is None and set(REQUEST_KEY) <= set(verdict.vary):  # the key stands in for what the rule does not say
        reason += f" (it reads {', '.join(verdict.depends)}: per user and URL until vary in the rule says what that depends on)"
    before, after = _layout(template.source, start, end)
    return [
        Edit(start, start, open_tag + before, KIND, lineno, reason),
        Edit(end, end, after + "{% endcache %}", KIND, lineno, reason),
    ], verdict.language


def _end_tag(template: Template, tag: StartTag) -> EndTag | None | str:
    """The end tag of ``tag`` (None for a void element), or why there is none of its own."""
    if tag.name in VOID_ELEMENTS:
        return None
    if tag.self_closing:
        return f'<{tag.name}/> at line {tag.lineno}: "/>" does not close a <{tag.name}> in HTML'
    stack = [tag.name]
    optional_end = tag.name in ("li", "p", "dt", "dd", "option", "tr", "td", "th")
    implied = f"<{tag.name}> at line {tag.lineno} has no end tag of its own (HTML closes it implicitly)"
    i = bisect.bisect_right([it.start for it in template.items], tag.start)
    for item in template.items[i:]:
        if isinstance(item, EndTag):
            if item.name not in stack:
                if optional_end:
                    return implied
                continue
            del stack[len(stack) - 1 - stack[::-1].index(item.name) :]
            if not stack:
                return item
        elif isinstance(item, (StartTag, OpaqueTag)) and item.name and item.name not in VOID_ELEMENTS:
            if isinstance(item, StartTag) and item.self_closing:
                continue
            if optional_end and item.name == tag.name and len(stack) == 1:
                return implied
            stack.append(item.name)
    return f"<{tag.name}> at line {tag.lineno} has no end tag"


def _layout(source: str, start: int, end: int) -> tuple[str, str]:
    """Text after ``{% cache %}`` and before ``{% endcache %}``.

    An element alone on its lines gets the tags on lines of their own, at its indentation (CRLF kept);
    one that shares a line with other content gets them right against it, so no whitespace is added
    where it could show (``a<span>`` must not become ``a <span>``).
    """
    line_start = source.rfind("\n", 0, start) + 1
    if line_start == 0 and source.startswith("\ufeff"):
        line_start = 1
    indent = source[line_start:start]
    line_end = source.find("\n", end)
    rest = source[end : len(source) if line_end == -1 else line_end]
    if indent.strip(" \t") or rest.strip(" \t\r"):
        return "", ""
    newline = "\r\n" if "\r\n" in source else "\n"
    return newline + indent, newline + indent
