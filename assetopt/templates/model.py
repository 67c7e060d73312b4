"""The template model: one Django template file as a tree of template nodes and HTML items.

``parse_template(name, source)`` lexes with Django's lexer, scans the markup into HTML items, and
arranges both into a tree that follows Django's own structure (``{% block %}``, ``{% if %}``,
``{% for %}``, ``{% include %}``, ``{% extends %}``, ``{% cache %}`` ...). An HTML item sits in the
innermost template node that contains its start. Template code inside an attribute value belongs to
the value (see ``values.py``), not to the tree.
The node types live in ``nodes.py`` (re-exported here); a node with a body carries the tokens of its
tags (``Delimiters``), so transforms read where a node sits from the tree, never from the tokens again.

Pure: text in, frozen values out.
"""

from __future__ import annotations

import bisect
import posixpath
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.text import smart_split

from ..errors import TemplateError
from .lexer import LineIndex, Region, Token, TokenKind, lex
from .nodes import (
    BlockNode,
    BodyNode,
    ContainerNode,
    Delimiters,
    Element,
    ExtendsNode,
    ForNode,
    IfNode,
    IncludeNode,
    Node,
    SuperNode,
    TagNode,
    VarNode,
    body_nodes,
)
from .tags import CONTAINERS, Attr, HtmlItem, OpaqueTag, StartTag, scan_tags
from .values import ValueVariants, literal_name, value_variants

# The node types live in nodes.py and are importable from here too (listed, so type checkers see it).
__all__ = [
    "Template", "parse_template", "literal_name", "relative_name", "block_spans",
    "Element", "Delimiters", "BlockNode", "IfNode", "ForNode", "IncludeNode", "ExtendsNode",
    "ContainerNode", "TagNode", "VarNode", "SuperNode", "Node", "BodyNode", "body_nodes",
]  # fmt: skip


@dataclass(frozen=True)
class Template:
    name: str  # the template name ("dashboard/admin_dashboard.html")
    path: str  # display path of the file, for messages
    source: str
    tokens: tuple[Token, ...]
    items: tuple[HtmlItem, ...]
    nodes: tuple[Node, ...]
    extends: ExtendsNode | None
    loads: tuple[str, ...]
    lines: LineIndex = field(repr=False, compare=False)
    static_tags: frozenset[str] = field(repr=False, compare=False, default=frozenset())  # project tags read as {% static %}
    _code_starts: tuple[int, ...] = field(repr=False, compare=False, default=())
    _code: tuple[Token, ...] = field(repr=False, compare=False, default=())

    def value_variants(self, attr: Attr) -> ValueVariants:
        """The literal values an attribute can produce (``{% if %}`` branches, ``{% static %}``)."""
        assert attr.value is not None
        return value_variants(attr.value, self.value_tokens(attr), attr.value_start, self.static_tags)

    def value_tokens(self, attr: Attr) -> tuple[Token, ...]:
        """The template tokens (tags, variables, comments) inside an attribute's value, in order."""
        lo = bisect.bisect_left(self._code_starts, attr.value_start)
        hi = bisect.bisect_left(self._code_starts, attr.value_end)
        return self._code[lo:hi]

    @property
    def opaque_tags(self) -> tuple[OpaqueTag, ...]:
        return tuple(i for i in self.items if isinstance(i, OpaqueTag))

    @cached_property
    def bodies(self) -> tuple[BodyNode, ...]:
        """Every node with a body, in the source order of its opening tag."""
        return tuple(body_nodes(self.nodes))

    @cached_property
    def code(self) -> tuple[Token, ...]:
        """The ``{{ }}`` and ``{% %}`` Django runs (not comment or verbatim bodies), in source order."""
        return tuple(t for t in self.tokens if t.is_code)

    def code_from(self, start: int) -> tuple[Token, ...]:
        """``code`` from the first token starting at or after ``start``."""
        return self.code[bisect.bisect_left(self._code_index, start) :]

    def in_tag(self, offset: int) -> bool:
        """Is ``offset`` inside an HTML start tag (readable or opaque), e.g. in an attribute value?"""
        return self._tag_extents.holds(offset)

    @cached_property
    def _code_index(self) -> tuple[int, ...]:
        return tuple(t.start for t in self.code)

    @cached_property
    def _tag_extents(self) -> _Extents:
        return _Extents(self.items, (StartTag, OpaqueTag))


