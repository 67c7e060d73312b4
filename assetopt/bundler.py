"""Join and minify stylesheets and scripts without changing what they mean (design decision 4).

Pure: text in, frozen values out. This module never reads or writes files (a local ``@import`` is fetched
through the ``read`` callback the caller passes), never imports Django or click, never prints, and never
uses ``os.path``: static paths and URLs are posix on every OS. Output depends only on the input, byte for
byte.

Where joining would change meaning it splits instead: an external ``@import`` that would land after a
rule starts a new CSS chunk; a change of strictness starts a new JS chunk. Where a minifier damages a
file (rjsmin and nested template literals) the parser-based minifier takes over when installed
(``text/js_parsed.py``); otherwise the file ships unminified with a warning.

The code lives in the pure ``text/`` layer: ``joined`` (Source, Chunk, Joined), ``css_minify``,
``css_rebase``, ``css_expand`` (one stylesheet ready to join), ``css_join``, ``js_join`` (minify_js,
join_js). This module is their public face.
"""

from __future__ import annotations

from .errors import BundleError, BundleWarning
from .text.css_expand import ExpandedCss, expand_css
from .text.css_join import join_css, join_expanded_css
from .text.css_minify import minify_css
from .text.css_rebase import rebase_css_urls
from .text.joined import Chunk, Joined, Source
from .text.js_join import join_js, minify_js
from .text.js_lexer import js_literal_contents

__all__ = [
    "Source", "BundleWarning", "Chunk", "Joined", "BundleError", "ExpandedCss", "minify_css", "minify_js",
    "rebase_css_urls", "expand_css", "join_expanded_css", "join_css", "join_js", "js_literal_contents",
]  # fmt: skip
