"""Recognise scripts that find their own files by their own URL: they break when bundled.

A rich-text editor computes its base URL from its own ``<script src>`` and loads its themes, icons
and plugins from there; a webpack build with automatic ``publicPath`` loads its lazy chunks from the
folder of the script that holds its runtime. Joined into ``/static/assetopt/<bundle>.js`` they look
for those files next to the bundle, and 404. Signs read from the source: ``document.currentScript``,
scanning the page's ``<script>`` tags for their own name, webpack's automatic ``publicPath``; and the
loaders known to do it, by file name (TinyMCE, CKEditor, ACE, MathJax, pdf.js).

Pure: a logical path and the file's text in, a reason (or None) out.
"""

from __future__ import annotations

import posixpath
import re

__all__ = ["self_locating_reason"]

_WEBPACK_PUBLIC_PATH = re.compile(r"__webpack_require__\.p\s*=|Automatic publicPath is not supported")
_CURRENT_SCRIPT = re.compile(r"document\s*\.\s*currentScript\b")
_SCANS_SCRIPTS = re.compile(
    r"""getElementsByTagName\s*\(\s*["']script["']\s*\)|querySelectorAll?\s*\(\s*["'][^"']*script\s*\[\s*src|document\s*\.\s*scripts\b""",
    re.IGNORECASE,
)
# file-name stem (lower-case, before the first ".") -> what the loader fetches from its own folder
_LOADERS = {
    "tiny_mce": "TinyMCE loads its themes, skins, icons and plugins from its own folder",
    "tinymce": "TinyMCE loads its themes, skins, icons and plugins from its own folder",
    "ckeditor": "CKEditor loads its skins, languages and plugins from its own folder",
    "ace": "ACE loads its modes, themes and workers from its own folder",
    "mathjax": "MathJax loads its components and fonts from its own folder",
    "tex-mml-chtml": "MathJax loads its components and fonts from its own folder",
    "tex-chtml": "MathJax loads its components and fonts from its own folder",
    "tex-svg": "MathJax loads its components and fonts from its own folder",
    "pdf": "pdf.js loads pdf.worker.js from its own folder unless workerSrc is set",
}


def self_locating_reason(path: str, text: str) -> str | None:
    """Why the script at logical ``path`` finds files by its own URL, or None when nothing says so."""
    stem = posixpath.basename(path).lower().split(".", 1)[0]
    if stem in _LOADERS:
        return _LOADERS[stem]
    current = _CURRENT_SCRIPT.search(text) is not None
    scans = _SCANS_SCRIPTS.search(text) is not None
    if _WEBPACK_PUBLIC_PATH.search(text) and (current or scans):
        return "a webpack build with automatic publicPath loads its lazy chunks from its own folder"
    if current:
        return "it reads document.currentScript (its own <script src>) to find the files next to it"
    if scans:
        return "it scans the page's <script> tags for its own src to find the files next to it"
    return None
