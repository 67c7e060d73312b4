"""The nodes of the template tree (``templates.parse_template`` builds it): frozen values, no parsing.

A node with a body (``BodyNode``: block, if, for and the containers such as ``{% with %}`` or
``{% cache %}``) carries its ``Delimiters``: the tokens of its opening, dividing (``{% elif %}``,
``{% else %}``, ``{% empty %}``) and closing tags with their source spans. A transform that needs to
know where a node sits in the source (does this span cut through an ``{% if %}``? which loops hold
it?) reads it here instead of matching tags in the tokens again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from .lexer import Token
from .tags import HtmlItem

__all__ = [
    "Element",
    "Delimiters",
    "BlockNode",
    "IfNode",
    "ForNode",
    "IncludeNode",
    "ExtendsNode",
    "ContainerNode",
    "TagNode",
    "VarNode",
    "SuperNode",
    "Node",
    "BodyNode",
    "body_nodes",
]


@dataclass(frozen=True, slots=True)
class Element:
    item: HtmlItem


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The tags around a node's body, as tokens with their source spans."""

    open: Token  # {% for x in xs %}
    middles: tuple[Token, ...]  # {% elif %}/{% else %} of an if, {% empty %} of a for
    close: Token  # {% endfor %}

    @property
    def tokens(self) -> tuple[Token, ...]:
        return (self.open, *self.middles, self.close)

    @property
    def body_end(self) -> int:
        """End of the first body: a loop's variables are not bound in its ``{% empty %}`` part."""
        return self.middles[0].start if self.middles else self.close.start

    def holds(self, start: int, end: int, *, first_body: bool = False) -> bool:
        """Is ``[start, end)`` inside the body (between the opening and the closing tag)? With
        ``first_body``: inside the part before any ``{% elif %}``/``{% else %}``/``{% empty %}``."""
        return self.open.end <= start and end <= (self.body_end if first_body else self.close.start)

    def within(self, start: int, end: int) -> bool:
        """Is the whole node, its tags included, inside ``[start, end)``?"""
        return start <= self.open.start and self.close.end <= end


@dataclass(frozen=True, slots=True)
class BlockNode:
    name: str
    lineno: int
    children: tuple[Node, ...]
    delimiters: Delimiters = field(repr=False)
    kind: ClassVar[str] = "block"


@dataclass(frozen=True, slots=True)
class IfNode:
    lineno: int
    branches: tuple[tuple[str, tuple[Node, ...]], ...]  # (condition or "else", children)
    delimiters: Delimiters = field(repr=False)
    kind: ClassVar[str] = "if"


@dataclass(frozen=True, slots=True)
class ForNode:
    lineno: int
    loopvars: tuple[str, ...]
    iterable: str
    children: tuple[Node, ...]
    empty: tuple[Node, ...]
    delimiters: Delimiters = field(repr=False)
    kind: ClassVar[str] = "for"


@dataclass(frozen=True, slots=True)
class IncludeNode:
    lineno: int
    name: str | None  # None when the name is not a literal
    expr: str
    only: bool


@dataclass(frozen=True, slots=True)
class ExtendsNode:
    lineno: int
    name: str | None
    expr: str


@dataclass(frozen=True, slots=True)
class ContainerNode:
    tag: str
    contents: str
    lineno: int
    children: tuple[Node, ...]
    delimiters: Delimiters = field(repr=False)

    @property
    def kind(self) -> str:
        return self.tag


@dataclass(frozen=True, slots=True)
class TagNode:
    """A block tag without a body: ``{% csrf_token %}``, ``{% trans "x" %}``, ``{% load %}``."""

    tag: str
    contents: str
    lineno: int


@dataclass(frozen=True, slots=True)
class VarNode:
    contents: str
    lineno: int


@dataclass(frozen=True, slots=True)
class SuperNode:
    lineno: int


Node = Element | BlockNode | IfNode | ForNode | IncludeNode | ExtendsNode | ContainerNode | TagNode | VarNode | SuperNode
BodyNode = BlockNode | IfNode | ForNode | ContainerNode  # the nodes with a body and ``Delimiters``


def body_nodes(nodes: tuple[Node, ...]) -> Iterator[BodyNode]:
    """The nodes with a body in preorder, which is the source order of their opening tags."""
    for node in nodes:
        if isinstance(node, (BlockNode, ContainerNode)):
            yield node
            yield from body_nodes(node.children)
        elif isinstance(node, IfNode):
            yield node
            for _, children in node.branches:
                yield from body_nodes(children)
        elif isinstance(node, ForNode):
            yield node
            yield from body_nodes(node.children)
            yield from body_nodes(node.empty)
