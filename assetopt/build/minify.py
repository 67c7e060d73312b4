"""Minified scripts, stylesheets and SVGs, cached by content: one entry per input, whoever asks.

A script is minified and damage-checked once per content, under one cache step, whether a bundle
joins it or ``minify_static`` ships it on its own (``assetopt build`` and the collectstatic hook alike):
rjsmin is fast, the damage check around it (a pure-Python lexer) is not; where rjsmin would damage a
script, minify-go takes over (config ``js_minifier``, ``bundler.minify_js``). ``minify_scripts`` does many
at once on the process pool (``io/pool.py``); ``ScriptMinifier`` and ``minify_static_file`` then read
the results. A warning (a script shipped unminified) is cached with the result and
replayed on every run, naming the path of the caller, until the file is fixed.

Never here: which files to minify, or writing outputs.
"""

from __future__ import annotations

import functools
import json
import posixpath
from collections.abc import Iterable

from ..bundler import minify_css, minify_js
from ..errors import BundleWarning
from ..io.cache import ContentCache, sha256
from ..io.pool import Task, cached_map
from ..text import js_parsed
from ..text.css import unterminated_strings
from ..text.svg import minify_svg

__all__ = ["ScriptMinifier", "js_step", "minify_scripts", "minify_static_file", "minifies_in_place"]

_JS_STEP = "minify-js-4"  # one entry per content for bundles and minify_static; 4: minify-go where rjsmin would damage
_CSS_STEP = "minify-single-3.css"  # 3: a stylesheet with an unterminated string ships unminified
_SVG_STEP = "minify-svg-1"  # bump when svgmin.py changes what it writes for the same input

_Result = tuple[str, int | None, str | None]  # (text shipped, warning line, warning message)


def _key(text: str) -> str:
    return sha256(text.encode("utf-8"))


def js_step(js_minifier: str) -> str:
    """The cache step of scripts minified with ``js_minifier``: unless "rjsmin" it names minify-go's
    version (or its absence), so installing or upgrading it re-minifies what rjsmin would damage
    instead of replaying the old "shipped unminified" warning."""
    return f"{_JS_STEP}-rjsmin" if js_minifier == "rjsmin" else f"{_JS_STEP}-{js_minifier}-{js_parsed.backend_id()}"


def _minify_job(text: str, js_minifier: str = "auto") -> bytes:
    out, warning = minify_js(text, "", js_minifier)
    return json.dumps([out, *((warning.lineno, warning.message) if warning else (None, None))]).encode("utf-8")


def _unpack(payload: bytes) -> _Result | None:
    try:
        out, lineno, message = json.loads(payload)
    except (ValueError, TypeError):
        return None
    if not isinstance(out, str) or not (message is None or isinstance(message, str)) or not (lineno is None or isinstance(lineno, int)):
        return None
    return out, lineno, message


def minify_scripts(texts: Iterable[str], cache: ContentCache, jobs: int | None = None, js_minifier: str = "auto") -> int:
    """Minify every script text not yet in the cache, on the process pool, largest first; returns how
    many were minified (the misses). Afterwards ``ScriptMinifier``/``minify_static_file`` hit."""
    tasks = [Task(_key(t), t, len(t)) for t in texts]
    job = functools.partial(_minify_job, js_minifier=js_minifier)
    _, misses = cached_map(job, tasks, cache, js_step(js_minifier), jobs=jobs, valid=lambda p: _unpack(p) is not None)
    return misses


class ScriptMinifier:
    """``minify_js`` through the cache: ``(text, path) -> (minified, warning naming path)``; counts misses."""

    def __init__(self, cache: ContentCache, js_minifier: str = "auto") -> None:
        self.cache = cache
        self.js_minifier = js_minifier
        self.step = js_step(js_minifier)  # also part of a joined bundle's cache key
        self.minified = 0  # scripts minified by this object (cache misses)

    def __call__(self, text: str, path: str) -> tuple[str, BundleWarning | None]:
        key = _key(text)
        hit = self.cache.get(self.step, key)
        found = _unpack(hit) if hit is not None else None
        if found is None:
            payload = _minify_job(text, self.js_minifier)
            self.cache.put(self.step, key, payload)
            self.minified += 1
            found = _unpack(payload)
            assert found is not None
        out, lineno, message = found
        return out, (BundleWarning(path, lineno, message) if message is not None else None)


def minifies_in_place(rel: str) -> bool:
    """Whether ``minify_static`` minifies this static file: CSS, JS or SVG, not already ``.min.``."""
    name = posixpath.basename(rel)
    return posixpath.splitext(name)[1].lower() in (".css", ".js", ".svg") and ".min." not in name


def minify_static_file(data: bytes, rel: str, cache: ContentCache, warnings: list[BundleWarning], js_minifier: str = "auto") -> bytes:
    """The bytes ``minify_static`` ships for the static file ``rel`` (same name, same folder: no url()
    rebasing needed). One function for ``assetopt build`` and Django's collectstatic storage.

    Anything that is not UTF-8 or that the minifier would damage is shipped unchanged, with a warning
    in ``warnings``, on every run until it is fixed."""
    suffix = posixpath.splitext(rel)[1].lower()
    if suffix == ".svg":
        return _minified_svg(data, sha256(data), rel, cache, warnings)
    if suffix == ".css":
        key = sha256(data)
        hit = cache.get(_CSS_STEP, key)
        if hit is not None:
            return hit
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        warnings.append(BundleWarning(rel, None, "not UTF-8: copied unminified"))
        return data
    if suffix != ".css":
        out, warning = ScriptMinifier(cache, js_minifier)(text, rel)
        if warning is not None:
            warnings.append(warning)
        return out.encode("utf-8")
    bad = unterminated_strings(text)
    if bad:  # rcssmin would remove the newline that ends it: the string would swallow the rules after it
        line = text.count("\n", 0, bad[0][1]) + 1
        warnings.append(
            BundleWarning(
                rel,
                line,
                "unterminated string (a newline ends it): copied unminified, as minifying would let it swallow the rules after it; close the quote",
            )
        )
        return data
    payload = minify_css(text).encode("utf-8")
    cache.put(_CSS_STEP, key, payload)
    return payload


def _minified_svg(data: bytes, key: str, rel: str, cache: ContentCache, warnings: list[BundleWarning]) -> bytes:
    """``svgmin.minify_svg``, cached by content. A refused file (DOCTYPE, not well-formed) is copied as
    it is with a warning and not cached, so the warning shows on every build until the file is fixed."""
    hit = cache.get(_SVG_STEP, key)
    if hit is not None:
        return hit
    svg = minify_svg(data)
    if svg.refused:
        warnings.append(BundleWarning(rel, None, f"SVG not minified, copied as it is: {svg.reason}"))
        return data
    cache.put(_SVG_STEP, key, svg.data)
    return svg.data
