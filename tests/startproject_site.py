"""A fresh ``django-admin startproject`` site, as a new user's would be, with django.contrib.admin on
(its templates in site-packages), assetopt's app and storage, whitenoise, a template dir and a
static dir of the project's own. Everything Django runs in a child process (``Site.manage``,
``Site.python``) so the site's settings never mix with the test process's."""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

__all__ = ["REPO", "Site", "assetopt_checks", "bundled_site", "make_site", "tree_hashes"]

REPO = Path(__file__).resolve().parent.parent

BASE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{% block title %}Shop{% endblock %}</title>
  {% load static %}
  <link rel="stylesheet" href="{% static 'css/a.css' %}">
  <link rel="stylesheet" href="{% static 'css/b.css' %}">
</head>
<body>
  <img src="{% static 'img/logo.png' %}" alt="logo">
  {% block content %}{% endblock %}
  <img src="{% static 'img/footer.png' %}" alt="footer">
  <script src="{% static 'js/a.js' %}"></script>
  <script src="{% static 'js/b.js' %}"></script>
</body>
</html>
"""
HOME = """{% extends "base.html" %}
{% load static %}
{% block content %}<h1>Home</h1>
<p>Lots of text.</p>
<img src="{% static 'img/photo.png' %}" alt="photo">
{% endblock %}
"""
# The project overrides one admin template (the usual way): its own, so audited and rewritten.
ADMIN_OVERRIDE = """{% extends "admin/base.html" %}
{% block branding %}<h1 id="site-name">Shop admin</h1>{% endblock %}
"""
SETTINGS = """
# --- added by the test, as the README's Django steps say ---
INSTALLED_APPS += ["assetopt.contrib.django"]
TEMPLATES[0]["DIRS"] = [BASE_DIR / "templates"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = BASE_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "assetopt.contrib.django.storage.AssetoptManifestStaticFilesStorage"},
}
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
ALLOWED_HOSTS = ["*"]
ASSETOPT = {"PAGES": ["/"]}
"""
URLS = """
from django.views.generic import TemplateView
urlpatterns += [path("", TemplateView.as_view(template_name="home.html"))]
"""


def _png(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


def tree_hashes(root: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every file under ``root`` (symlinks as their target text)."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_symlink():
            out[rel] = "link:" + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@dataclass
class Site:
    root: Path  # BASE_DIR
    env: dict[str, str]

    def manage(self, *args: str, cwd: Path | None = None, check: bool = False) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, str(self.root / "manage.py"), *args], cwd=cwd or self.root, env=self.env, capture_output=True, text=True, check=False
        )
        if check and result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def python(self, code: str, *args: str) -> str:
        """Run ``code`` with the site's settings set up (``django.setup()`` done); its stdout."""
        prelude = "import django, sys; django.setup()\n"
        result = subprocess.run(
            [sys.executable, "-c", prelude + code, *args], cwd=self.root, env=self.env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise AssertionError(f"child exited {result.returncode}:\n{result.stderr}")
        return result.stdout

    def admin_templates(self) -> Path:
        """django.contrib.admin's templates dir, as the site imports it (site-packages)."""
        return Path(self.python("import django.contrib.admin as a, os; print(os.path.dirname(a.__file__))").strip()) / "templates"


def make_site(tmp: Path, extra_settings: str = "") -> Site:
    """``django-admin startproject mysite`` in ``tmp/mysite`` plus the project's templates and static files."""
    root = tmp / "mysite"
    root.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH")}
    # This checkout's assetopt first: the venv's editable install may point at another checkout
    # (a git worktree's tests would otherwise run the main checkout's code in the site's processes).
    path = [str(REPO)]
    if os.environ.get("ASSETOPT_TEST_DJANGO_PATH"):  # a copy of Django to run against (see tests/test_django_boundary.py)
        path.append(os.environ["ASSETOPT_TEST_DJANGO_PATH"])
    env["PYTHONPATH"] = os.pathsep.join(path)
    subprocess.run([sys.executable, "-m", "django", "startproject", "mysite", str(root)], env=env, check=True, capture_output=True)
    env["DJANGO_SETTINGS_MODULE"] = "mysite.settings"
    with (root / "mysite" / "settings.py").open("a") as fh:
        fh.write(SETTINGS + extra_settings)
    with (root / "mysite" / "urls.py").open("a") as fh:
        fh.write(URLS)
    files: dict[str, str | bytes] = {
        "templates/base.html": BASE,
        "templates/home.html": HOME,
        "templates/admin/base_site.html": ADMIN_OVERRIDE,
        "static/css/a.css": "body { margin: 0; color: #333; }\n" * 20,
        "static/css/b.css": "h1 { font-size: 2em; background: url(../img/logo.png); }\n" * 20,
        "static/js/a.js": "window.shop = { ready: true };\n" * 20,
        "static/js/b.js": "console.log(window.shop.ready);\n" * 20,
        "static/img/logo.png": _png((120, 40), (200, 30, 30)),
        "static/img/photo.png": _png((800, 600), (30, 120, 200)),
        "static/img/footer.png": _png((400, 100), (30, 200, 30)),
    }
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return Site(root, env)


def bundled_site(tmp: Path, extra_settings: str = "") -> Site:
    """``make_site`` with its templates' asset runs wrapped in ``{% bundle %}`` (``manage.py assetopt rewrite --write --only bundles``)."""
    site = make_site(tmp, extra_settings)
    site.manage("assetopt", "rewrite", "--write", "--only", "bundles", check=True)
    assert "{% bundle" in (site.root / "templates" / "base.html").read_text()
    return site


def assetopt_checks(output: str) -> list[str]:
    """The ``(assetopt.E001)``/``(assetopt.W004)`` ids ``manage.py check`` printed, in order."""
    return re.findall(r"\(assetopt\.[EW]\d+\)", output)
