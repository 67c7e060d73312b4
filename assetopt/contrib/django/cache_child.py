"""The child process of ``verify/cache_render.py``: facts about cache fragments from the project's settings.

Run as ``python -m assetopt.contrib.django.cache_child`` with a JSON request on stdin; answers JSON on
stdout (``{"error": message}`` and exit 1 for a problem the user can fix: a settings module that cannot
be imported, an unknown --user or --url). Two operations:

- ``"facts"``: which names the configured context processors provide and which custom tags take the
  context (``takes_context=True``, or a hand-written tag whose Node sees the whole context), for the
  static analysis (``templates.cache_reads.CacheFacts``). Needs no app but the ones the templates use
  (no auth, sessions or contenttypes). When Django cannot be set up with the settings (an app's
  ``ready()`` fails) or the facts cannot be read, the answer is ``{"unavailable": "Error: message"}``:
  the caller plans without them.
- ``"probe"``: render pages as each identity (anonymous, then each username, ``force_login``) with
  Django's ``{% cache %}`` node replaced by one that caches nothing and records, for every fragment
  rendered, its template, line, name, cache alias, the values of its key (``str()`` of each vary-on, as
  Django's ``make_template_fragment_key`` hashes them), the parts whose ``str()`` is not their content
  (``key_values``) and its output. Without URLs given, every URL
  pattern that takes no arguments is rendered (patterns that need arguments are listed). A page is
  rendered for the later identities only when the first ones showed a fragment on it. Settings
  without ``django.contrib.auth`` render as the anonymous request alone (no ``request.user``; a
  username is an error naming the settings); settings with which Django cannot be set up or the pages
  cannot be rendered at all are ``{"error": ...}``: one line naming the module and the error.

The project's settings live only in this process; the caller compares the records.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import os
import sys
import traceback
from collections.abc import Mapping
from typing import Any

import django

from .key_values import unstable_parts
from .render_child import PLAIN_STATIC_STORAGE, _ChildError, _resolve, answer_one_request

__all__ = ["main"]

_DJANGO_BACKEND = "django.template.backends.django.DjangoTemplates"


def _import_settings(request: Mapping[str, Any]) -> None:
    """Import the settings module (before Django does): failing that, the user must name another one."""
    for p in reversed(request["pythonpath"]):
        sys.path.insert(0, p)
    module = request["settings"]
    os.environ["DJANGO_SETTINGS_MODULE"] = module
    try:
        importlib.import_module(module)
    except Exception as exc:  # noqa: BLE001 - the user's settings: whatever stops them importing is theirs to fix
        raise _ChildError(
            f"--settings {module}: cannot import the settings module from {os.pathsep.join(request['pythonpath'])} ({_one_line(exc)}); "
            "pass a settings module importable from the project dir (--settings mysite.settings), or set pythonpath in [tool.assetopt]"
        ) from None


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _where(exc: BaseException) -> str:
    """`` at shop/apps.py:8``: where ``exc`` was raised (relative to the working dir when inside it)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    path = os.path.relpath(last.filename) if last.filename.startswith(os.getcwd() + os.sep) else last.filename
    return f" at {path}:{last.lineno}"


def _tag_kind(compile_func: Any) -> str:
    """ "args" for a simple_tag/inclusion_tag/simple_block_tag without takes_context, else "context"."""
    try:
        nonlocals = inspect.getclosurevars(compile_func).nonlocals
    except (TypeError, ValueError):
        return "context"
    if "takes_context" in nonlocals and "func" in nonlocals:
        return "context" if nonlocals["takes_context"] else "args"
    return "context"


def _facts() -> dict[str, Any]:
    from django.apps import apps
    from django.template import engines
    from django.test import RequestFactory

    processors: dict[str, str] = {}
    failed: list[str] = []
    tags: dict[str, str] = {}
    for backend in engines.all():
        if not hasattr(backend, "engine") or backend.__module__ + "." + type(backend).__name__ != _DJANGO_BACKEND:
            continue
        engine = backend.engine
        from django.utils.module_loading import import_string

        for dotted in engine.context_processors:
            processor = import_string(dotted)
            req = RequestFactory().get("/")
            if apps.is_installed("django.contrib.auth"):  # a project may do without it (its models need contenttypes)
                from django.contrib.auth.models import AnonymousUser

                req.user = AnonymousUser()
            req.session = {}  # type: ignore[assignment]
            try:
                names = processor(req)
            except Exception as exc:  # noqa: BLE001 - the project's code: report it, keep going
                failed.append(f"{dotted}: {type(exc).__name__}: {exc}")
                continue
            for name in names or {}:
                processors.setdefault(name, dotted)
        libraries = [*engine.template_builtins, *engine.template_libraries.values()]
        for lib in libraries:
            for name, func in lib.tags.items():
                kind = _tag_kind(func)
                tags[name] = "context" if tags.get(name) == "context" else kind
    return {"processors": processors, "tags": tags, "failed": failed}


def _discover() -> tuple[list[str], list[str]]:
    """(URL names that take no arguments, URL names that need some)."""
    from django.urls import URLResolver, get_resolver

    plain: list[str] = []
    needs: list[str] = []

    def walk(patterns: list[Any], ns: list[str]) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, ns + ([p.namespace] if p.namespace else []))
            elif getattr(p, "name", None):
                full = ":".join([*ns, p.name])
                (needs if p.pattern.regex.groups else plain).append(full)

    walk(get_resolver().url_patterns, [])
    return list(dict.fromkeys(plain)), list(dict.fromkeys(needs))


