"""``pip install assetopt`` from a wheel built from this repository, in a fresh venv (issue 12).

The wheel must carry everything an installed assetopt needs: the command line (``assetopt``
console script), the Django app's template tags and management command (subpackages setuptools only
finds with their ``__init__.py``), and every module. The test builds the wheel from a copy of the
sources (so no ``build/`` or ``*.egg-info`` lands in the checkout), installs it with its
dependencies from the package index (pip's cache makes that quick) into a venv outside the
repository, and runs it from a folder where the checkout cannot be imported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

SNIPPET = """
import django, pathlib, sys
from django.conf import settings
import assetopt
assert "site-packages" in assetopt.__file__, assetopt.__file__
settings.configure(
    INSTALLED_APPS=["django.contrib.staticfiles", "assetopt.contrib.django"],
    STATIC_URL="/static/",
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
    ASSETOPT={"BUNDLES": False},
)
django.setup()
from django.core.management import get_commands
from django.template import engines
assert get_commands()["assetopt"] == "assetopt.contrib.django", get_commands().get("assetopt")
html = engines["django"].from_string(
    "{% load static assetopt %}{% bundle 'css' %}<link rel=stylesheet href=\\"{% static 'a.css' %}\\">{% endbundle %}"
).render({})
print(html.strip())
"""


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV")}
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.slow
def test_the_built_wheel_installs_and_runs_in_a_fresh_venv(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / "assetopt", src / "assetopt", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(src), "-w", str(tmp_path / "dist")], tmp_path)
    (wheel,) = (tmp_path / "dist").glob("assetopt-*.whl")

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    python, script = venv / "bin" / "python", venv / "bin" / "assetopt"
    _run([str(python), "-m", "pip", "install", "-q", str(wheel)], tmp_path)

    work = tmp_path / "elsewhere"  # not the checkout: `import assetopt` must find the installed one
    (work / "templates").mkdir(parents=True)
    (work / "static").mkdir()
    (work / "templates" / "p.html").write_text("{% load static %}<html><head><link rel='stylesheet' href=\"{% static 'a.css' %}\"></head></html>")
    (work / "static" / "a.css").write_text("body { color: red; }\n")
    assert "assetopt audit" in _run([str(script), "--help"], work).stdout
    _run([str(python), "-c", "import assetopt.contrib.django.templatetags.assetopt"], work)
    audited = _run([str(script), "audit", "--templates", "templates", "--static", "static", "-q", "--json", "a.json"], work)
    assert (work / "a.json").is_file(), audited.stdout
    rendered = _run([str(python), "-c", SNIPPET], work)
    assert rendered.stdout.strip() == '<link rel=stylesheet href="/static/a.css">'
