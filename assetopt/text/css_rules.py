"""A stylesheet as a tree of rules with their source text, for critical CSS: which rules to keep.

Pure: CSS text in, rules out. Not a validating parser: it splits on the braces, semicolons and commas
the browser would split on (comments, strings, ``url()`` and brackets respected) and keeps each rule's
source text as written, so what is inlined is the bundle's own bytes (a browser's CSSOM would drop
the vendor-prefixed declarations it does not know, which other browsers need).

- ``parse_rules(text)``: the top-level rules; ``@media``/``@supports``/``@layer``/``@container`` blocks
  hold their child rules, every other block is opaque (``@font-face``, ``@keyframes``, ``@page``).
- ``split_selectors(prelude)``: a selector list split on its top-level commas.
- ``probe_selector(selector)``: what to ask ``querySelectorAll`` to decide a selector (penthouse's rules,
  ``src/selectors-profile.js``): pseudo-elements and ``:before``/``:after``/``:first-line``/
  ``:first-letter``/``:visited`` are stripped (they style the element they hang on), ``::selection`` is
  never critical, a selector that is only pseudo-elements/vendor pseudo-classes is always kept;
  user-action pseudo-classes (``:hover``, ``:focus``...) stay, so they match nothing at first paint.
- ``critical_text(rules, kept)``: the kept selectors of the kept rules, in source order, inside their
  group rules, plus the ``@font-face``, ``@keyframes``, ``@property`` and ``@counter-style`` they use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["CssRule", "parse_rules", "split_selectors", "probe_selector", "critical_text", "style_rules"]

GROUP_AT_RULES = frozenset({"media", "supports", "layer", "container", "document", "-moz-document", "scope"})
_TOKEN = re.compile(
    r"""/\*.*?(?:\*/|\Z)|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|\\.|[{}();,\[\]]""",
    re.DOTALL,
)
_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class CssRule:
    """One rule. ``kind``: ``style`` (selectors + declarations), ``group`` (``@media`` and the like,
    with ``children``), ``at-block`` (another at-rule with a block: ``@font-face``, ``@keyframes``),
    ``statement`` (an at-rule ending in ``;``: ``@charset``, ``@import``, ``@layer a, b;``)."""

    kind: str
    prelude: str  # comments removed, whitespace trimmed: the selector list or "@media (min-width: 768px)"
    body: str  # the text between the braces as written (for a group: unused; children hold it)
    path: tuple[int, ...]  # indexes from the top: (3,) the 4th rule, (3, 0) its first child
    children: tuple[CssRule, ...] = ()

    @property
    def at_name(self) -> str:
        """``media`` for ``@media ...``, ``font-face``, ``-webkit-keyframes``; "" for a style rule."""
        if not self.prelude.startswith("@"):
            return ""
        return re.split(r"[\s({;]", self.prelude[1:], maxsplit=1)[0].lower()

    @property
    def condition(self) -> str:
        """A group rule's condition: ``(min-width: 768px)`` for ``@media (min-width: 768px)``."""
        return self.prelude[1 + len(self.at_name) :].strip()


def _block_end(text: str, start: int) -> int:
    """The offset just after the ``}`` closing the block whose ``{`` is at ``start - 1`` (or the end)."""
    depth = 1
    for m in _TOKEN.finditer(text, start):
        tok = m.group()
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
            if depth == 0:
                return m.end()
    return len(text)


def parse_rules(text: str, _path: tuple[int, ...] = ()) -> tuple[CssRule, ...]:
    """The rules of ``text`` in order (see the module docstring); an unterminated block runs to the end,
    as in a browser."""
    rules: list[CssRule] = []
    pos = 0
    prelude_start = 0
    brackets = 0
    it = _TOKEN.finditer(text)
    for m in it:
        if m.start() < pos:
            continue
        tok = m.group()
        if tok in "([":
            brackets += 1
        elif tok in ")]":
            brackets = max(0, brackets - 1)
        elif tok == ";" and brackets == 0:
            prelude = _clean(text[prelude_start : m.start()])
            if prelude.startswith("@"):
                rules.append(CssRule("statement", prelude, "", (*_path, len(rules))))
            # a stray ";" or declaration outside a block is dropped by browsers too
            pos = prelude_start = m.end()
        elif tok == "}":
            pos = prelude_start = m.end()  # a stray "}" at this level: skipped
            brackets = 0
        elif tok == "{":
            prelude = _clean(text[prelude_start : m.start()])
            end = _block_end(text, m.end())
            body = text[m.end() : end - 1] if text[end - 1 : end] == "}" else text[m.end() : end]
            path = (*_path, len(rules))
            if not prelude:
                pass  # a block without a prelude is invalid: dropped
            elif prelude.startswith("@"):
                rule = CssRule("at-block", prelude, body, path)
                if rule.at_name in GROUP_AT_RULES:
                    rule = CssRule("group", prelude, body, path, parse_rules(body, path))
                rules.append(rule)
            else:
                rules.append(CssRule("style", prelude, body, path))
            pos = prelude_start = end
            brackets = 0
    return tuple(rules)


def _clean(text: str) -> str:
    return " ".join(_COMMENT.sub(" ", text).split())


