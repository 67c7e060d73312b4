"""Snapshots of a collectstatic'd site name the files its STATIC_ROOT serves, with matching SRI.

A deployed STATIC_ROOT holds a bundle twice: ``assetopt/x.css`` (the build's bytes) and
``assetopt/x.<hash>.css`` (its ``url()``s rewritten by Django; the manifest's ``integrity`` is of
these bytes). The snapshot renderer must name the hashed one, or Chromium blocks the stylesheet
(integrity mismatch) and ``verify --browser`` reports a console error production never has.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import needs_chromium

from assetopt.browser.snapshots import render_django_pages, write_snapshots
from assetopt.build.manifest import MANIFEST_NAME

SETTINGS = """\
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "test"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "snapurls"
INSTALLED_APPS = ["django.contrib.staticfiles", "assetopt.contrib.django"]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [BASE_DIR / "templates"]}]
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "static_root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "assetopt.contrib.django.storage.AssetoptManifestStaticFilesStorage"},
}
ASSETOPT = {"BUNDLES": True, "STRICT": True, "CACHE_DIR": BASE_DIR / ".assetopt-cache"}
"""
URLS = """\
from django.urls import path
from django.views.generic import TemplateView
urlpatterns = [path("", TemplateView.as_view(template_name="page.html"))]
"""
PAGE = """\
{% load static assetopt %}<!DOCTYPE html>
<html><head><title>t</title><link rel="icon" href="data:,">
{% bundle "css" %}
<link rel="stylesheet" href="{% static 'css/a.css' %}">
<link rel="stylesheet" href="{% static 'css/b.css' %}">
{% endbundle %}
</head><body><div class="box">box</div></body></html>
"""
FILES = {
    "snapset.py": SETTINGS,
    "snapurls.py": URLS,
    "templates/page.html": PAGE,
    "static/css/a.css": "body { margin: 0; background: url(../img/bg.gif) repeat; }\n",
    "static/css/b.css": ".box { width: 200px; height: 100px; background: rgb(0, 120, 200); }\n",
    # a 1x1 GIF, so the bundle's url() points at a real file Django rewrites to its hashed name
    "static/img/bg.gif": base64.b64decode("R0lGODlhAQABAIAAAP///wAAACH5BAAAAAAALAAAAAABAAEAAAICRAEAOw=="),
}


def _sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


@pytest.fixture(scope="module")
def deployed(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("snapsite")
    for name, content in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "snapset",
        "PYTHONPATH": os.pathsep.join([str(root), str(Path(__file__).resolve().parent.parent)]),
    }  # this checkout's assetopt
    done = subprocess.run(
        [sys.executable, "-m", "django", "collectstatic", "--noinput"], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return root


def _render(root: Path) -> str:
    static_root = root / "static_root"
    pages = render_django_pages(
        "snapset", root, ["/"], assetopt={"BUNDLES": True, "STRICT": True, "MANIFEST": str(static_root / MANIFEST_NAME)}, served=(static_root,)
    )
    return pages["/"]["html"]


def test_the_snapshot_of_a_deployed_site_names_the_hashed_bundle_whose_bytes_match_its_integrity(deployed: Path):
    html = _render(deployed)
    ((href, integrity),) = re.findall(r'<link rel="stylesheet" href="/static/([^"]+)" integrity="([^"]+)"', html)
    assert re.search(r"\.[0-9a-f]{12}\.css$", href), href
    assert integrity == _sri((deployed / "static_root" / href).read_bytes())


def test_a_folder_without_staticfiles_json_is_served_by_its_plain_names(deployed: Path):
    pages = render_django_pages("snapset", deployed, ["/"], assetopt={"BUNDLES": False}, served=(deployed / "static",))
    assert '<link rel="stylesheet" href="/static/css/a.css">' in pages["/"]["html"]


@needs_chromium
def test_the_deployed_snapshot_loads_its_stylesheet_in_chromium_without_a_console_error(deployed: Path, tmp_path: Path):
    from assetopt.browser.chromium import open_browser, serve

    write_snapshots({"/": {"html": _render(deployed)}}, tmp_path / "snap")
    with open_browser() as chromium, serve({"/": tmp_path / "snap", "/static/": [deployed / "static_root"]}) as base:
        measured = chromium.measure(base + "/", screenshot=tmp_path / "shot.png")
    assert measured.console_errors == ()
    assert measured.by_type.get("stylesheet") == 1 and measured.failed == ()
