"""Render a Django project's pages to HTML snapshots, in a child process (the browser half of optimize).

``render_django_pages`` runs ``python -m assetopt.contrib.django.render_child`` with a JSON request on stdin and reads
a JSON answer from stdout, so the project's settings never mix with the caller's (the CLI may render
"before" and "after" of the same project with different settings). The child applies the request's
overrides with ``override_settings``:

- ``templates_dirs``: replaces ``DIRS`` of every ``DjangoTemplates`` engine (the rewritten copy);
- ``assetopt``: merged into ``settings.ASSETOPT`` (``BUNDLES``, ``MANIFEST``; other keys kept);
- ``settings``: any other setting, set as given.

``STORAGES["staticfiles"]`` names files as the folders the snapshots are served from (``served``)
hold them: snapshots are served from a static *folder* (the sources, ``assetopt build``'s output, or
a collectstatic'd STATIC_ROOT), so ``{% static %}`` renders ``STATIC_URL`` paths of that folder,
through its ``staticfiles.json`` when it has one (``contrib/django/snapshot_storage.py``): a bundle's
URL then names the hashed copy whose bytes its SRI ``integrity`` was computed from, as in
production. ``keep_storages=True`` keeps the project's own storage.

A page is a URL path (``/en/``) or a URL name (``core:dashboard``, or ``sales:order_detail:42`` /
``name:arg1,arg2`` for positional arguments) that the child reverses with ``django.urls.reverse``
under ``translation.override(settings.LANGUAGE_CODE)`` (so ``i18n_patterns`` get their prefix), or of
the language after ``@`` (``core:dashboard@ar``, one of ``LANGUAGES``). The
answer is keyed by the resolved path. With ``user`` (a username of the project's database) the test
client is logged in with ``force_login`` first. An unknown name or user is an ``AssetoptError``
naming it (the child answers ``{"error": ...}`` and exits 1).

``write_snapshots`` stores the pages where the local server serves them at their own URL path:
``/en/`` -> ``<dir>/en/index.html``, ``/en/about`` -> ``<dir>/en/about.html``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import AssetoptError
from ..io.fs import write_if_changed

__all__ = ["render_django_pages", "snapshot_relpath", "served_path", "shot_stem", "write_snapshots"]

_TIMEOUT_S = 300


def snapshot_relpath(url: str) -> str:
    """Where the snapshot of ``url`` (a path like ``/en/``) lives under a snapshot dir, and what the
    server serves at that path: ``en/index.html`` (a folder URL) or ``en/about.html``.

    Percent-escapes are decoded, as the server decodes the request path: Django's ``reverse`` gives
    ``/ar/%D9%85%D9%86%D8%AA%D8%AC%D8%A7%D8%AA/`` for a path of Arabic letters, and a snapshot
    stored under the escaped name was never found (the page measured was a 404)."""
    decoded = urllib.parse.unquote(url)
    if not url.startswith("/") or "?" in url or "#" in url or "\\" in decoded:
        raise AssetoptError(f"--url {url!r}: a path starting with / and without a query is expected", hint="e.g. --url /en/")
    parts = [p for p in decoded.split("/") if p]
    if any(p in (".", "..") for p in parts):
        raise AssetoptError(f"--url {url!r}: . and .. are not allowed")
    if decoded.endswith("/"):
        return str(PurePosixPath(*parts, "index.html"))
    return str(PurePosixPath(*parts[:-1], parts[-1] + ".html"))


def served_path(url: str) -> str:
    """The URL path the server answers for the snapshot of ``url``, percent-escaped (ASCII, as a browser sends it)."""
    rel = snapshot_relpath(url)
    return "/" + urllib.parse.quote(rel[: -len("index.html")] if rel.endswith("index.html") and urllib.parse.unquote(url).endswith("/") else rel)


def shot_stem(url: str) -> str:
    """A file stem for ``url``'s screenshots: ``/en/`` -> ``en``, ``/en/sales/orders/new/`` ->
    ``en-sales-orders-new``, ``/`` -> ``index``."""
    return snapshot_relpath(url).removesuffix(".html").removesuffix("/index").removesuffix("index").replace("/", "-") or "index"


def render_django_pages(
    settings_module: str,
    pythonpath: Path | Sequence[Path],
    urls: list[str],
    env: Mapping[str, str] | None = None,
    *,
    templates_dirs: Sequence[Path] | None = None,
    assetopt: Mapping[str, Any] | None = None,
    settings: Mapping[str, Any] | None = None,
    user: str | None = None,
    keep_storages: bool = False,
    served: Sequence[Path] = (),
) -> dict[str, dict[str, Any]]:
    """Render ``urls`` (paths or URL names) with Django's test client in a child process, logged in
    as ``user`` if given: ``{path: {"status", "html", "template", "spec"}}``, in ``urls``' order,
    keyed by the resolved path (``spec`` is the page as given).

    ``pythonpath`` goes first on the child's ``sys.path`` (where ``settings_module`` is importable);
    ``env`` is added to the child's environment. ``served``: the folders ``STATIC_URL`` is served
    from (the first with a ``staticfiles.json`` decides the names). A page that does not answer 200 is an error naming
    it (a snapshot of an error page proves nothing).
    """
    paths = [pythonpath] if isinstance(pythonpath, Path) else list(pythonpath)
    request = {
        "settings": settings_module,
        "pythonpath": [str(p) for p in paths],
        "urls": list(urls),
        "templates_dirs": None if templates_dirs is None else [str(p) for p in templates_dirs],
        "assetopt": dict(assetopt or {}),
        "overrides": dict(settings or {}),
        "user": user,
        "keep_storages": keep_storages,
        "served": [str(p) for p in served],
    }
    child_env = {**os.environ, **(env or {}), "DJANGO_SETTINGS_MODULE": settings_module}
    # The child must import this assetopt (and the project), whatever the current directory.
    here = str(Path(__file__).resolve().parents[2])
    child_env["PYTHONPATH"] = os.pathsep.join([here, *(str(p) for p in paths), *filter(None, [os.environ.get("PYTHONPATH")])])
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "assetopt.contrib.django.render_child"],
            input=json.dumps(request, default=str),
            capture_output=True,
            text=True,
            env=child_env,
            timeout=_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        raise AssetoptError(f"rendering the pages with {settings_module} took more than {_TIMEOUT_S} s") from None
    if proc.returncode != 0:
        error = _child_error(proc.stdout)
        if error is not None:
            raise AssetoptError(f"rendering the pages with Django ({settings_module}): {error}")
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise AssetoptError(
            f"rendering the pages with Django ({settings_module}) failed:\n{tail}",
            hint="check --settings MODULE (importable from the project dir) and --url PATH",
        )
    pages: dict[str, dict[str, Any]] = json.loads(proc.stdout)
    bad = [f"{u} answered {p['status']}" for u, p in pages.items() if p["status"] != 200]
    if bad:
        raise AssetoptError(
            f"rendering with {settings_module}: {', '.join(bad)}",
            hint="pass --url pages that render (200); pages behind a login need --user USERNAME",
        )
    return pages


def _child_error(stdout: str) -> str | None:
    try:
        answer = json.loads(stdout)
    except ValueError:
        return None
    return answer.get("error") if isinstance(answer, dict) and isinstance(answer.get("error"), str) else None


def write_snapshots(pages: Mapping[str, Mapping[str, Any]], directory: Path) -> dict[str, Path]:
    """Write each page's HTML under ``directory`` (see ``snapshot_relpath``); returns url -> file."""
    out = {}
    for url, page in pages.items():
        path = directory / snapshot_relpath(url)
        write_if_changed(path, page["html"].encode("utf-8"))
        out[url] = path
    return out