class _Extents:
    """Which offsets fall inside items of some kinds: a bisect over their sorted, disjoint spans."""

    __slots__ = ("_starts", "_ends")

    def __init__(self, items: tuple[HtmlItem, ...], kinds: tuple[type, ...]) -> None:
        spans = [(i.start, i.end) for i in items if isinstance(i, kinds)]
        self._starts = [s for s, _ in spans]
        self._ends = [e for _, e in spans]

    def holds(self, offset: int) -> bool:
        i = bisect.bisect_right(self._starts, offset) - 1
        return i >= 0 and offset < self._ends[i]


@dataclass
class _Frame:
    kind: str  # "root", "block", "if", "for", or a container tag
    token: Token | None
    children: list[Node] = field(default_factory=list)
    # if: list of (condition, children); for: children then empty
    branches: list[tuple[str, list[Node]]] = field(default_factory=list)
    empty: list[Node] | None = None
    middles: list[Token] = field(default_factory=list)  # the {% elif %}/{% else %}/{% empty %} tokens


def parse_template(name: str, source: str, path: str | None = None, static_tags: frozenset[str] = frozenset()) -> Template:
    """Parse ``source`` into a ``Template``. Raises ``TemplateError`` with the line on broken structure.
    ``static_tags``: the project's own tags that print a static URL like ``{% static 'path' %}``."""
    path = path or name
    tokens = lex(source, path)
    lines = LineIndex(source)
    items = scan_tags(source, tokens, lines)
    code = tuple(t for t in tokens if not t.is_markup)
    nodes, extends, loads = _build_tree(tokens, items, path, name)
    return Template(
        name=name,
        path=path,
        source=source,
        tokens=tokens,
        items=items,
        nodes=nodes,
        extends=extends,
        loads=loads,
        lines=lines,
        static_tags=static_tags,
        _code_starts=tuple(t.start for t in code),
        _code=code,
    )


def relative_name(current: str, name: str | None, path: str = "", lineno: int | None = None) -> str | None:
    """``{% extends "./form.html" %}`` / ``{% include "../x.html" %}`` resolved against the name of the
    template holding it, as Django does (``construct_relative_path``, since 1.10); other names as given."""
    if name is None or not name.startswith(("./", "../")):
        return name
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(current.lstrip("/")), name))
    if resolved.startswith("../") or resolved == "..":
        raise TemplateError(
            f"the relative name {name!r} points outside the folder tree {current!r} is in",
            path=path or current,
            lineno=lineno,
            hint="Django refuses it too: use a name from the template dir's root",
        )
    return resolved


def _build_tree(
    tokens: tuple[Token, ...], items: tuple[HtmlItem, ...], path: str, name: str = ""
) -> tuple[tuple[Node, ...], ExtendsNode | None, tuple[str, ...]]:
    return _TreeBuilder(items, path, name).build(tokens)


