"""Joining stylesheets into the file(s) of one bundle (``join_css``): every chunk valid CSS with the
same cascade; an external ``@import`` that would follow a rule starts a new chunk, a file with
``@namespace`` gets one of its own."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .css_expand import UTF8_CHARSET, ExpandedCss, expand_css
from .css_minify import minify_css
from .joined import Chunk, Joined, Source

__all__ = ["join_css", "join_expanded_css"]


def join_css(
    sources: Sequence[Source],
    bundle_path: str,
    *,
    minify: bool = True,
    read: Callable[[str], str | None] = lambda p: None,
) -> Joined:
    """Join stylesheets into the file(s) served at ``bundle_path``, in order.

    Local ``@import``s are inlined (``read(logical_path)`` gives their text, None when missing); an
    external ``@import`` that would follow a rule starts a new chunk, so every chunk is valid CSS with the
    same cascade. A source with ``@namespace`` gets a chunk of its own."""
    return join_expanded_css([expand_css(source, bundle_path, read) for source in sources], minify=minify)


def join_expanded_css(expanded: Sequence[ExpandedCss], *, minify: bool = True) -> Joined:
    """``join_css`` of sources already expanded (each by ``expand_css`` for the same bundle path)."""
    groups: list[tuple[list[str], list[str]]] = []  # (css parts, source paths) per chunk
    open_chunk, has_rules = False, False
    for source in expanded:
        segments = source.segments or (("", False, False),)  # an empty file still belongs to a chunk
        if source.namespace and groups:
            open_chunk = False
        first_in_source, held = True, list[str]()
        for i, (css, is_import, rules) in enumerate(segments):
            if not is_import and not rules and i < len(segments) - 1:
                held.append(css)  # a comment goes with what follows it (a licence before an @import)
                continue
            if not open_chunk or (is_import and has_rules):
                groups.append(([], []))
                open_chunk, has_rules, first_in_source = True, False, True
            parts, paths = groups[-1]
            if first_in_source:
                parts += ["\n"] if parts else []
                paths += [] if paths and paths[-1] == source.path else [source.path]
                first_in_source = False
            parts += held + [css]
            held, has_rules = [], has_rules or rules
        if source.namespace:
            open_chunk = False
    prefix = UTF8_CHARSET + "\n" if any(source.charset for source in expanded) else ""
    chunks: list[Chunk] = []
    for parts, paths in groups:
        text = prefix + "".join(parts)
        chunks.append(Chunk(minify_css(text) if minify else text, tuple(paths)))
    return Joined(tuple(chunks), tuple(w for source in expanded for w in source.warnings))
