"""A project tag library that defines a tag of assetopt's name (django-pictures has a ``picture``):
``manage.py assetopt rewrite --write`` compiles with the project's real template engine, so it never
writes a template that raises ``TemplateSyntaxError`` at render time, in either load order.

A real Django project in a temp dir (settings, an app with the clashing library, templates, a PNG),
the real management command in a subprocess, and Django's own engine rendering what it wrote.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

SETTINGS = """
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "x"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["django.contrib.staticfiles", "assetopt.contrib.django", "clashapp"]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [BASE_DIR / "templates"], "APP_DIRS": True}]
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "out"
STATICFILES_DIRS = [BASE_DIR / "static"]
ASSETOPT = {"BUNDLES": True, "REWRITE": ["images"]}
"""
LIBRARY = """
from django import template
register = template.Library()

@register.simple_tag
def picture(name, size="s"):
    return f"<img src='/media/{name}-{size}.jpg'>"

@register.simple_tag
def thumbnail(name):
    return name
"""
RENDER = """
import sys, django
django.setup()
from django.template.loader import get_template
get_template(sys.argv[1]).render({})
print("rendered")
"""
IMG = '<img src="{% static \'img/photo.png\' %}" alt="photo">'


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    files: dict[str, str | bytes] = {
        "mysite/__init__.py": "",
        "mysite/settings.py": SETTINGS,
        "clashapp/__init__.py": "",
        "clashapp/templatetags/__init__.py": "",
        "clashapp/templatetags/pictures.py": LIBRARY,
        "static/img/photo.png": png(),
        "render.py": RENDER,
        "manage.py": "import sys\nfrom django.core.management import execute_from_command_line\nexecute_from_command_line(sys.argv)\n",
    }
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return tmp_path


def run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mysite.settings"}
    return subprocess.run([sys.executable, *args], cwd=project, env=env, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    "template",
    [
        # the rewrite merges assetopt into the first load: assetopt's {% picture %} then hides the project's
        pytest.param("{% load static pictures %}<p>{% picture 'cat' 'l' %}</p>" + IMG, id="project_tag_used_after_merged_load"),
        # assetopt loaded first, the project's library later: the inserted {% picture %} becomes the project's
        pytest.param("{% load static assetopt %}{% load pictures %}<p>{% picture 'cat' %}</p>" + IMG, id="project_library_loaded_after_assetopt"),
    ],
)
def test_a_clashing_picture_tag_is_refused_with_the_reason_and_nothing_written(project: Path, template: str):
    page = project / "templates" / "page.html"
    page.parent.mkdir()
    page.write_text(template)
    assert run(project, "render.py", "page.html").returncode == 0  # it renders today
    result = run(project, "manage.py", "assetopt", "rewrite", "--write")
    assert page.read_text() == template, "a template that would not compile was written"
    assert result.returncode == 1, result.stdout + result.stderr  # a finding, as --help says; not 2 (usage)
    help_text = " ".join(run(project, "-m", "assetopt.cli", "rewrite", "--help").stdout.split())
    assert "1 --check found work / a rewrite would break" in help_text
    message = result.stdout + result.stderr
    assert "page.html" in message and "{% picture %} is defined by the libraries" in message
    assert "'assetopt'" in message and "'pictures'" in message
    assert run(project, "render.py", "page.html").returncode == 0


def test_a_project_library_without_a_clash_is_rewritten_and_renders(project: Path):
    """The gate now knows the project's libraries: a template loading one still gets its rewrite."""
    page = project / "templates" / "page.html"
    page.parent.mkdir()
    page.write_text("{% load static pictures %}<p>{% thumbnail 'cat' %}</p>" + IMG)
    result = run(project, "manage.py", "assetopt", "rewrite", "--write")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "{% picture %}<img" in page.read_text()
    rendered = run(project, "render.py", "page.html")
    assert rendered.returncode == 0, rendered.stderr