class _TreeBuilder:
    """Django's structure (blocks, ifs, fors, containers, tags) with the HTML items in between, from
    one pass over the tokens; the items are merged in by offset."""

    def __init__(self, items: tuple[HtmlItem, ...], path: str, name: str) -> None:
        self.path, self.name = path, name
        self.in_tags = _Extents(items, (StartTag, OpaqueTag))
        # Template code inside a readable start tag belongs to its attribute values (balanced there,
        # or the scanner would have made the tag opaque); it is not template structure.
        self.in_values = _Extents(items, (StartTag,))
        self.stack = [_Frame("root", None)]
        self.extends: ExtendsNode | None = None
        self.loads: list[str] = []
        self.items = iter(items)
        self.pending = next(self.items, None)

    def build(self, tokens: tuple[Token, ...]) -> tuple[tuple[Node, ...], ExtendsNode | None, tuple[str, ...]]:
        for tok in tokens:
            if tok.kind is TokenKind.TEXT or tok.region is not Region.NORMAL:
                continue
            self.elements_before(tok.start)
            if tok.kind is TokenKind.COMMENT or self.in_values.holds(tok.start):
                continue
            if tok.kind is TokenKind.VAR:
                self.var(tok)
            else:
                self.tag(tok)
        self.elements_before(None)
        if len(self.stack) > 1:
            frame = self.stack[-1]
            assert frame.token is not None
            raise TemplateError(
                f"unclosed {{% {frame.kind} %}}",
                path=self.path,
                lineno=frame.token.lineno,
                hint=f"add {{% end{frame.kind} %}}",
            )
        return tuple(self.stack[0].children), self.extends, tuple(self.loads)

    def current(self) -> list[Node]:
        frame = self.stack[-1]
        if frame.kind == "if":
            return frame.branches[-1][1]
        if frame.kind == "for" and frame.empty is not None:
            return frame.empty
        return frame.children

    def elements_before(self, offset: int | None) -> None:
        """The HTML items that start before ``offset`` (None: all that are left), in order."""
        while self.pending is not None and (offset is None or self.pending.start < offset):
            self.current().append(Element(self.pending))
            self.pending = next(self.items, None)

    def var(self, tok: Token) -> None:
        if tok.contents.split("|")[0].strip() == "block.super":
            self.current().append(SuperNode(tok.lineno))
        elif not self.in_tags.holds(tok.start):
            self.current().append(VarNode(tok.contents, tok.lineno))

    def tag(self, tok: Token) -> None:
        word = tok.tag_name
        top = self.stack[-1]
        if word in ("block", "if", "for") or word in CONTAINERS:
            frame = _Frame(word, tok)
            if word == "if":
                frame.branches.append((tok.contents[2:].strip(), []))
            self.stack.append(frame)
        elif word in ("elif", "else") and top.kind == "if":
            top.branches.append((tok.contents[4:].strip() if word == "elif" else "else", []))
            top.middles.append(tok)
        elif word == "empty" and top.kind == "for":
            top.empty = []
            top.middles.append(tok)
        elif word.startswith("end") and len(word) > 3:
            self.end(tok, word)
        elif word in ("extends", "include"):
            bits = list(smart_split(tok.contents))
            expr = bits[1] if len(bits) > 1 else ""
            target = relative_name(self.name, literal_name(expr), self.path, tok.lineno)
            if word == "extends":
                self.extends = ExtendsNode(tok.lineno, target, expr)
                self.current().append(self.extends)
            else:
                self.current().append(IncludeNode(tok.lineno, target, expr, "only" in bits[2:]))
        elif word == "load":
            bits = tok.contents.split()[1:]
            self.loads.extend([bits[-1]] if "from" in bits else bits)
            self.current().append(TagNode(word, tok.contents, tok.lineno))
        elif not self.in_tags.holds(tok.start):
            self.current().append(TagNode(word, tok.contents, tok.lineno))

    def end(self, tok: Token, word: str) -> None:
        opener = word[3:]
        if opener not in ("block", "if", "for") and opener not in CONTAINERS:
            self.current().append(TagNode(word, tok.contents, tok.lineno))
            return
        if self.stack[-1].kind != opener:
            open_tok = self.stack[-1].token
            where = f" (the open {{% {self.stack[-1].kind} %}} is at line {open_tok.lineno})" if open_tok else ""
            raise TemplateError(
                f"unexpected {{% {word} %}}{where}", path=self.path, lineno=tok.lineno, hint="close the tags in the order they were opened"
            )
        node = _close(self.stack.pop(), tok)
        self.current().append(node)


def _close(frame: _Frame, end: Token) -> Node:
    tok = frame.token
    assert tok is not None
    delimiters = Delimiters(tok, tuple(frame.middles), end)
    if frame.kind == "block":
        bits = tok.contents.split()
        return BlockNode(bits[1] if len(bits) > 1 else "", tok.lineno, tuple(frame.children), delimiters)
    if frame.kind == "if":
        return IfNode(tok.lineno, tuple((c, tuple(ch)) for c, ch in frame.branches), delimiters)
    if frame.kind == "for":
        return _for_node(tok, frame, delimiters)
    return ContainerNode(frame.kind, tok.contents, tok.lineno, tuple(frame.children), delimiters)


def _for_node(tok: Token, frame: _Frame, delimiters: Delimiters) -> ForNode:
    bits = tok.contents.split()[1:]
    if "in" in bits:
        i = bits.index("in")
        loopvars = tuple(v.strip() for v in " ".join(bits[:i]).split(",") if v.strip())
        iterable = " ".join(bits[i + 1 :]).removesuffix(" reversed").strip()
    else:
        loopvars, iterable = (), " ".join(bits)
    return ForNode(tok.lineno, loopvars, iterable, tuple(frame.children), tuple(frame.empty or ()), delimiters)


def block_spans(template: Template, openers: tuple[str, ...]) -> list[tuple[int, int]]:
    """Source spans of the ``{% opener %}...{% endopener %}`` blocks of ``template`` (outermost only),
    e.g. ``block_spans(t, ("blocktrans", "blocktranslate"))`` or ``block_spans(t, ("bundle",))``."""
    closers = {"end" + o for o in openers}
    spans: list[tuple[int, int]] = []
    opened: int | None = None
    for tok in template.tokens:
        if tok.kind is not TokenKind.BLOCK or tok.region is not Region.NORMAL:
            continue
        if tok.tag_name in openers and opened is None:
            opened = tok.start
        elif tok.tag_name in closers and opened is not None:
            spans.append((opened, tok.end))
            opened = None
    return spans
