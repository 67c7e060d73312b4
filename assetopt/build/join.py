"""One bundle variant joined through the cache: the whole join by its sources, and each stylesheet's
expansion (imports inlined, ``url()``s rebased) by its own content, so a bundle with one changed file
expands only that file before the chunk is re-minified (rcssmin's C pass, milliseconds).

Cache entries record the files a local ``@import`` pulled in, with their content hashes, and are
checked on every hit: an edited import is never served stale. The output is what ``join_css`` /
``join_js`` give for the same sources, byte for byte (``ExpandedCss`` is a function of the file, the
bundle path and its imports). Never here: which bundles exist, or writing outputs.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from ..bundler import Chunk, ExpandedCss, Joined, Source, expand_css, join_expanded_css, join_js
from ..errors import BundleError, BundleWarning
from ..io.cache import ContentCache, sha256
from ..io.project import Project
from ..io.staticfiles import Lookup
from ..text.css import decode_css
from .minify import ScriptMinifier

__all__ = ["JOIN_STEP", "EXPAND_STEP", "css_reader", "join_cached"]

JOIN_STEP = "join-3"  # 3: one @charset "UTF-8" for the bundle, whatever the sources declared
EXPAND_STEP = "expand-css-1"

Reader = Callable[[str], "str | None"]


def css_reader(project: Project) -> Reader:
    """How ``join_css`` reads a local ``@import``: by its own BOM or ``@charset``; None when missing."""

    def read_text(logical: str) -> str | None:
        found = project.static.find(logical)
        if found.status is not Lookup.FOUND or found.file is None:
            return None
        data = found.file.read_bytes()
        try:
            return decode_css(data)  # an @import is CSS: its own BOM or @charset decides
        except UnicodeDecodeError as exc:
            # join_css only expects BundleError: a raw decode error would crash the whole build.
            raise BundleError(f"not {exc.encoding.upper()} (byte offset {exc.start})", path=logical, hint="re-save it as UTF-8") from None

    return read_text


def _digest(text: str) -> str:
    return sha256(text.encode("utf-8"))


def _fresh(imports: list[list[str]], read: Reader) -> bool:
    """Every recorded ``[path, digest]`` still reads as the same text."""
    return all((text := read(path)) is not None and _digest(text) == digest for path, digest in imports)


def _recording(read: Reader, imports: dict[str, str]) -> Reader:
    def recording_read(path: str) -> str | None:
        text = read(path)
        if text is not None:
            imports[path] = _digest(text)
        return text

    return recording_read


def _expanded(source: Source, bundle_path: str, read: Reader, cache: ContentCache, imports: dict[str, str], expanded: list[str]) -> ExpandedCss:
    """``expand_css`` through the cache; the files it imports are added to ``imports``, its path to
    ``expanded`` when it was not cached."""
    key = sha256(json.dumps([EXPAND_STEP, bundle_path, source.path, _digest(source.text)]).encode("utf-8"))
    cached = cache.get(EXPAND_STEP, key)
    if cached is not None:
        try:
            data = json.loads(cached)
            if _fresh(data["imports"], read):
                imports.update((path, digest) for path, digest in data["imports"])
                return ExpandedCss(
                    source.path,
                    tuple((css, bool(is_import), bool(rules)) for css, is_import, rules in data["segments"]),
                    bool(data["namespace"]),
                    bool(data["charset"]),
                    tuple(BundleWarning(w["path"], w["lineno"], w["message"]) for w in data["warnings"]),
                )
        except (ValueError, KeyError, TypeError):
            pass  # a foreign entry: rebuild it
    own: dict[str, str] = {}
    result = expand_css(source, bundle_path, _recording(read, own))
    payload = {
        "segments": [list(seg) for seg in result.segments],
        "namespace": result.namespace,
        "charset": result.charset,
        "warnings": [{"path": w.path, "lineno": w.lineno, "message": w.message} for w in result.warnings],
        "imports": sorted(own.items()),
    }
    cache.put(EXPAND_STEP, key, json.dumps(payload).encode("utf-8"))
    imports.update(own)
    expanded.append(source.path)
    return result


def join_cached(
    kind: str,
    sources: list[Source],
    bundle_path: str,
    minify: bool,
    read: Reader,
    cache: ContentCache,
    js_minifier: ScriptMinifier | None = None,
    expanded: list[str] | None = None,
) -> tuple[Joined, bool]:
    """Join with a content-addressed cache; returns (joined, whole-join cache hit).

    The key covers the sources; on a miss each stylesheet's expansion comes from its own entry when
    it (and what it imports) did not change (``expanded`` receives the paths of the others), and each
    script's minified text from ``js_minifier``'s."""
    js_step = js_minifier.step if js_minifier is not None and kind == "js" else None  # minify-go or not: other bytes
    key_blob = json.dumps([JOIN_STEP, kind, bundle_path, minify, js_step, [(s.path, _digest(s.text)) for s in sources]])
    key = sha256(key_blob.encode("utf-8"))
    cached = cache.get(JOIN_STEP, key)
    if cached is not None:
        try:
            data = json.loads(cached)
            if _fresh(data["imports"], read):
                return Joined(
                    tuple(Chunk(c["text"], tuple(c["sources"])) for c in data["chunks"]),
                    tuple(BundleWarning(w["path"], w["lineno"], w["message"]) for w in data["warnings"]),
                ), True
        except (ValueError, KeyError, TypeError):
            pass  # a foreign entry: rebuild it
    imports: dict[str, str] = {}
    if kind == "css":
        joined = join_expanded_css(
            [_expanded(s, bundle_path, read, cache, imports, [] if expanded is None else expanded) for s in sources], minify=minify
        )
    else:
        joined = join_js(sources, minify=minify, minifier=js_minifier)
    payload = {
        "chunks": [{"text": c.text, "sources": list(c.sources)} for c in joined.chunks],
        "warnings": [{"path": w.path, "lineno": w.lineno, "message": w.message} for w in joined.warnings],
        "imports": sorted(imports.items()),
    }
    cache.put(JOIN_STEP, key, json.dumps(payload).encode("utf-8"))
    return joined, False