def _user(username: str, settings_module: str) -> Any:
    """The user ``username`` to sign in as; a project without ``django.contrib.auth`` has none (its
    pages render as an anonymous request: no ``request.user``)."""
    from django.apps import apps

    if not apps.is_installed("django.contrib.auth"):
        raise _ChildError(
            f"--user {username!r}: {settings_module} does not install django.contrib.auth, so there are no users to sign in as; "
            "drop --user (and users in [tool.assetopt] or ASSETOPT['USERS']): the pages are then rendered as an anonymous visitor"
        )
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    try:
        return user_model._default_manager.get(**{user_model.USERNAME_FIELD: username})
    except user_model.DoesNotExist:
        raise _ChildError(f"--user {username!r}: no such user in the database of {settings_module}") from None


def _probe(request: Mapping[str, Any]) -> dict[str, Any]:
    from django.conf import settings
    from django.templatetags import cache as cache_tags
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    captured: list[dict[str, Any]] = []

    def render(self: Any, context: Any) -> str:
        # Render uncached, and record the key Django would use: caching is off, so each render shows
        # what this request would put in (or get from) the cache.
        vary = [str(v.resolve(context)) for v in self.vary_on]
        unstable = unstable_parts(self.vary_on, context)
        alias = self.cache_name.resolve(context) if self.cache_name else "default"
        output = self.nodelist.render(context)
        origin = getattr(self, "origin", None)
        captured.append(
            {
                "template": getattr(origin, "template_name", None) or getattr(origin, "name", "?"),
                "line": getattr(getattr(self, "token", None), "lineno", 0),
                "name": self.fragment_name,
                "alias": str(alias),
                "key": vary,
                "unstable": unstable,
                "output": output,
            }
        )
        return output

    cache_tags.CacheNode.render = render  # type: ignore[method-assign]
    overrides: dict[str, Any] = {}
    storages = copy.deepcopy(getattr(settings, "STORAGES", {}) or {})
    storages["staticfiles"] = {"BACKEND": PLAIN_STATIC_STORAGE}
    overrides["STORAGES"] = storages
    if request.get("templates_dirs") is not None:
        engines = copy.deepcopy(settings.TEMPLATES)
        for engine in engines:
            if engine.get("BACKEND") == _DJANGO_BACKEND:
                engine["DIRS"] = list(request["templates_dirs"])
        overrides["TEMPLATES"] = engines
    setup_test_environment()
    needs: list[str] = []
    renders: list[dict[str, Any]] = []
    from .rolled_back import rolled_back

    with override_settings(**overrides), rolled_back():  # logins and views write nothing that stays
        specs = list(request.get("urls") or [])
        if not specs:
            specs, needs = _discover()
        identities: list[tuple[str, Any]] = [("anonymous", None)]
        for username in request.get("users") or []:
            identities.append((username, _user(username, request["settings"])))
        # Signed-in users first (most fragments sit behind a login, and a leak is best shown between
        # two users), the anonymous visitor last; after the first two, only pages that showed a fragment.
        order = identities[1:] + identities[:1]
        with_fragments: set[str] = set()
        urls: list[tuple[str, str]] = []
        for spec in specs:
            try:
                urls.append((spec, _resolve(spec)))
            except _ChildError:
                if request.get("urls"):
                    raise
        for n, (who, user) in enumerate(order):
            client = Client(raise_request_exception=False)  # a page that fails is reported, the rest checked
            if user is not None:
                client.force_login(user)
            for spec, url in urls:
                if n >= 2 and url not in with_fragments:
                    continue
                captured.clear()
                response = client.get(url)
                match = getattr(response, "resolver_match", None)
                if captured:
                    with_fragments.add(url)
                renders.append(
                    {
                        "who": who,
                        "url": url,
                        "spec": spec,
                        "status": response.status_code,
                        "view": getattr(match, "view_name", "") or "",
                        "args": [
                            *map(str, getattr(match, "args", ()) or ()),
                            *(f"{k}={v}" for k, v in sorted((getattr(match, "kwargs", {}) or {}).items())),
                        ],
                        "fragments": list(captured) if response.status_code == 200 else [],
                    }
                )
    from django.apps import apps

    return {"renders": renders, "needs_arguments": needs, "accounts": apps.is_installed("django.contrib.auth")}


def _answer(request: dict[str, Any]) -> Any:
    _import_settings(request)
    if request["op"] != "facts":
        try:
            django.setup()
            return _probe(request)
        except _ChildError:
            raise
        except Exception as exc:  # noqa: BLE001 - the project's code (an app's ready(), a URLconf): one line, not a traceback
            raise _ChildError(
                f"--settings {request['settings']}: the pages cannot be rendered for the cache check ({_one_line(exc)}{_where(exc)}); "
                "fix what Django names, or pass the settings the site runs with"
            ) from None
    try:
        django.setup()
        return _facts()
    except Exception as exc:  # noqa: BLE001 - the project's code (an app's ready(), a processor's import): the caller plans without the facts
        return {"unavailable": _one_line(exc)}


def main() -> None:
    answer_one_request("assetopt.contrib.django.cache_child", _answer)


if __name__ == "__main__":
    main()
