"""The child process of ``rewrite.compile_check.compile_errors``: compile template sources with Django.

Run as ``python -m assetopt.contrib.django.compile_child [SETTINGS_MODULE]`` with a JSON list of sources
on stdin (or ``{"sources": [...], "stub_from": [...]}``); answers a JSON list (None, or Django's
message, per source). With a settings module the project is set up and its own template engine
compiles (its libraries and builtins); without one, minimal settings of its own, so the caller's
Django configuration (or lack of one) never matters, and a ``{% load %}`` of a library that is not
installed (a third-party app's) gets stand-ins (``stub_library``) for the tags and filters the
template uses from it, so the rest of the template is still compiled and judged.
A failure caused by two loaded libraries defining one of assetopt's tags names both libraries.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from collections.abc import Iterable
from typing import Any

from django.template import Library, Node

__all__ = ["main", "stub_library"]

_LOAD = re.compile(r"{%-?\s*load\s+(.*?)\s*-?%}", re.S)
_TAG = re.compile(r"{%-?\s*(\w+)")
_FILTER = re.compile(r"\|\s*(\w+)")
_BRANCHES = ("else", "elif", "empty", "plural")  # the middle tags of Django's block tags: never stand-ins


def stub_library(sources: Iterable[str], engine: Any) -> tuple[Any, set[str]]:
    """``(library, names)``: stand-ins for the tags and filters ``sources`` use that no library of
    ``engine`` defines, and the names of the libraries they ``{% load %}`` that ``engine`` lacks.

    A tag ``x`` with an ``{% endx %}`` in the source stands in as a block tag that must be closed
    (``else``/``elif``/``empty``/``plural`` allowed inside); any other as a tag that renders nothing;
    a filter as one that returns its value. A closer or middle tag is never a stand-in of its own:
    ``{% endif %}`` or ``{% endbundle %}`` out of place still fails, so a stand-in hides no broken
    structure, only the arguments of a tag nobody here can read.
    """
    libraries = [*engine.template_builtins, *engine.template_libraries.values()]
    known_tags = {t for lib in libraries for t in lib.tags}
    known_filters = {f for lib in libraries for f in lib.filters}
    stub = Library()
    missing: set[str] = set()
    for source in sources:
        used = set(_TAG.findall(source))
        for match in _LOAD.finditer(source):
            bits = match.group(1).split()
            names, libs = (bits[:-2], bits[-1:]) if len(bits) >= 3 and bits[-2] == "from" else ([], bits)
            if any(lib not in engine.template_libraries for lib in libs):
                missing.update(lib for lib in libs if lib not in engine.template_libraries)
                used.update(names)  # {% load x from lib %}: x may be a tag or a filter
                for name in set(names) - known_filters:
                    stub.filter(name, _noop_filter)
        closers = {f"end{t}" for t in used | known_tags}
        for tag in used - known_tags - closers - set(_BRANCHES):
            stub.tag(tag, _block_stub(f"end{tag}") if f"end{tag}" in used else _noop_tag)
        for name in set(_FILTER.findall(source)) - known_filters:
            stub.filter(name, _noop_filter)
    return stub, missing


class _StubNode(Node):
    """What a stand-in tag renders: its content (each branch), or nothing."""

    def __init__(self, nodelists: list[Any]) -> None:
        self.nodelists = nodelists

    def render(self, context: Any) -> str:
        return "".join(nodes.render(context) for nodes in self.nodelists)


def _noop_tag(parser: Any, token: Any) -> Any:
    return _StubNode([])


def _block_stub(end: str) -> Any:
    def compile_block(parser: Any, token: Any) -> Any:
        nodelists = []
        while True:
            nodelists.append(parser.parse((end, *_BRANCHES)))  # raises "Unclosed tag" without its end
            if parser.next_token().contents.split()[0] == end:
                return _StubNode(nodelists)

    return compile_block


def _noop_filter(value: Any, arg: Any = None) -> Any:
    return value


def _minimal_settings() -> None:
    from django.conf import settings

    apps = ["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.messages", "django.contrib.admin",
            "django.contrib.humanize", "django.contrib.staticfiles", "assetopt.contrib.django"]  # fmt: skip
    if importlib.util.find_spec("compressor") is not None:
        apps.append("compressor")
    settings.configure(
        DEBUG=False,
        INSTALLED_APPS=apps,
        STATIC_URL="/static/",
        USE_I18N=True,
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": False}],
        COMPRESS_ENABLED=True,
        STATIC_ROOT="/nonexistent-assetopt-compile-check",  # compressor insists; nothing is written
    )


def _engine() -> Any:
    from django.template import engines
    from django.template.backends.django import DjangoTemplates

    for backend in engines.all():
        if isinstance(backend, DjangoTemplates):
            return backend.engine
    raise SystemExit("the settings configure no DjangoTemplates engine in TEMPLATES")


def clash(source: str, engine: Any) -> str:
    """Which of assetopt's tags this template gets from two libraries ('' when none): Django keeps
    the one loaded last, so the other's uses stop compiling."""
    ours = engine.template_libraries.get("assetopt")
    if ours is None:
        return ""
    owners: dict[str, list[str]] = {}
    for module, builtin in zip(engine.builtins, engine.template_builtins):
        for tag in set(builtin.tags) & set(ours.tags):
            owners.setdefault(tag, []).append(f"{module} (a builtin)")
    for match in _LOAD.finditer(source):
        bits = match.group(1).split()
        if "from" in bits and len(bits) >= 3 and bits[-2] == "from":
            names, libs = bits[:-2], [bits[-1]]
        else:
            names, libs = [], bits
        for lib in libs:
            library = engine.template_libraries.get(lib)
            if library is None:
                continue
            for tag in set(library.tags) & set(ours.tags):
                if (not names or tag in names) and lib not in owners.get(tag, []):
                    owners.setdefault(tag, []).append(lib)
    clashes = [
        f"{{% {tag} %}} is defined by the libraries {' and '.join(repr(o) for o in libs)}" for tag, libs in sorted(owners.items()) if len(libs) > 1
    ]
    if not clashes:
        return ""
    return (
        "; ".join(clashes)
        + ", both loaded here (Django uses the one loaded last, so the other's tags stop compiling): rename your tag, or leave this template out of the rewrite (exclude)"
    )


