"""The seven corpora of real third-party templates (../shared/corpora): fetched once into a cache dir,
their template/static dirs, and a Django compiler that stubs the tag libraries we do not have.

``ASSETOPT_CORPORA`` names the cache dir (default ``~/.cache/assetopt-corpora``), ``ASSETOPT_CORPORA_FETCH``
the fetch script (default ``../shared/corpora/fetch.sh`` next to the repository). Used by
tests/test_corpora.py and bench/corpora.py.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import django

from assetopt.config import load_config
from assetopt.io.project import Project

REPO = Path(__file__).resolve().parent.parent
DJANGO_ADMIN = Path(django.__file__).resolve().parent / "contrib" / "admin"
CORPORA = ("django-helpdesk", "wiki", "django-machina", "django-allauth", "django-jazzmin", "django-grappelli", "django-unfold")


def corpora_root() -> tuple[Path | None, str]:
    """(the cache dir with every corpus unpacked, "") or (None, why not)."""
    root = Path(os.environ.get("ASSETOPT_CORPORA", Path.home() / ".cache" / "assetopt-corpora"))
    script = Path(os.environ.get("ASSETOPT_CORPORA_FETCH", REPO.parent / "shared" / "corpora" / "fetch.sh"))
    if all((root / name / ".fetched").is_file() for name in CORPORA):
        return root, ""
    if not script.is_file():
        return None, f"corpora not in {root} and no fetch script at {script} (set ASSETOPT_CORPORA_FETCH)"
    proc = subprocess.run(["bash", str(script), str(root)], capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0:
        return None, f"could not fetch the corpora into {root} (offline?): {proc.stderr.strip()[-300:]}"
    return root, ""


def corpus_dirs(root: Path) -> tuple[list[Path], list[Path]]:
    """Template dirs (folders named templates, not under static/ or tests/) and static dirs, as dirs.py finds them."""
    templates: list[Path] = []
    static: list[Path] = []
    for d, subdirs, _ in os.walk(root):
        subdirs.sort()
        parts = os.path.relpath(d, root).split(os.sep)
        if any(p in ("static", "node_modules") for p in parts[:-1]):
            continue
        if parts[-1] == "templates" and "tests" not in parts:
            templates.append(Path(d))
            subdirs[:] = []
        elif parts[-1] == "static":
            static.append(Path(d))
            subdirs[:] = []
    return templates, static


def corpus_project(root: Path, name: str, cwd: Path, **config: object) -> Project:
    """The corpus as a project: its dirs first, then Django's admin templates and static files, which a
    real project has too (admin skins override some admin templates and fall back to the rest)."""
    templates, static = corpus_dirs(root / name)
    templates.append(DJANGO_ADMIN / "templates")
    static.append(DJANGO_ADMIN / "static")
    values = {"templates": tuple(map(str, templates)), "static": tuple(map(str, static)), "cache_dir": str(cwd / ".assetopt-cache"), **config}
    return Project(load_config(cwd, values, cwd=cwd))


class StubCompiler:
    """Compile template sources with Django, every tag library we do not have replaced by stand-ins
    (``assetopt.contrib.django.compile_child.stub_library``, as the rewrite's compile gate does).

    Third-party tags (``{% addtoblock %}``, ``{% crispy %}``, ``{% unfold_... %}``) compile as no-op
    tags (or blocks that must be closed, when the source has their end tag) and their filters as no-op
    filters, so the structure Django checks (blocks, ifs, fors, our ``{% bundle %}``) is judged for every
    template, not only those whose libraries are installed. Unlike the gate, the stand-ins are also
    builtins here: a corpus may rely on its project's builtins, which no ``{% load %}`` names.
    With ``dirs`` the engine also finds templates there, so a page can be rendered."""

    def __init__(self, sources: list[str], dirs: list[Path] | None = None) -> None:
        import django_settings
        from django.template import Engine
        from django.template.backends.django import get_installed_libraries

        from assetopt.contrib.django.compile_child import stub_library

        django_settings.configure()
        self.engine = Engine(dirs=[str(d) for d in dirs or []], libraries=get_installed_libraries())
        stub, missing = stub_library(sources, self.engine)
        for name in missing:
            self.engine.template_libraries[name] = stub
        self.engine.template_builtins.append(stub)

    def error(self, source: str) -> str | None:
        from django.template import Template, TemplateSyntaxError

        try:
            Template(source, engine=self.engine)
        except TemplateSyntaxError as exc:
            return str(exc)
        return None
