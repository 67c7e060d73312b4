"""The parser-based JS minifier that takes over where rjsmin would damage a script: ``minify-go``.

``minify-go`` (PyPI; tdewolff/minify compiled for Python) parses the whole script, so template
literals nested in template literals, HTML-like comments and regexes are read as a browser reads
them; it also renames local variables, which rjsmin never does. It is optional (the extra
``assetopt[modern-js]``): without it, ``available()`` is False and the caller keeps rjsmin's answer.
``bench/bench_js.py`` measured it against esbuild-py and terser/esbuild (bench/RESULTS.md).

``minify_parsed`` never returns output it has not checked, with no node and no browser:

1. the backend's own parser accepts its output (minifying the output again raises no error): a real
   ECMAScript parser says the result is a program;
2. our lexer (``js_lexer``) sees every string, template, regex and block comment of the output closed;
3. every top-level name the source declares (``var``/``let``/``const``/``function``/``class`` at
   the top level of a classic script: the globals other scripts and ``onclick`` handlers use) is
   declared by the output too: a minifier that renamed or dropped a global would break the page
   silently, while the script itself still parses.

A failed check is a refusal (``ParsedRefusal``) with the reason; the caller ships the file unminified
with a warning. Pure: text in, text out; never reads files.
"""

from __future__ import annotations

import importlib.metadata
from typing import Any

from .js_lexer import js_tokens

__all__ = ["PACKAGE", "INSTALL_HINT", "ParsedRefusal", "available", "backend_id", "minify_parsed", "top_level_names"]

PACKAGE = "minify-go"
INSTALL_HINT = "pip install 'assetopt[modern-js]' (minify-go)"
_MEDIA_TYPE = "application/javascript"
_DECLARES = frozenset(["var", "let", "const", "function", "class"])
_OPEN, _CLOSE = "([{", ")]}"


class ParsedRefusal(ValueError):
    """The backend refused the script, or its output failed a check: the message says which."""


def _module() -> Any | None:
    try:
        import minify  # minify-go; optional
    except ImportError:
        return None
    return minify


def available() -> bool:
    """Whether ``minify-go`` is installed."""
    return _module() is not None


def backend_id() -> str:
    """Names the backend and its version (or its absence), for cache keys: installing or upgrading
    it changes what a damaged script ships as."""
    try:
        return f"{PACKAGE}-{importlib.metadata.version(PACKAGE)}" if available() else f"no-{PACKAGE}"
    except importlib.metadata.PackageNotFoundError:
        return f"{PACKAGE}-unknown"


def minify_parsed(text: str) -> str:
    """``text`` minified by minify-go, after the checks in the module doc; raises ``ParsedRefusal``
    (also when minify-go is not installed). ``/*! licence */`` comments are kept by minify-go."""
    module = _module()
    if module is None:
        raise ParsedRefusal(f"{PACKAGE} is not installed ({INSTALL_HINT})")
    try:
        out = str(module.string(_MEDIA_TYPE, text))
    except module.MinifyError as exc:
        raise ParsedRefusal(f"{PACKAGE} could not parse it: {_first_line(exc)}") from None
    try:
        module.string(_MEDIA_TYPE, out)
    except module.MinifyError as exc:
        raise ParsedRefusal(f"{PACKAGE}'s output does not parse: {_first_line(exc)}") from None
    unclosed = _unclosed_literal(out)
    if unclosed is not None:
        raise ParsedRefusal(f"{PACKAGE}'s output has an unclosed {unclosed}")
    lost = sorted(top_level_names(text) - top_level_names(out))
    if lost:
        raise ParsedRefusal(f"{PACKAGE}'s output no longer declares the global(s) {', '.join(lost[:5])}")
    return out


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _unclosed_literal(text: str) -> str | None:
    for tok in js_tokens(text):
        body = text[tok.start : tok.end]
        if tok.kind == "string" and (len(body) < 2 or body[-1] != body[0]):
            return "string"
        if tok.kind == "template" and not body.endswith(("`", "${")):
            return "template literal"
        if tok.kind == "regex" and tok.end - tok.start >= 2 and "/" not in body[1:]:
            return "regex"
        if tok.kind == "comment" and body.startswith("/*") and (len(body) < 4 or not body.endswith("*/")):
            return "comment"
    return None


def top_level_names(text: str) -> set[str]:
    """Names declared at the top level of a classic script: after ``function``/``class``, and every
    binding of a ``var``/``let``/``const`` list (``var a = f(1, 2), b;`` gives a and b; destructuring
    patterns are skipped). A reading, not a parse: the same reading of source and output."""
    toks = [(t.kind, text[t.start : t.end]) for t in js_tokens(text) if t.kind not in ("space", "comment")]
    names: set[str] = set()
    depth = 0
    i, n = 0, len(toks)
    while i < n:
        kind, value = toks[i]
        if kind == "template":  # "${" opens a nesting level, "}`"/"}..${" keeps or closes one
            depth += value.endswith("${") - value.startswith("}")
        elif kind == "punct" and value in _OPEN:
            depth += 1
        elif kind == "punct" and value in _CLOSE:
            depth -= 1
        elif depth == 0 and kind == "word" and value in _DECLARES and not _is_property(toks, i):
            if value in ("function", "class"):
                j = i + 1 + (i + 1 < n and toks[i + 1][1] == "*")
                if j < n and toks[j][0] == "word":
                    names.add(toks[j][1])
            else:
                i = _bindings(toks, i + 1, names)
                continue
        i += 1
    return names


def _is_property(toks: list[tuple[str, str]], i: int) -> bool:
    return i > 0 and toks[i - 1][1] in (".", "?.")


def _bindings(toks: list[tuple[str, str]], i: int, names: set[str]) -> int:
    """Reads ``a = ..., b`` after ``var``; returns the index after the declaration list."""
    n = len(toks)
    while i < n:
        if toks[i][0] == "word":
            names.add(toks[i][1])
        depth = 0
        while i < n:  # skip the binding and its initializer up to a "," or ";" at this level
            kind, value = toks[i]
            if kind == "template":
                depth += value.endswith("${") - value.startswith("}")
            elif kind == "punct" and value in _OPEN:
                depth += 1
            elif kind == "punct" and value in _CLOSE:
                if depth == 0:
                    return i
                depth -= 1
            elif depth == 0 and kind == "punct" and value in (",", ";"):
                break
            elif depth == 0 and kind == "word" and value in _DECLARES and i > 0 and toks[i - 1][1] not in ("=", "(", ",", ".", "?.", ":", "?"):
                return i  # a new statement after automatic semicolon insertion
            i += 1
        if i >= n or toks[i][1] == ";":
            return i + 1
        i += 1  # past ","
    return i
