"""The page model: a leaf template with ``{% extends %}``, ``{% block %}``, ``{{ block.super }}`` and
``{% include %}`` resolved the way Django renders them, as the ordered HTML items a browser receives.

Every item remembers the template and line it came from and whether it is conditional (inside an
``{% if %}`` branch or a ``{% for %}``'s ``{% empty %}``), repeated (inside a ``{% for %}``) or cached
(inside ``{% cache %}``). Counts built on conditional items are upper bounds.

An ``{% include %}`` renders the same items on every page (only the flags of where it sits differ),
so ``Includes`` shared by the pages of one run resolves each included template once and splices the
result into each page, flags combined as the walk would have set them.

Pure: templates come from a ``load(name)`` callable; nothing here reads files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from ..errors import InheritanceCycle, TemplateError, TemplateNotFound
from .model import Template
from .nodes import BlockNode, ContainerNode, Element, ForNode, IfNode, IncludeNode, Node, SuperNode, TagNode, VarNode, body_nodes
from .tags import HtmlItem, opens_document

__all__ = ["PageItem", "PageNote", "Page", "Use", "Includes", "resolve_page", "iter_blocks", "Loader"]

Loader = Callable[[str], Template]


@dataclass(frozen=True, slots=True)
class PageItem:
    item: HtmlItem
    template: Template
    conditional: bool
    in_loop: bool
    cached: bool
    block: str | None
    bundle: tuple[str, int] | None = None  # inside this {% bundle %}/{% compress %} block (template, line)
    # the {% if %}/{% for %}...{% empty %} branches it sits in: (node visit, branch index), outermost first
    branch: tuple[tuple[int, int], ...] = ()

    def excludes(self, other: PageItem) -> bool:
        """Can never render together with ``other``: they sit in different branches of one ``{% if %}``."""
        mine = dict(self.branch)
        return any(mine.get(visit, index) != index for visit, index in other.branch)

    @property
    def lineno(self) -> int:
        return self.item.lineno


@dataclass(frozen=True, slots=True)
class Use:
    """A template node the page renders that matters beyond markup (loops, cache, variables, tags)."""

    node: ForNode | ContainerNode | VarNode | TagNode
    template: Template
    cached: bool
    in_loop: bool


@dataclass(frozen=True, slots=True)
class PageNote:
    """Something about the page we could not follow: a dynamic extends/include, a recursive include."""

    code: str
    path: str
    lineno: int
    message: str


@dataclass(frozen=True)
class Page:
    name: str
    template: Template  # the leaf
    chain: tuple[Template, ...]  # leaf first, root last
    items: tuple[PageItem, ...]
    uses: tuple[Use, ...]
    templates: tuple[Template, ...]  # every template rendered (chain and includes), first use first
    notes: tuple[PageNote, ...]

    @property
    def is_document(self) -> bool:
        return any(opens_document(i.item) for i in self.items)


def iter_blocks(nodes: tuple[Node, ...]) -> Iterator[BlockNode]:
    """Every ``{% block %}`` in ``nodes``, nested ones included (as Django collects them)."""
    return (n for n in body_nodes(nodes) if isinstance(n, BlockNode))


@dataclass
class _Flags:
    conditional: bool = False
    in_loop: bool = False
    cached: bool = False
    block: str | None = None
    bundle: tuple[str, int] | None = None  # (template path, line) of an enclosing {% bundle %}/{% compress %}
    branch: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class _Fragment:
    """What rendering an included template adds to a page, walked with neutral flags (not conditional,
    in no loop, cache or bundle, no branch) and its ``{% if %}``/``{% for %}`` visits numbered from 1."""

    items: tuple[PageItem, ...]
    uses: tuple[Use, ...]
    notes: tuple[PageNote, ...]
    templates: tuple[Template, ...]
    visits: int
    includes: frozenset[str]  # every literal include name met inside, followed or not


class Includes:
    """Included templates resolved once for every page of a run that uses the same ``load``."""

    def __init__(self, load: Loader) -> None:
        self.load = load
        self._fragments: dict[str, _Fragment | None] = {}  # None: in progress, or it raised (walked per page)
        self._placed: dict[tuple[object, ...], tuple[tuple[PageItem, ...], tuple[Use, ...]]] = {}

    def fragment(self, name: str, template: Template) -> _Fragment | None:
        if name in self._fragments:
            return self._fragments[name]
        self._fragments[name] = None  # an include cycle meets this while it is computed: walked in place
        walk = _Walk(self.load, include_stack=[name], shared=self)
        try:
            walk.render(template, _Flags())
        except TemplateError:
            return None  # the page's own walk raises it, or never gets there (a cycle cut earlier)
        found = _Fragment(tuple(walk.items), tuple(walk.uses), tuple(walk.notes), tuple(walk.templates.values()), walk.visits, frozenset(walk.met))
        self._fragments[name] = found
        return found

    def placed(self, name: str, fragment: _Fragment, off: int, flags: _Flags) -> tuple[tuple[PageItem, ...], tuple[Use, ...]]:
        """``fragment``'s items and uses where a walk with ``flags`` and ``off`` visits so far includes it:
        flags or-ed (the innermost bundle wins), visits shifted by ``off``. Pages that include it at the
        same place (same visits before it, same flags) share the result."""
        key = (name, off, flags.conditional, flags.in_loop, flags.cached, flags.bundle, flags.branch)
        hit = self._placed.get(key)
        if hit is None:
            hit = self._placed[key] = (_placed_items(fragment, off, flags), _placed_uses(fragment, flags))
        return hit


def _placed_items(fragment: _Fragment, off: int, flags: _Flags) -> tuple[PageItem, ...]:
    if not (off or flags.conditional or flags.in_loop or flags.cached or flags.bundle or flags.branch):
        return fragment.items  # nothing to add: the same frozen values
    return tuple(
        PageItem(
            pi.item,
            pi.template,
            pi.conditional or flags.conditional,
            pi.in_loop or flags.in_loop,
            pi.cached or flags.cached,
            pi.block,
            pi.bundle if pi.bundle is not None else flags.bundle,
            (*flags.branch, *((visit + off, i) for visit, i in pi.branch)),
        )
        for pi in fragment.items
    )


def _placed_uses(fragment: _Fragment, flags: _Flags) -> tuple[Use, ...]:
    if not (flags.cached or flags.in_loop):
        return fragment.uses
    return tuple(Use(u.node, u.template, u.cached or flags.cached, u.in_loop or flags.in_loop) for u in fragment.uses)


@dataclass
class _Walk:
    load: Loader
    items: list[PageItem] = field(default_factory=list)
    uses: list[Use] = field(default_factory=list)
    notes: list[PageNote] = field(default_factory=list)
    templates: dict[str, Template] = field(default_factory=dict)
    include_stack: list[str] = field(default_factory=list)
    visits: int = 0  # one number per {% if %}/{% for %} rendered: the same node included twice is two choices
    shared: Includes | None = None
    met: set[str] = field(default_factory=set)  # literal include names met (what a fragment's reuse depends on)

    def chain(self, leaf: Template) -> list[Template]:
        chain = [leaf]
        names = {leaf.name}
        t = leaf
        while t.extends is not None:
            ext = t.extends
            if ext.name is None:
                self.notes.append(
                    PageNote(
                        "dynamic-extends",
                        t.path,
                        ext.lineno,
                        f"{{% extends {ext.expr} %}} is not a literal name: its parent is not followed",
                    )
                )
                break
            if ext.name in names:
                loop = " -> ".join([c.name for c in chain] + [ext.name])
                raise InheritanceCycle(
                    f"inheritance cycle: {loop}",
                    path=t.path,
                    lineno=ext.lineno,
                    hint="a template cannot extend itself, directly or through its parents",
                )
            parent = _load_named(self.load, "extends", ext.name, t.path, ext.lineno)
            chain.append(parent)
            names.add(parent.name)
            t = parent
        for c in chain:
            self.templates.setdefault(c.name, c)
        return chain

    def render(self, leaf: Template, flags: _Flags) -> list[Template]:
        chain = self.chain(leaf)
        blocks: dict[str, list[tuple[Template, BlockNode]]] = {}
        for t in chain:
            for b in iter_blocks(t.nodes):
                blocks.setdefault(b.name, []).append((t, b))
        root = chain[-1]
        self.nodes(root.nodes, root, flags, blocks, {})
        return chain

    def nodes(
        self,
        nodes: tuple[Node, ...],
        template: Template,
        flags: _Flags,
        blocks: dict[str, list[tuple[Template, BlockNode]]],
        level: dict[str, int],
    ) -> None:
        for node in nodes:
            if isinstance(node, Element):
                self.items.append(
                    PageItem(node.item, template, flags.conditional, flags.in_loop, flags.cached, flags.block, flags.bundle, flags.branch)
                )
            elif isinstance(node, BlockNode):
                self.block(node, template, flags, blocks, level)
            elif isinstance(node, SuperNode):
                name = flags.block
                if name is None or name not in level:
                    continue
                defs = blocks.get(name, [])
                nxt = level[name] + 1
                if nxt < len(defs):
                    t, b = defs[nxt]
                    self.nodes(b.children, t, flags, blocks, {**level, name: nxt})
            elif isinstance(node, IfNode):
                self.visits += 1
                visit = self.visits
                for i, (_, children) in enumerate(node.branches):
                    sub = replace(flags, conditional=True, branch=(*flags.branch, (visit, i)))
                    self.nodes(children, template, sub, blocks, level)
            elif isinstance(node, ForNode):
                self.visits += 1
                visit = self.visits
                self.uses.append(Use(node, template, flags.cached, flags.in_loop))
                self.nodes(node.children, template, replace(flags, in_loop=True, branch=(*flags.branch, (visit, 0))), blocks, level)
                self.nodes(node.empty, template, replace(flags, conditional=True, branch=(*flags.branch, (visit, 1))), blocks, level)
            elif isinstance(node, IncludeNode):
                self.include(node, template, flags)
            elif isinstance(node, ContainerNode):
                inner = replace(flags, cached=flags.cached or node.tag == "cache")
                if node.tag == "cache":
                    self.uses.append(Use(node, template, flags.cached, flags.in_loop))
                if node.tag in ("bundle", "compress"):
                    inner = replace(inner, bundle=(template.path, node.lineno))
                self.nodes(node.children, template, inner, blocks, level)
            elif isinstance(node, (VarNode, TagNode)):
                self.uses.append(Use(node, template, flags.cached, flags.in_loop))

    def block(
        self,
        node: BlockNode,
        template: Template,
        flags: _Flags,
        blocks: dict[str, list[tuple[Template, BlockNode]]],
        level: dict[str, int],
    ) -> None:
        inner = replace(flags, block=node.name)
        if node.name in level:  # already rendering this block: Django has popped it, render as written
            self.nodes(node.children, template, inner, blocks, level)
            return
        defs = blocks.get(node.name) or [(template, node)]
        t, b = defs[0]
        self.nodes(b.children, t, inner, blocks, {**level, node.name: 0})

    def splice(self, name: str, fragment: _Fragment, flags: _Flags) -> None:
        """``fragment`` (of the included ``name``) as if walked here, its visits numbered after this walk's."""
        assert self.shared is not None
        items, uses = self.shared.placed(name, fragment, self.visits, flags)
        self.visits += fragment.visits
        self.met |= fragment.includes
        for t in fragment.templates:
            self.templates.setdefault(t.name, t)
        self.notes.extend(fragment.notes)
        self.items.extend(items)
        self.uses.extend(uses)

    def include(self, node: IncludeNode, template: Template, flags: _Flags) -> None:
        if node.name is None:
            self.notes.append(
                PageNote(
                    "dynamic-include",
                    template.path,
                    node.lineno,
                    f"{{% include {node.expr} %}} is not a literal name: its assets are not counted",
                )
            )
            return
        self.met.add(node.name)
        if node.name in self.include_stack:
            self.notes.append(
                PageNote(
                    "recursive-include",
                    template.path,
                    node.lineno,
                    f"{{% include '{node.name}' %}} includes itself (directly or not): followed once",
                )
            )
            return
        included = _load_named(self.load, "include", node.name, template.path, node.lineno)
        fragment = self.shared.fragment(node.name, included) if self.shared is not None else None
        # Walked alone it saw only its own name on the stack: reusable unless it meets one of ours.
        if fragment is not None and fragment.includes.isdisjoint(self.include_stack):
            self.splice(node.name, fragment, flags)
            return
        self.include_stack.append(node.name)
        try:
            self.render(included, replace(flags, block=None))
        finally:
            self.include_stack.pop()


def resolve_page(name: str, load: Loader, includes: Includes | None = None) -> Page:
    """Resolve template ``name`` into a ``Page``; ``includes`` (made with the same ``load``) shares the
    resolution of included templates with the other pages that pass it.

    Raises ``TemplateNotFound`` or ``InheritanceCycle`` naming the referencing file and line.
    """
    walk = _Walk(load, shared=includes)
    leaf = load(name)
    walk.include_stack.append(name)
    chain = walk.render(leaf, _Flags())
    return Page(
        name=name,
        template=leaf,
        chain=tuple(chain),
        items=tuple(walk.items),
        uses=tuple(walk.uses),
        templates=tuple(walk.templates.values()),
        notes=tuple(walk.notes),
    )


def _load_named(load: Callable[[str], Template], tag: str, name: str, path: str, lineno: int) -> Template:
    """``load(name)`` for an ``{% extends %}``/``{% include %}``; a missing name is reported at the tag."""
    try:
        return load(name)
    except TemplateNotFound as exc:
        raise TemplateNotFound(
            f"{{% {tag} %}} names {name!r}, which no template dir has",
            path=path,
            lineno=lineno,
            hint=exc.hint or "check the name and the configured template dirs",
        ) from None
