"""Django's "The file 'x' could not be found" as an error naming the CSS file, the line and the reference.

``ManifestStaticFilesStorage`` cannot hash a ``url()`` or ``@import`` that points to a file no static
dir has, and its message names only the missing file. This module finds the reference the way Django's
url converter resolves it, in the file as authored (for a bundle: in the source the reference came
from), and says where it stands. It reads the sources; it never writes.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urldefrag

from django.conf import settings

from ...build.manifest import Manifest
from ...errors import StaticReferenceError
from ...text.css import in_spans, inert_spans

__all__ = ["explain_missing", "references_to"]

_NOT_FOUND_RE = re.compile(r"The file '([^']+)' could not be found")


def explain_missing(name: str, exc: Exception, paths: dict[str, tuple[Any, str]], manifest: Manifest, patterns: dict[str, Any]) -> Exception:
    """Django's "The file 'x' could not be found with <storage>" as a message naming the CSS
    file, the line and the reference (for a bundle: the source file the reference came from).
    ``patterns`` are the storage's ``_patterns``: the url()/@import patterns Django hashes with."""
    found = _NOT_FOUND_RE.search(str(exc))
    if found is None:
        return StaticReferenceError(f"{exc}", path=name, hint="collectstatic could not post-process this file")
    target = posixpath.normpath(found.group(1))
    sources = [name]
    bundle_of = {f.name: f for b in manifest.bundles.values() for f in b.files}
    if name in bundle_of:
        sources = list(bundle_of[name].sources)
    for source in sources:
        if source not in paths:
            continue
        storage, path = paths[source]
        with storage.open(path) as fh:
            text = fh.read().decode("utf-8", "replace")
        for lineno, ref in references_to(source, text, target, patterns):
            via = f" (bundled into {name})" if source != name else ""
            return StaticReferenceError(
                f"{ref} points to {target}, which no static dir has{via}",
                path=source,
                lineno=lineno,
                hint="fix the reference or add the file: collectstatic cannot hash a reference to a missing file",
            )
    return StaticReferenceError(f"{exc}", path=name, hint=f"a reference in {name} points to {target}, which no static dir has")


def references_to(source: str, text: str, target: str, patterns: dict[str, Any]) -> Iterator[tuple[int, str]]:
    """(line, reference) of each url()/@import in ``text`` that resolves to ``target``, the way
    Django's url converter resolves it."""
    for extension, ext_patterns in patterns.items():
        if not posixpath.basename(source).endswith(extension.lstrip("*")):
            continue
        inert = inert_spans(text)
        for pattern, _ in ext_patterns:
            for m in pattern.finditer(text):
                if in_spans(inert, m.start()) and not m.group("matched").startswith("/*"):
                    continue
                url_path = urldefrag(m.group("url"))[0].split("?")[0]
                if not url_path or re.match(r"^[a-z]+:", url_path) or url_path.startswith("//"):
                    continue
                if url_path.startswith(settings.STATIC_URL):
                    resolved = url_path.removeprefix(settings.STATIC_URL)
                elif url_path.startswith("/"):
                    continue
                else:
                    resolved = posixpath.join(posixpath.dirname(source), url_path)
                if posixpath.normpath(unquote(resolved)) == target:
                    yield text.count("\n", 0, m.start()) + 1, m.group("matched")
