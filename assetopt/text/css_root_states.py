"""Root states of a stylesheet: theme classes and attributes a script puts on ``<html>``/``<body>``
before the first paint, and selectors with them relaxed, for critical CSS.

A visitor's saved theme is applied by a tiny inline script before anything paints (Bootstrap 5.3:
``document.documentElement.setAttribute('data-bs-theme', 'dark')``; Tailwind: ``class="dark"`` on
``<html>``). Critical CSS measured in the page's default state never sees it, so ``[data-bs-theme=dark]
{--bs-body-bg:#212529}`` or ``.dark\\:bg-x:where(.dark, .dark *)`` would be dropped and a dark visitor's
first paint would be light. ``relax_root_state`` takes such a condition off a selector, so the rest can
be tested against the first screen as measured.

Only conditions that are a root state in the stylesheet itself are relaxed (``root_states``): a class or
attribute some selector puts on ``html``/``:root``/``body`` (``html.dark``, ``body.dark-mode``,
``:root[data-theme=dark]``), or that shares a selector list with the root's rule (Bootstrap's
``:root, [data-bs-theme=light]{...}``), plus Tailwind's ``.dark``. Relaxing every leading class
(``.modal .btn`` -> ``.btn``) would keep far more than a theme needs.

Pure: selector text in, selector text out. Never decides what the page shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["TAILWIND_DARK", "root_states", "relax_root_state"]

# Tailwind's class strategy (v3 ``darkMode: 'class'``, v4 ``@custom-variant dark (&:where(.dark, .dark *))``):
# the class is set by a script (localStorage, Alpine's $persist) and never by a selector on the root.
TAILWIND_DARK = ".dark"

_IDENT = r"-?(?:[\w-]|\\[0-9a-fA-F]{1,6}\s?|\\.)+"
_SIMPLE = re.compile(
    rf"""(?P<type>\*|{_IDENT})
       |\.(?P<cls>{_IDENT})
       |\#(?P<id>{_IDENT})
       |\[\s*(?P<attr>[\w-]+)(?P<attr_rest>(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\]"'])*)\]
       |(?P<pseudo>::?{_IDENT})(?P<args>\((?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^()"']|\((?:[^()]|\([^()]*\))*\))*\))?""",
    re.VERBOSE,
)
_ESCAPE = re.compile(r"\\[0-9a-fA-F]{1,6}\s?")
_ROOTS = frozenset({"html", "body"})
_FORGIVING = frozenset({":is", ":where", ":-webkit-any", ":-moz-any", ":matches"})


@dataclass(frozen=True, slots=True)
class _Simple:
    """One simple selector of a compound: its text, and its state key (``.dark``, ``[data-bs-theme``) or ""."""

    text: str
    kind: str  # "type", "cls", "id", "attr", "pseudo"
    key: str = ""
    args: str = ""  # a functional pseudo-class's argument list, without the parentheses


def _split(selector: str) -> list[str]:
    """``html.dark > .a  .b`` -> ``["html.dark", ">", ".a", " ", ".b"]``: compounds and combinators at the top level."""
    parts: list[str] = []
    depth = 0
    quote = ""
    cur: list[str] = []
    i = 0
    while i < len(selector):
        ch = selector[i]
        if quote:
            cur.append(ch)
            if ch == "\\" and i + 1 < len(selector):
                cur.append(selector[i + 1])
                i += 1
            elif ch == quote:
                quote = ""
        elif ch == "\\" and i + 1 < len(selector):
            m = _ESCAPE.match(selector, i)  # a hex escape eats one whitespace after it: ".\32 xl" is one class
            cur.append(m.group() if m else selector[i : i + 2])
            i += len(m.group()) - 1 if m else 1
        elif ch in "\"'":
            quote = ch
            cur.append(ch)
        elif ch in "([":
            depth += 1
            cur.append(ch)
        elif ch in ")]":
            depth = max(0, depth - 1)
            cur.append(ch)
        elif depth == 0 and (ch.isspace() or ch in ">+~"):
            j = i
            while j < len(selector) and (selector[j].isspace() or selector[j] in ">+~"):
                j += 1
            combinator = selector[i:j].strip() or " "
            if cur:
                parts.append("".join(cur))
                cur = []
            if parts:  # a leading combinator (relative selector) is not ours to relax
                parts.append(combinator)
            i = j
            continue
        else:
            cur.append(ch)
        i += 1
    if cur:
        parts.append("".join(cur))
    return parts


def _compound(text: str) -> list[_Simple] | None:
    """The simple selectors of one compound, or None when it is not one we can read."""
    out: list[_Simple] = []
    pos = 0
    while pos < len(text):
        m = _SIMPLE.match(text, pos)
        if m is None or m.end() == pos:
            return None
        if m.group("type") is not None:
            out.append(_Simple(m.group(), "type", m.group("type").lower()))
        elif m.group("cls") is not None:
            out.append(_Simple(m.group(), "cls", "." + m.group("cls")))
        elif m.group("id") is not None:
            out.append(_Simple(m.group(), "id"))
        elif m.group("attr") is not None:
            out.append(_Simple(m.group(), "attr", "[" + m.group("attr").lower()))
        else:
            args = m.group("args") or ""
            out.append(_Simple(m.group(), "pseudo", m.group("pseudo").lower(), args[1:-1]))
        pos = m.end()
    return out


def _split_list(text: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    start = 0
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def _is_root(simple: _Simple) -> bool:
    return (simple.kind == "type" and simple.key in _ROOTS) or (simple.kind == "pseudo" and simple.key == ":root")


def root_states(selector_lists: Iterable[Iterable[str]]) -> frozenset[str]:
    """The state keys (``.dark``, ``[data-bs-theme``) of the classes and attributes the stylesheet's
    selectors (one iterable per rule) put on the root or body, plus ``TAILWIND_DARK``: those in a
    leading compound with ``html``/``:root``/``body``, and those of a class/attribute-only selector that
    shares its rule's selector list with a bare ``:root`` or ``html`` (``:root, [data-bs-theme=light]``).
    Attributes count by name: ``[data-bs-theme=light]`` on the root makes ``[data-bs-theme=dark]`` one."""
    states = {TAILWIND_DARK}
    for selectors in selector_lists:
        bare_root = False
        candidates: set[str] = set()
        for selector in selectors:
            parts = _split(selector)
            if not parts:
                continue
            compound = _compound(parts[0])
            if not compound:
                continue
            keys = {s.key for s in compound if s.kind in ("cls", "attr")}
            if any(_is_root(s) for s in compound):
                states |= keys
                if len(parts) == 1 and len(compound) == 1:
                    bare_root = True
            elif len(parts) == 1 and keys and all(s.kind in ("cls", "attr") for s in compound):
                candidates |= keys
        if bare_root:
            states |= candidates
    return frozenset(states)


def _forgiving_root_state(simple: _Simple, states: frozenset[str]) -> bool:
    """``:where(.dark, .dark *)``, ``:is([data-theme=dark] *)``: every alternative is a root-state
    compound, alone or followed by a descendant/child ``*``, i.e. "this element or an ancestor is the
    root in that state"."""
    if simple.kind != "pseudo" or simple.key not in _FORGIVING or not simple.args.strip():
        return False
    for alternative in _split_list(simple.args):
        parts = _split(alternative)
        if len(parts) == 3 and parts[1] in (" ", ">") and parts[2] == "*":
            parts = parts[:1]
        if len(parts) != 1:
            return False
        compound = _compound(parts[0])
        if not compound or not _state_compound(compound, states):
            return False
    return True


def _state_compound(compound: list[_Simple], states: frozenset[str]) -> bool:
    """A compound that holds only the root (``html``, ``body``, ``:root``, ``*``) and root-state
    classes/attributes, at least one of them."""
    has_state = False
    for s in compound:
        if s.kind in ("cls", "attr"):
            if s.key not in states:
                return False
            has_state = True
        elif not (_is_root(s) or (s.kind == "type" and s.key == "*")):
            return False
    return has_state


def relax_root_state(selector: str, states: frozenset[str]) -> str | None:
    """``selector`` with its root-state conditions taken off, or None when it has none:

    - a leading compound made only of the root and root states (``html[data-bs-theme=dark]``,
      ``body.dark-mode``, ``.dark``, ``[data-bs-theme=dark]``) loses the states; what is left of it is
      the root (``html``, ``body``, ``:root``) or, when nothing is, ``:is(html,body)`` (where a theme
      script puts them): ``[data-bs-theme=dark] .form-select`` -> ``:is(html,body) .form-select``,
      ``[data-bs-theme=dark]`` -> ``:is(html,body)``;
    - Tailwind's ``:where(.dark, .dark *)`` (or ``:is(...)``) of root states, on any compound, is
      dropped: ``.dark\\:bg-x:where(.dark,.dark *):hover`` -> ``.dark\\:bg-x:hover``.
    """
    parts = _split(selector)
    if not parts:
        return None
    changed = False
    out: list[str] = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(part if part == " " else f" {part} ")
            continue
        compound = _compound(part)
        if compound is None:
            out.append(part)
            continue
        if index == 0 and _state_compound(compound, states):
            kept = "".join(s.text for s in compound if s.kind not in ("cls", "attr") and not (s.kind == "type" and s.key == "*"))
            out.append(kept or ":is(html,body)")
            changed = True
            continue
        texts = [_relax_inside(s, states) for s in compound if not _forgiving_root_state(s, states)]
        if texts != [s.text for s in compound]:
            changed = True
            out.append("".join(texts) or "*")
        else:
            out.append(part)
    return "".join(out) if changed else None


def _relax_inside(simple: _Simple, states: frozenset[str]) -> str:
    """A forgiving pseudo-class with its alternatives relaxed (Tailwind's child variant puts the dark
    one inside: ``:is(.dark\\:*\\:border-x:where(.dark,.dark *)>*)`` -> ``:is(.dark\\:*\\:border-x>*)``);
    any other simple selector as written."""
    if simple.kind != "pseudo" or simple.key not in _FORGIVING:
        return simple.text
    alternatives = _split_list(simple.args)
    relaxed = [relax_root_state(a, states) for a in alternatives]
    if all(r is None for r in relaxed):
        return simple.text
    name = simple.text[: simple.text.index("(")]
    return f"{name}({','.join(a if r is None else r for a, r in zip(alternatives, relaxed, strict=True))})"
