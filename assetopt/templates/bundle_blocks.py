"""Find ``{% bundle %}`` blocks in a template and every asset list each one can produce.

A block's inner tags may choose paths with ``{% if %}``/``{% elif %}``/``{% else %}`` (around whole
tags or inside one attribute value, like the RTL/LTR Bootstrap choice); each combination of branches
is a *variant*, enumerated up to ``MAX_VARIANTS``. A loop, a path computed at run time, an asset that
may not be bundled, or mixed media/defer semantics is a ``BundleSpecError`` naming the file and line.
So is a ``{% static %}`` path that is not the name collectstatic gives a file (``'css/../a.css'``,
``'/css/a.css'``): bundled it would work, but the block's rollback (its original tags, with bundles
off) raises ValueError under a manifest storage, a 500; the error names the path to write. Spaces
around a path (``' css/a.css '``) build (the tag drops them as the build does) with a note on the
block (``BundleBlock.notes``): its rollback keeps them in the URL under DEBUG or ``StaticFilesStorage``.

Choices made by the same conditions (two ``{% if LANGUAGE_BIDI %}`` in one block: Bootstrap's RTL file
and the site's own ``rtl.css``) take the same branch: Django evaluates them in the same context, and
nothing inside a block can change it between them. Only the combinations a render can produce are
variants, so an Arabic/English block builds two bundles, not four (two of which no page would link).

The key of a variant depends only on the kind, the ordered logical paths and the attributes that
matter (media, defer): never on rendered HTML, so nonces, CSRF tokens and user data cannot change it.
The ``{% bundle %}`` template tag computes the same key at render time with ``bundle_key``.

Pure: a ``Template`` in, frozen values out.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, replace

from django.utils.text import smart_split

from ..errors import BundleSpecError
from .assets import Asset, asset_of
from .lexer import TokenKind
from .model import Template, literal_name
from .nodes import ContainerNode, Element, ForNode, IfNode, Node
from .refs import Ref, RefKind, strip_static_path
from .runs import ineligible_reason
from .static_literals import after_static_url, manifest_key, normal_static_path, query_fragment, spaced_static, unnormal_shape, written_static_paths
from .tags import EndTag, HtmlComment, RawText, StartTag

__all__ = [
    "BundleSpecError",
    "BundleVariant",
    "BundleBlock",
    "bundle_key",
    "bundle_blocks",
    "variant_of_assets",
    "MAX_VARIANTS",
    "KINDS",
]

MAX_VARIANTS = 32
KINDS = ("css", "js")


def bundle_key(kind: str, paths: tuple[str, ...], semantics: str) -> str:
    """The stable key of one asset list: kind, ordered logical paths, and media (css) or defer (js)."""
    blob = json.dumps([kind, semantics, list(paths)], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class BundleVariant:
    kind: str
    paths: tuple[str, ...]
    semantics: str  # css: the media query; js: "classic" or "defer"
    key: str


@dataclass(frozen=True, slots=True)
class BundleBlock:
    template: str  # display path
    name: str  # template name
    lineno: int
    kind: str
    variants: tuple[BundleVariant, ...]
    notes: tuple[tuple[int, str], ...] = ()  # (line, what to fix) the build warns about: a block that works as written


def variant_of_assets(kind: str, assets: list[Asset], path: str, lineno: int) -> BundleVariant:
    """The variant for a concrete list of assets (each with exactly one static path)."""
    if not assets:
        return BundleVariant(kind, (), "", bundle_key(kind, (), ""))
    semantics = {a.media if kind == "css" else a.mode for a in assets}
    if len(semantics) > 1:
        what = "media" if kind == "css" else "defer semantics"
        raise BundleSpecError(
            f"{{% bundle %}} mixes {what}: {', '.join(sorted(semantics))}",
            path=path,
            lineno=lineno,
            hint="split it into one block per media/defer value",
        )
    paths = tuple(a.ref.path for a in assets if a.ref is not None)
    sem = semantics.pop()
    return BundleVariant(kind, paths, sem, bundle_key(kind, paths, sem))


def bundle_blocks(template: Template, static_url: str) -> list[BundleBlock]:
    blocks: list[BundleBlock] = []
    _walk(template.nodes, template, static_url, blocks)
    return blocks


def _walk(nodes: tuple[Node, ...], template: Template, static_url: str, out: list[BundleBlock]) -> None:
    for node in nodes:
        if isinstance(node, ContainerNode):
            if node.tag == "bundle":
                out.append(_block(node, template, static_url))
            else:
                _walk(node.children, template, static_url, out)
        elif isinstance(node, IfNode):
            for _, children in node.branches:
                _walk(children, template, static_url, out)
        elif isinstance(node, ForNode):
            _walk(node.children, template, static_url, out)
            _walk(node.empty, template, static_url, out)
        else:
            kids = getattr(node, "children", None)
            if kids:
                _walk(kids, template, static_url, out)


def _block(node: ContainerNode, template: Template, static_url: str) -> BundleBlock:
    path, lineno = template.path, node.lineno
    bits = list(smart_split(node.contents))[1:]
    kind = literal_name(bits[0]) if bits else None
    if kind not in KINDS or len(bits) != 1:
        raise BundleSpecError(
            f'{{% {node.contents} %}}: expected {{% bundle "css" %}} or {{% bundle "js" %}}',
            path=path,
            lineno=lineno,
        )
    # Each element of `options` is a choice point: its alternatives (each a list of assets) and the
    # conditions that decide it (None: not known to be tied to another choice point).
    notes: list[tuple[int, str]] = []
    options = _alternatives(node.children, template, static_url, kind, path, notes)
    combos = 1
    for alt, _ in options:
        combos *= len(alt)
        if combos > MAX_VARIANTS:
            raise BundleSpecError(
                f"{{% bundle %}} has more than {MAX_VARIANTS} variants",
                path=path,
                lineno=lineno,
                hint="split it, or move the {% if %} choices out of the block",
            )
    variants: dict[str, BundleVariant] = {}
    for picks in itertools.product(*(range(len(alts)) for alts, _ in options)):
        if not _consistent(picks, [conds for _, conds in options]):
            continue  # e.g. the RTL file of one {% if LANGUAGE_BIDI %} with the LTR file of another
        assets = [a for (alts, _), i in zip(options, picks) for a in alts[i]]
        v = variant_of_assets(kind, assets, path, lineno)
        variants.setdefault(v.key, v)
    return BundleBlock(path, template.name, lineno, kind, tuple(variants.values()), tuple(notes))


def _consistent(picks: tuple[int, ...], conditions: list[tuple[str, ...] | None]) -> bool:
    """Whether choice points decided by the same conditions took the same branch."""
    taken: dict[tuple[str, ...], int] = {}
    for pick, conds in zip(picks, conditions):
        if conds is not None and taken.setdefault(conds, pick) != pick:
            return False
    return True


Choice = tuple[list[list[Asset]], tuple[str, ...] | None]


def _alternatives(nodes: tuple[Node, ...], template: Template, static_url: str, kind: str, path: str, notes: list[tuple[int, str]]) -> list[Choice]:
    """A sequence of choice points; each a list of alternatives (asset lists) and, when alternative
    ``i`` is taken exactly when the ``i``-th of its conditions is the first true one (the last
    alternative: none is), those conditions. ``notes`` gets what the build warns about."""
    seq: list[Choice] = []
    for node in nodes:
        if isinstance(node, Element):
            item = node.item
            if isinstance(item, (HtmlComment, RawText, EndTag)):
                if isinstance(item, RawText) and template.source[item.start : item.end].strip():
                    raise BundleSpecError("inline <script> code inside {% bundle %}", path=path, lineno=item.lineno, hint="move it after the block")
                continue
            if not isinstance(item, StartTag):
                raise BundleSpecError(f"{{% bundle %}} contains a tag assetopt cannot read ({item.reason})", path=path, lineno=item.lineno)
            paths = _tag_alternatives(item, template, static_url, kind, path, notes)
            seq.append((paths, _value_conditions(item, template, len(paths))))
        elif isinstance(node, IfNode):
            alts: list[list[Asset]] = []
            one_each = True
            for _, children in node.branches:
                sub = _alternatives(children, template, static_url, kind, path, notes)
                before = len(alts)
                for picks in itertools.product(*(range(len(a)) for a, _ in sub)):
                    if not _consistent(picks, [conds for _, conds in sub]):
                        continue
                    alts.append([a for (part, _), i in zip(sub, picks) for a in part[i]])
                    if len(alts) > MAX_VARIANTS:
                        raise BundleSpecError(f"{{% bundle %}} has more than {MAX_VARIANTS} variants", path=path, lineno=node.lineno)
                one_each = one_each and len(alts) == before + 1
            if not any(cond == "else" for cond, _ in node.branches):
                alts.append([])
            conds = tuple(" ".join(cond.split()) for cond, _ in node.branches if cond != "else")
            seq.append((alts, conds if one_each else None))
        elif isinstance(node, ForNode):
            raise BundleSpecError(
                "{% for %} inside {% bundle %}: its asset list is not known before rendering",
                path=path,
                lineno=node.lineno,
                hint="list the files, or move the loop out of the block",
            )
        else:
            what = getattr(node, "tag", None) or getattr(node, "contents", "template code")
            lineno = getattr(node, "lineno", None)
            raise BundleSpecError(f"{{% bundle %}} may only hold <link>/<script> tags and {{% if %}}, found {what!r}", path=path, lineno=lineno)
    return seq


def _tag_alternatives(tag: StartTag, template: Template, static_url: str, kind: str, path: str, notes: list[tuple[int, str]]) -> list[list[Asset]]:
    asset = asset_of(tag, template, static_url)
    if asset is None or asset.kind != kind:
        raise BundleSpecError(
            f'<{tag.name}> in a {{% bundle "{kind}" %}} block',
            path=path,
            lineno=tag.lineno,
            hint=f"only {'stylesheet links' if kind == 'css' else 'scripts with src'} belong here",
        )
    _refuse_unnormal(asset, tag, path, static_url)  # before ineligible_reason: '/css/a.css' is unsafe there, with no fix
    reason = ineligible_reason(asset)
    if reason is not None:
        raise BundleSpecError(f"cannot bundle <{tag.name}>: {reason}", path=path, lineno=tag.lineno, hint="move it out of the block")
    assert asset.ref is not None and asset.ref.kind is RefKind.STATIC
    spaced = spaced_static(asset)
    if spaced is not None:
        notes.append(
            (
                tag.lineno,
                f"{{% static '{spaced}' %}} has spaces around its path: the bundle works (the build and the {{% bundle %}} tag drop them,"
                " as a manifest storage does), but the block's rollback (its original tags, with bundles off: the default under DEBUG)"
                f" keeps them in the URL under DEBUG on or StaticFilesStorage, a 404; write {{% static '{strip_static_path(spaced)}' %}}",
            )
        )
    if len(asset.ref.paths) == 1:
        return [[asset]]
    # An {% if %} inside the attribute value: one alternative per literal path.
    return [[_with_path(asset, p)] for p in asset.ref.paths]


def _value_conditions(tag: StartTag, template: Template, count: int) -> tuple[str, ...] | None:
    """The conditions of a path chosen inside the value (``href="{% if LANGUAGE_BIDI %}{% static 'a.rtl.css' %}
    {% else %}{% static 'a.css' %}{% endif %}"``): one ``{% if %}``/``{% elif %}``/``{% else %}`` chain, one
    ``{% static %}`` per branch, ``count`` distinct paths (alternative ``i`` is branch ``i``); else None."""
    attr = tag.attr("href" if tag.name == "link" else "src")
    if attr is None or attr.value is None:
        return None
    words = []
    conds: list[str] = []
    for tok in template.value_tokens(attr):
        if tok.kind is TokenKind.COMMENT:
            continue
        if tok.kind is not TokenKind.BLOCK:
            return None
        word = tok.tag_name
        if word == "static" or word in template.static_tags:
            words.append("static")
            continue
        words.append(word)
        if word in ("if", "elif"):
            conds.append(" ".join(tok.contents[len(word) :].split()))
    shape = ["if", "static"] + ["elif", "static"] * (len(conds) - 1) + ["else", "static", "endif"]
    return tuple(conds) if conds and words == shape and count == len(conds) + 1 else None


def _refuse_unnormal(asset: Asset, tag: StartTag, path: str, static_url: str) -> None:
    """A ``{% static %}`` path a manifest storage has no ``staticfiles.json`` name for (the audit's
    ``unsafe-path``): refused, naming the path to write (the path after ``static_url`` when it starts
    with it: ``{% static %}`` adds that itself)."""
    for written in written_static_paths(asset):
        key = manifest_key(written)
        shape = unnormal_shape(key) if key is not None else None
        if key is None or shape is None:
            continue
        after = after_static_url(key, static_url)
        if after is not None:
            hint = f"write {{% static '{after + query_fragment(written)}' %}}: the path after STATIC_URL ({static_url}), which {{% static %}} adds itself"
        else:
            fixed = normal_static_path(written)
            hint = f"write {{% static '{fixed}' %}}" if fixed is not None else "use a path inside a static dir, relative to it"
        raise BundleSpecError(
            f"{{% static '{written}' %}} {shape}: staticfiles.json has no such name, so the block's rollback (its original tags,"
            " with bundles off) raises ValueError under a manifest storage, a server error",
            path=path,
            lineno=tag.lineno,
            hint=hint,
        )


def _with_path(asset: Asset, logical: str) -> Asset:
    return replace(asset, ref=Ref(RefKind.STATIC, paths=(logical,), url=logical))
