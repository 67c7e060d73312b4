"""Render a Django project's pages to HTML snapshots, in a child process (the browser half of optimize).

``render_django_pages`` runs ``python -m assetopt.snapshots`` with a JSON request on stdin and reads
a JSON answer from stdout, so the project's settings never mix with the caller's (the CLI may render
"before" and "after" of the same project with different settings). The child applies the request's
overrides with ``override_settings``:

- ``templates_dirs``: replaces ``DIRS`` of every ``DjangoTemplates`` engine (the rewritten copy);
- ``assetopt``: merged into ``settings.ASSETOPT`` (``BUNDLES``, ``MANIFEST``; other keys kept);
- ``settings``: any other setting, set as given.

``STORAGES["staticfiles"]`` is the plain ``StaticFilesStorage``: snapshots are served from a static
*folder* (the sources, or ``assetopt build``'s output), never from a collectstatic manifest, so
``{% static %}`` must render unhashed ``STATIC_URL`` paths. ``keep_storages=True`` keeps the
project's own (a deployed STATIC_ROOT, rendered with the hashed names collectstatic wrote).

A page is a URL path (``/en/``) or a URL name (``core:dashboard``, or ``sales:order_detail:42`` /
``name:arg1,arg2`` for positional arguments) that the child reverses with ``django.urls.reverse``
under ``translation.override(settings.LANGUAGE_CODE)`` (so ``i18n_patterns`` get their prefix). The
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
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import AssetoptError
from .fsutil import write_if_changed

__all__ = ["render_django_pages", "snapshot_relpath", "served_path", "shot_stem", "write_snapshots", "PLAIN_STATIC_STORAGE"]

PLAIN_STATIC_STORAGE = "django.contrib.staticfiles.storage.StaticFilesStorage"
_TIMEOUT_S = 300


def snapshot_relpath(url: str) -> str:
    """Where the snapshot of ``url`` (a path like ``/en/``) lives under a snapshot dir, and what the
    server serves at that path: ``en/index.html`` (a folder URL) or ``en/about.html``."""
    if not url.startswith("/") or "?" in url or "#" in url or "\\" in url:
        raise AssetoptError(f"--url {url!r}: a path starting with / and without a query is expected", hint="e.g. --url /en/")
    parts = [p for p in url.split("/") if p]
    if any(p in (".", "..") for p in parts):
        raise AssetoptError(f"--url {url!r}: . and .. are not allowed")
    if url.endswith("/"):
        return str(PurePosixPath(*parts, "index.html"))
    return str(PurePosixPath(*parts[:-1], parts[-1] + ".html"))


def served_path(url: str) -> str:
    """The URL path the server answers for the snapshot of ``url``."""
    rel = snapshot_relpath(url)
    return "/" + (rel[: -len("index.html")] if rel.endswith("index.html") and url.endswith("/") else rel)


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
) -> dict[str, dict[str, Any]]:
    """Render ``urls`` (paths or URL names) with Django's test client in a child process, logged in
    as ``user`` if given: ``{path: {"status", "html", "template", "spec"}}``, in ``urls``' order,
    keyed by the resolved path (``spec`` is the page as given).

    ``pythonpath`` goes first on the child's ``sys.path`` (where ``settings_module`` is importable);
    ``env`` is added to the child's environment. A page that does not answer 200 is an error naming
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
    }
    child_env = {**os.environ, **(env or {}), "DJANGO_SETTINGS_MODULE": settings_module}
    # The child must import this assetopt (and the project), whatever the current directory.
    here = str(Path(__file__).resolve().parent.parent)
    child_env["PYTHONPATH"] = os.pathsep.join([here, *request["pythonpath"], *filter(None, [os.environ.get("PYTHONPATH")])])
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "assetopt.snapshots"],
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
        raise AssetoptError(f"rendering with {settings_module}: {', '.join(bad)}", hint="pass --url pages that render (200); pages behind a login need --user USERNAME")
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


# --- the child -------------------------------------------------------------------------------------


class _ChildError(Exception):
    """A problem the child reports as ``{"error": message}`` (exit 1), not as a traceback."""


def _resolve(spec: str) -> str:
    """A page spec -> its URL path: a path as given, else a URL name reversed in the default language.
    ``core:dashboard`` is tried as a name first; failing that, ``name:arg1,arg2`` splits at the last
    ``:`` into a name and positional arguments (namespaces use ``:`` too)."""
    if spec.startswith("/"):
        return spec
    from django.conf import settings
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        try:
            return reverse(spec)
        except NoReverseMatch as exc:
            problem = f"cannot reverse the URL name {spec!r}: {exc}"
        if ":" in spec:
            name, _, rest = spec.rpartition(":")
            args = [a for a in rest.split(",")] if rest else []
            try:
                return reverse(name, args=args)
            except NoReverseMatch as exc:
                problem += f"; nor as {name!r} with arguments {args}: {exc}"
    raise _ChildError(f"--url {spec!r}: {problem}")



def _child(request: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    for p in reversed(request["pythonpath"]):
        sys.path.insert(0, p)
    os.environ["DJANGO_SETTINGS_MODULE"] = request["settings"]
    import copy

    import django
    from django.conf import settings

    django.setup()
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    overrides: dict[str, Any] = dict(request["overrides"])
    if not request.get("keep_storages"):
        storages = copy.deepcopy(getattr(settings, "STORAGES", {}) or {})
        storages["staticfiles"] = {"BACKEND": PLAIN_STATIC_STORAGE}
        overrides.setdefault("STORAGES", storages)
    if request["templates_dirs"] is not None:
        engines = copy.deepcopy(settings.TEMPLATES)
        for engine in engines:
            if engine.get("BACKEND") == "django.template.backends.django.DjangoTemplates":
                engine["DIRS"] = list(request["templates_dirs"])
        overrides["TEMPLATES"] = engines
    if request["assetopt"]:
        overrides["ASSETOPT"] = {**(getattr(settings, "ASSETOPT", {}) or {}), **request["assetopt"]}
    setup_test_environment()  # response.templates, and ALLOWED_HOSTS gets "testserver"
    out: dict[str, dict[str, Any]] = {}
    with override_settings(**overrides):
        client = Client()
        username = request.get("user")
        if username:
            from django.contrib.auth import get_user_model

            user_model = get_user_model()
            try:
                user = user_model._default_manager.get(**{user_model.USERNAME_FIELD: username})
            except user_model.DoesNotExist:
                raise _ChildError(
                    f"--user {username!r}: no such user in the database of {request['settings']} ({settings.DATABASES['default'].get('NAME')})"
                ) from None
            client.force_login(user)
        for spec in request["urls"]:
            url = _resolve(spec)
            response = client.get(url)
            names = [t.name for t in getattr(response, "templates", []) or [] if getattr(t, "name", None)]
            out[url] = {
                "status": response.status_code,
                "html": response.content.decode(response.charset or "utf-8"),
                "template": names[0] if names else None,
                "spec": spec,
            }
    return out


def main() -> None:
    request = json.load(sys.stdin)
    # stdout carries the answer: whatever the project prints (a settings module, a view) goes to stderr.
    answer_to, sys.stdout = sys.stdout, sys.stderr
    try:
        answer = _child(request)
    except _ChildError as exc:
        json.dump({"error": str(exc)}, answer_to)
        print(f"assetopt.snapshots: {exc}", file=sys.stderr)
        sys.exit(1)
    json.dump(answer, answer_to)


if __name__ == "__main__":
    main()