def style_rules(rules: Iterable[CssRule]) -> Iterable[CssRule]:
    """Every style rule, group rules' children included, in source order."""
    for rule in rules:
        if rule.kind == "style":
            yield rule
        elif rule.kind == "group":
            yield from style_rules(rule.children)


def split_selectors(prelude: str) -> tuple[str, ...]:
    """``a, b:not(.x, .y), [title="a,b"]`` -> ``("a", "b:not(.x, .y)", '[title="a,b"]')``."""
    parts: list[str] = []
    depth = 0
    start = 0
    for m in _TOKEN.finditer(prelude):
        tok = m.group()
        if tok in "([":
            depth += 1
        elif tok in ")]":
            depth = max(0, depth - 1)
        elif tok == "," and depth == 0:
            parts.append(prelude[start : m.start()].strip())
            start = m.end()
    parts.append(prelude[start:].strip())
    return tuple(p for p in parts if p)


_KEEP_PSEUDOS = re.compile(r"::?(?:before|after|first-line|first-letter|visited|marker)\b", re.IGNORECASE)
_SELECTION = re.compile(r"::?(?:-moz-)?selection\b", re.IGNORECASE)
_VENDOR_PSEUDO = re.compile(r"::?-[a-z-]+(?:\([^)]*\))?", re.IGNORECASE)
_ANY_PSEUDO = re.compile(r"::?[a-z-]+", re.IGNORECASE)
_PSEUDO_ELEMENTS = re.compile(r"::[a-z-]+(?:\([^)]*\))?", re.IGNORECASE)


def probe_selector(selector: str) -> str | bool:
    """What decides ``selector`` at first paint: a selector for ``querySelectorAll`` (critical when it
    matches an element on the first screen), ``True`` (always keep) or ``False`` (never critical)."""
    if ":" not in selector:
        return selector
    if _SELECTION.search(selector):
        return False
    probe = _KEEP_PSEUDOS.sub("", selector)
    if not _ANY_PSEUDO.sub("", probe).strip(" >+~*"):
        return True  # only pseudos (``::-moz-placeholder``, ``:root`` handled by the browser): cannot be matched
    probe = _PSEUDO_ELEMENTS.sub("", _VENDOR_PSEUDO.sub("", probe)).strip()
    if not probe or probe[-1] in ">+~":
        return True
    return probe


def _name_used(name: str, texts: Sequence[str]) -> bool:
    pattern = re.compile(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", re.IGNORECASE)
    return any(pattern.search(t) for t in texts)


_FAMILY = re.compile(r"font-family\s*:\s*(?P<v>[^;}]+)", re.IGNORECASE)
_KEYFRAMES = re.compile(r"^@(?:-[a-z]+-)?keyframes$", re.IGNORECASE)
# At-rules that define a name kept rules use: ``@property --tw-border-style`` gives Tailwind 4's
# ``border-style: var(--tw-border-style)`` its value (``initial-value: solid``; without it the
# declaration is invalid and the border is gone) and ``inherits: false``; a list's ``@counter-style``.
_NAMED_DEFINITIONS = frozenset({"property", "counter-style"})


def _font_family(body: str) -> str:
    m = _FAMILY.search(_COMMENT.sub(" ", body))
    return m.group("v").strip().strip("\"'").strip() if m else ""


def critical_text(rules: Sequence[CssRule], kept: dict[tuple[int, ...], set[int]], always: Iterable[tuple[int, ...]] = ()) -> str:
    """The critical stylesheet: for each style rule in ``kept`` (path -> indexes of its selectors to
    keep) the kept selectors and its declarations, inside the group rules that hold it, in source order;
    ``@layer`` statements (they fix the cascade order); the ``@font-face`` whose family and the
    ``@keyframes``, ``@property`` and ``@counter-style`` whose name a kept rule names. ``always``:
    style rules kept whole."""
    keep_whole = set(always)
    out: list[str] = []
    bodies = [r.body for r in style_rules(rules) if r.path in kept or r.path in keep_whole]

    def emit(items: Sequence[CssRule]) -> list[str]:
        parts: list[str] = []
        for rule in items:
            if rule.kind == "style":
                if rule.path in keep_whole:
                    parts.append(f"{rule.prelude}{{{rule.body.strip()}}}")
                elif rule.path in kept:
                    selectors = split_selectors(rule.prelude)
                    chosen = [s for i, s in enumerate(selectors) if i in kept[rule.path]]
                    if chosen:
                        parts.append(f"{','.join(chosen)}{{{rule.body.strip()}}}")
            elif rule.kind == "group":
                inner = emit(rule.children)
                if inner:
                    parts.append(f"{rule.prelude}{{{''.join(inner)}}}")
            elif rule.kind == "statement" and rule.at_name == "layer":
                parts.append(rule.prelude + ";")
            elif rule.kind == "at-block" and rule.at_name == "font-face":
                family = _font_family(rule.body)
                if family and _name_used(family, bodies):
                    parts.append(f"{rule.prelude}{{{rule.body.strip()}}}")
            elif rule.kind == "at-block" and (_KEYFRAMES.match("@" + rule.at_name) or rule.at_name in _NAMED_DEFINITIONS):
                name = rule.condition.strip("\"'")
                if name and _name_used(name, bodies):
                    parts.append(f"{rule.prelude}{{{rule.body.strip()}}}")
        return parts

    out = emit(rules)
    return "".join(out)