def main() -> None:
    import django

    if len(sys.argv) > 1:
        os.environ["DJANGO_SETTINGS_MODULE"] = sys.argv[1]
    else:
        _minimal_settings()
    django.setup()
    from django.template import TemplateSyntaxError

    engine = _engine()
    given = json.loads(sys.stdin.read())
    sources = given["sources"] if isinstance(given, dict) else given
    stub_from = (given.get("stub_from") or sources) if isinstance(given, dict) else sources
    out: list[str | None] = []
    for source, basis in zip(sources, stub_from, strict=True):
        if len(sys.argv) > 1:  # the project's own engine knows its libraries: a missing one is its error
            out.append(_compile(source, engine, TemplateSyntaxError))
            continue
        stub, missing = stub_library([basis], engine)
        # reachable where the template loads a library we lack (Django's loads are positional); with no
        # such load, a tag nobody defines can only be a builtin of the project's settings, unseen here
        engine.template_libraries.update(dict.fromkeys(missing, stub))
        builtins = engine.template_builtins
        engine.template_builtins = builtins if missing else [*builtins, stub]
        out.append(_compile(source, engine, TemplateSyntaxError))
        engine.template_builtins = builtins
        for name in missing:
            del engine.template_libraries[name]
    sys.stdout.write(json.dumps(out))


def _compile(source: str, engine: Any, syntax_error: type[Exception]) -> str | None:
    try:
        engine.from_string(source)
        return None
    except syntax_error as exc:
        message = str(exc)
    except Exception as exc:  # noqa: BLE001 - a broken tag library is a compile failure too
        message = f"{type(exc).__name__}: {exc}"
    why = clash(source, engine)
    return f"{message} ({why})" if why else message


if __name__ == "__main__":
    main()
