"""assetopt's safe joining offered to django-compressor as ``COMPRESS_FILTERS`` entries.

django-compressor joins the files of a ``{% compress %}`` block itself (CSS with ``"\\n"``; JS with a
``";"`` glued to each file, then ``"\\n"``) and writes the result to ``COMPRESS_OUTPUT_DIR/<kind>/``
(``CACHE/css/``). These filters make each file safe to join *before* compressor joins it, with the same
pure functions ``assetopt build`` uses (``assetopt/bundler.py``)::

    COMPRESS_FILTERS = {
        "css": ["assetopt.contrib.django.filters.CssRebaseFilter", "assetopt.contrib.django.filters.CssMinFilter"],
        "js": ["assetopt.contrib.django.filters.JSMinFilter"],
    }

- ``CssRebaseFilter`` (input, per file): rebases relative ``url()``/``@import`` to the output folder
  (``data:``, ``#id``, absolute and scheme URLs untouched, ``?#iefix`` kept, comments ignored), inlines
  local ``@import``s (wrapped in their media), strips the BOM and ``sourceMappingURL`` comments. A file
  whose external ``@import`` would land after a rule fails, naming the file: browsers ignore it there.
  Replaces compressor's ``CssAbsoluteFilter``; for ``{% compress css inline %}`` keep that one (relative
  URLs in a ``<style>`` resolve against the page).
- ``CssMinFilter`` (output): rcssmin keeping ``/*! licence */`` comments.
- ``JSMinFilter`` (input, per file): minifies each file on its own (rjsmin, kept unminified when
  rjsmin would change a string/template/regex literal), strips ``sourceMappingURL``, and ends the file
  with a line break so compressor's ``;`` can never fall inside a trailing ``// comment``: the join
  becomes assetopt's ``"\\n;\\n"``. Replaces compressor's ``rJSMinFilter`` (an output filter that
  minifies the joined file, including rjsmin's template-literal damage).

Compressor calls input filters with ``filename`` (the file on disk), ``basename`` (its path under
``COMPRESS_URL``) and ``kind`` (``"file"`` or ``"inline"``). Inline hunks are left as they are (CSS) or
minified (JS). Warnings go to the ``assetopt`` logger.
"""

from __future__ import annotations

import logging
import posixpath
from pathlib import Path
from typing import Any

from compressor.conf import settings as compress_settings
from compressor.exceptions import FilterError
from compressor.filters.base import FilterBase

from ...bundler import Source, join_css, minify_css, minify_js
from ...config import JS_MINIFIERS
from ...errors import BundleError
from ...text.js_lexer import js_strictness
from . import conf

__all__ = ["CssRebaseFilter", "CssMinFilter", "JSMinFilter"]

logger = logging.getLogger("assetopt")


def _output_path(kind: str) -> str:
    """Where compressor writes a joined file of ``kind``, relative to ``COMPRESS_ROOT``; the file's own
    name never matters for relative URLs, only its folder."""
    return posixpath.join(compress_settings.COMPRESS_OUTPUT_DIR.strip("/"), kind, "output." + kind)


def _reader(filename: str | None, basename: str) -> Any:
    """``read(logical_path)`` for ``join_css``: the logical paths are relative to the root the file was
    found in (``filename`` minus ``basename``), which is COMPRESS_ROOT or a static source dir."""
    root = None
    if filename:
        path = Path(filename)
        parts = len(Path(basename).parts)
        if path.parts[-parts:] == Path(basename).parts:
            root = Path(*path.parts[:-parts]) if len(path.parts) > parts else Path(".")

    def read(logical: str) -> str | None:
        if root is None:
            return None
        try:
            return (root / logical).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None

    return read


class CssRebaseFilter(FilterBase):
    """Per-file CSS: urls rebased to ``COMPRESS_OUTPUT_DIR/css/``, local imports inlined (see module doc)."""

    def input(self, filename: str | None = None, basename: str | None = None, kind: str | None = None, **kwargs: Any) -> str:
        if not basename or kind == "inline":
            return str(self.content)
        try:
            joined = join_css([Source(basename, str(self.content))], _output_path("css"), minify=False, read=_reader(filename, basename))
        except BundleError as exc:
            raise FilterError(str(exc)) from None
        for warning in joined.warnings:
            logger.warning("assetopt: %s:%s: %s", warning.path, warning.lineno, warning.message)
        if len(joined.chunks) > 1:
            raise FilterError(
                f"{basename}: an @import would follow a rule once its local imports are inlined, and browsers ignore it there: "
                "move that @import to the top of the file, or the file out of the {% compress %} block"
            )
        return joined.chunks[0].text if joined.chunks else ""


class CssMinFilter(FilterBase):
    """The joined CSS minified by rcssmin, ``/*! licence */`` comments kept."""

    def output(self, **kwargs: Any) -> str:
        return minify_css(str(self.content))


class JSMinFilter(FilterBase):
    """Per-file JS minified on its own and ended with a line break (see module doc)."""

    def input(self, basename: str | None = None, kind: str | None = None, **kwargs: Any) -> str:
        text = str(self.content)
        where = basename or "<inline script>"
        chosen = conf.options().get("JS_MINIFIER")
        backend = chosen if chosen in JS_MINIFIERS else "auto"
        body, warning = minify_js(text, where, backend)
        if warning is not None:
            logger.warning("assetopt: %s:%s: %s", warning.path, warning.lineno, warning.message)
        if js_strictness(text):
            # Joined, only the first file's prologue counts: this file is strict only if it comes first.
            logger.warning(
                'assetopt: %s: "use strict" applies to a joined {%% compress js %%} file only when it is first; keep strict files in their own block',
                where,
            )
        return body + "\n"
