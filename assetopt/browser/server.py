"""A local static server on 127.0.0.1 for the browser checks: rendered HTML snapshots and static roots
under URL prefixes, so a page loads with its assets from one origin.

Serves like the deployment will: a file with a ``.br`` (or ``.gz``) sibling, as the build and
collectstatic write them, goes out as that sibling with ``Content-Encoding`` when the browser accepts
it (whitenoise's and nginx ``brotli_static``/``gzip_static``'s rule), so a Fast-3G "after" measures
the bytes production sends. Never serves anything outside its folders; never prints.
Split from ``browser.py`` (which re-exports ``serve``) because it needs no Playwright.
"""

from __future__ import annotations

import os
import posixpath
import threading
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ..errors import AssetoptError

__all__ = ["serve"]


class _Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real server; the browser's 6-per-host limit then applies
    routes: tuple[tuple[str, tuple[Path, ...]], ...] = ()

    def _route(self, path: str) -> str | None:
        path = urllib.parse.unquote(urllib.parse.urlsplit(path).path)
        for prefix, roots in self.routes:
            if path == prefix.rstrip("/") or path.startswith(prefix):
                rest = posixpath.normpath(path[len(prefix) :] or "/").lstrip("/")
                first = None
                for root in roots:  # in order, like STATICFILES_DIRS: the first that has it wins
                    target = (root / rest).resolve()
                    if target != root and root not in target.parents:
                        return None  # leaves its root (.., a symlink out): never served
                    if path.endswith("/") and target.is_dir():
                        return str(target) + os.sep
                    if target.exists():
                        return str(target)
                    first = first or str(target)
                return first  # missing everywhere: the base class answers 404
        return None

    def translate_path(self, path: str) -> str:
        return self._route(path) or ""

    def send_head(self) -> Any:
        target = self._route(self.path)
        if target is None:
            self.send_error(404, "not served")
            return None
        encoded = self._precompressed(target)
        if encoded is None:
            return super().send_head()
        sibling, encoding = encoded
        handle = open(sibling, "rb")  # noqa: SIM115 - the base class's copyfile reads and closes it
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(target))
        self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(os.fstat(handle.fileno()).st_size))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return handle

    def _precompressed(self, target: str) -> tuple[str, str] | None:
        """The ``.br``/``.gz`` sibling of ``target`` the browser accepts (brotli first), if one exists."""
        if target.endswith(os.sep) or not os.path.isfile(target):
            return None
        accepted = {part.split(";")[0].strip().lower() for part in self.headers.get("Accept-Encoding", "").split(",")}
        for suffix, encoding in ((".br", "br"), (".gz", "gzip")):
            if encoding in accepted and os.path.isfile(target + suffix):
                return target + suffix, encoding
        return None

    def end_headers(self) -> None:
        # As whitenoise serves an unversioned file (max-age=60): every measurement has a fresh browser
        # context, so nothing is reused between loads, and within one load the browser may share a
        # response as in production. With no-store, two @font-face rules naming the same file (the
        # inlined critical CSS and the bundle) made Chromium download it twice in 3 loads of 10.
        self.send_header("Cache-Control", "public, max-age=60")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # the core never prints


@contextmanager
def serve(directory_map: Mapping[str, Path | str | Sequence[Path | str]]) -> Iterator[str]:
    """Serve folders under URL prefixes on 127.0.0.1 (a free port); yields the base URL, no slash.

    ``{"/before/": snapshots_before, "/after/": snapshots_after, "/static/": static_root}``: the
    longest matching prefix wins; a folder URL serves its ``index.html``; anything else is a 404.
    A prefix may map to a list of folders (several static dirs): the first that has the file wins.
    """
    routes = []
    for prefix, folders in directory_map.items():
        roots = []
        for folder in [folders] if isinstance(folders, (str, Path)) else list(folders):
            root = Path(folder).resolve()
            if not root.is_dir():
                raise AssetoptError(f"cannot serve {prefix}: {folder} is not a directory", hint="render the pages or build the static files first")
            roots.append(root)
        norm = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
        routes.append((norm, tuple(roots)))
    routes.sort(key=lambda r: len(r[0]), reverse=True)
    handler = type("Handler", (_Handler,), {"routes": tuple(routes)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="assetopt-serve", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
