"""Minifying one script (``minify_js``: rjsmin, its damage checked, minify-go where it would damage)
and joining scripts into the file(s) of one bundle (``join_js``: ``"\\n;\\n"`` between files, a new chunk
where strictness changes)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import rjsmin

from ..errors import BundleWarning
from . import js_parsed
from .joined import BOM, Chunk, Joined, Source
from .js_lexer import first_literal_difference, first_token_difference, js_strictness, strip_js_source_map

__all__ = ["minify_js", "join_js", "JS_SEPARATOR"]

JS_SEPARATOR = "\n;\n"  # a ";" glued to a file ending in "// comment" would be commented out


def minify_js(text: str, path: str = "", js_minifier: str = "auto") -> tuple[str, BundleWarning | None]:
    """rjsmin with ``/*! licence */`` comments kept, ``//# sourceMappingURL`` lines stripped.

    When minifying changed the contents of any string, template or regex literal (rjsmin 1.3 does, in
    nested template literals) or any code token, rjsmin's output is never shipped: with
    ``js_minifier="auto"`` (or ``"minify-go"``, which tries it first on every script) and minify-go installed, the parser-based minifier (``text/js_parsed.py``,
    its output checked) takes over; otherwise (or when it refuses) the text ships unminified (source
    map line still stripped) with a warning saying why and what to install."""
    text = strip_js_source_map(text.removeprefix(BOM))
    if js_minifier == "minify-go" and js_parsed.available():
        try:  # every script: renaming locals saves ~18 % after brotli over rjsmin (bench/RESULTS.md)
            return js_parsed.minify_parsed(text), None
        except js_parsed.ParsedRefusal:
            pass  # rjsmin and its damage check, as with "auto"
    minified = str(rjsmin.jsmin(text, keep_bang_comments=True))
    damage = first_literal_difference(text, minified)
    if damage is not None:
        kind, lineno = damage
        what = {"template": "a template literal", "regex": "a regex literal"}.get(kind, "a string literal")
        problem = f"rjsmin changed the contents of {what}"
    else:
        changed = first_token_difference(text, minified)
        if changed is None:
            return minified, None
        # e.g. an HTML-like "-->" comment joined to the line before, two names glued
        lineno, problem = changed, "rjsmin changed the code here (not only spaces and comments)"
    if js_minifier == "rjsmin":
        return text, BundleWarning(path, lineno, f"{problem}: shipped unminified")
    if not js_parsed.available():
        return text, BundleWarning(path, lineno, f"{problem}: shipped unminified; {js_parsed.INSTALL_HINT} minifies it with a parser")
    try:
        return js_parsed.minify_parsed(text), None
    except js_parsed.ParsedRefusal as exc:
        return text, BundleWarning(path, lineno, f"{problem}, and {exc}: shipped unminified")


def join_js(
    sources: Sequence[Source],
    *,
    minify: bool = True,
    js_minifier: str = "auto",
    minifier: Callable[[str, str], tuple[str, BundleWarning | None]] | None = None,
) -> Joined:
    """Join scripts with ``"\\n;\\n"``, each minified on its own (by ``minifier``, default
    ``minify_js`` with ``js_minifier``: a caller may pass one that returns results computed in parallel
    or cached).

    Joining puts every file under the first file's directive prologue, so a chunk is a run of files of
    the same strictness; a file with no code at all joins whatever run it follows."""
    minifier = minifier or (lambda text, path: minify_js(text, path, js_minifier))
    groups: list[tuple[bool, list[str], list[str]]] = []
    warnings: list[BundleWarning] = []
    for source in sources:
        strict = js_strictness(source.text)
        if minify:
            body, warning = minifier(source.text, source.path)
            if warning is not None:
                warnings.append(warning)
        else:
            body = strip_js_source_map(source.text.removeprefix(BOM))
        if not groups or (strict is not None and strict != groups[-1][0]):
            groups.append((bool(strict), [], []))
        groups[-1][1].append(body)
        groups[-1][2].append(source.path)
    chunks = tuple(Chunk(JS_SEPARATOR.join(bodies), tuple(paths)) for _, bodies, paths in groups)
    return Joined(chunks, tuple(warnings))
