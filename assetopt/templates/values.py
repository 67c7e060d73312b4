"""Interpret the template code inside an attribute value as the literal values it can produce.

``href="{% if LANGUAGE_BIDI %}{% static 'b.rtl.css' %}{% else %}{% static 'b.css' %}{% endif %}"`` has
two variants, each a sequence of parts: ``(Static('b.rtl.css'),)`` and ``(Static('b.css'),)``.
``{{ STATIC_URL }}`` is the static prefix; any other variable or tag is ``Dynamic``. Variants are
enumerated up to a bound; a value with more is reported as dynamic rather than guessed.

Pure: tokens in, frozen values out.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.utils.text import smart_split

from .lexer import Token, TokenKind

__all__ = ["Literal", "Static", "StaticPrefix", "Dynamic", "Part", "ValueVariants", "value_variants", "literal_name"]

MAX_VARIANTS = 16


@dataclass(frozen=True, slots=True)
class Literal:
    text: str


@dataclass(frozen=True, slots=True)
class Static:
    """``{% static 'path' %}`` with a literal path (or a project's own static tag: ``tag``)."""

    path: str
    tag: str = "static"


@dataclass(frozen=True, slots=True)
class StaticPrefix:
    """``{{ STATIC_URL }}``."""


@dataclass(frozen=True, slots=True)
class Dynamic:
    """Template code whose output we cannot know: ``{{ product.image_url }}``, ``{% url 'x' %}``."""

    code: str


Part = Literal | Static | StaticPrefix | Dynamic


@dataclass(frozen=True, slots=True)
class ValueVariants:
    variants: tuple[tuple[Part, ...], ...]
    conditional: bool  # an {% if %} chose between variants

    @property
    def is_dynamic(self) -> bool:
        return any(isinstance(p, Dynamic) for v in self.variants for p in v)


@dataclass(slots=True)
class _If:
    branches: list[list[object]]
    has_else: bool = False


def literal_name(expr: str) -> str | None:
    """``"base.html"`` → ``base.html``; a variable → None."""
    if len(expr) >= 2 and expr[0] == expr[-1] and expr[0] in "\"'":
        return expr[1:-1]
    return None


def _static_part(tok: Token) -> Part:
    bits = list(smart_split(tok.contents))
    if len(bits) == 2:
        path = literal_name(bits[1])
        if path is not None:
            return Static(path, bits[0])
    return Dynamic("{% " + tok.contents + " %}")


def value_variants(text: str, tokens: list[Token] | tuple[Token, ...], start: int, static_tags: frozenset[str] = frozenset()) -> ValueVariants:
    """Variants of the value ``text`` (source slice beginning at offset ``start``).

    ``tokens`` are the template's non-markup tokens lying inside the value, in order. ``static_tags``:
    the project's own tags that print a static URL the way ``{% static 'path' %}`` does.
    """
    root: list[object] = []
    stack: list[tuple[_If, list[object]]] = []
    seq = root
    pos = start
    end = start + len(text)
    conditional = False
    for tok in tokens:
        if tok.start > pos:
            seq.append(Literal(text[pos - start : tok.start - start]))
        pos = tok.end
        if tok.kind is TokenKind.COMMENT:
            continue
        if tok.kind is TokenKind.VAR:
            if tok.contents == "STATIC_URL":
                seq.append(StaticPrefix())
            else:
                seq.append(Dynamic("{{ " + tok.contents + " }}"))
            continue
        name = tok.tag_name
        if name in ("block", "endblock"):
            continue  # (an opaque tag read leniently) the block's own content is what renders by default
        if name == "static" or name in static_tags:
            seq.append(_static_part(tok))
        elif name == "if":
            node = _If([[]])
            seq.append(node)
            stack.append((node, seq))
            seq = node.branches[-1]
            conditional = True
        elif name in ("elif", "else") and stack:
            node = stack[-1][0]
            node.branches.append([])
            node.has_else = node.has_else or name == "else"
            seq = node.branches[-1]
        elif name == "endif" and stack:
            _, seq = stack.pop()
        else:
            seq.append(Dynamic("{% " + tok.contents + " %}"))
    if pos < end:
        seq.append(Literal(text[pos - start :]))
    if stack:  # an unclosed {% if %} inside a value: Django would refuse it; don't guess
        return ValueVariants(((Dynamic(text),),), conditional)
    variants = _expand(root)
    if variants is None:
        return ValueVariants(((Dynamic(text),),), conditional)
    return ValueVariants(tuple(_merge(v) for v in variants), conditional)


def _expand(seq: list[object]) -> list[tuple[Part, ...]] | None:
    results: list[tuple[Part, ...]] = [()]
    for item in seq:
        if isinstance(item, _If):
            options: list[tuple[Part, ...]] = []
            for branch in item.branches:
                sub = _expand(branch)
                if sub is None:
                    return None
                options.extend(sub)
            if not item.has_else:
                options.append(())
            results = [a + b for a, b in itertools.product(results, options)]
        else:
            results = [r + (item,) for r in results]  # type: ignore[operator]
        if len(results) > MAX_VARIANTS:
            return None
    # distinct, order kept
    return list(dict.fromkeys(results))


def _merge(parts: tuple[Part, ...]) -> tuple[Part, ...]:
    """Join adjacent literals and drop empty ones."""
    out: list[Part] = []
    for p in parts:
        if isinstance(p, Literal):
            if not p.text:
                continue
            if out and isinstance(out[-1], Literal):
                out[-1] = Literal(out[-1].text + p.text)
                continue
        out.append(p)
    return tuple(out)
