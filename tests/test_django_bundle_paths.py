"""A hand-written ``{% bundle %}`` block whose ``{% static %}`` path is not the name collectstatic gives a
file (``'css/../site.css'``), shown by Django itself: its rollback (the original tags, with bundles off)
is a 500 under ``ManifestStaticFilesStorage`` after a real collectstatic, so collectstatic with
assetopt's storage refuses the block (file:line, the path, the path to write) and writes no bundle and
no manifest; the path it names serves. Spaces around a path build, with a warning naming the path.

Django is configured once (``tests/django_settings.py``); each test layers its settings on top.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import django_settings
import pytest
from django.core.management import CommandError, call_command
from django.shortcuts import render
from django.test import Client
from django.test.utils import override_settings
from django.urls import path
from page_site_support import write_page_site

MANIFEST_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
ASSETOPT_STORAGE = "assetopt.contrib.django.storage.AssetoptManifestStaticFilesStorage"
PAGE = """{% load static assetopt %}<!DOCTYPE html>
<html><head>
{% bundle "css" %}
<link rel="stylesheet" href="{% static 'css/site.css' %}">
<link rel="stylesheet" href="{% static 'PATH' %}">
{% endbundle %}
</head></html>
"""
STATIC = {"css/site.css": b"body{color:red}", "theme.css": b"p{margin:0}"}


def _page(request):  # type: ignore[no-untyped-def]
    return render(request, "page.html")


urlpatterns = [path("page/", _page)]


@pytest.fixture(scope="module", autouse=True)
def django_configured() -> None:
    django_settings.configure()


def _site(tmp_path: Path, static_path: str) -> tuple[Path, Path]:
    return write_page_site(tmp_path, PAGE.replace("PATH", static_path), STATIC)


def _settings(tmp_path: Path, templates: Path, static_dir: Path, backend: str, bundles: bool) -> override_settings:
    engine = dict(django_settings.SETTINGS["TEMPLATES"][0], DIRS=[str(templates)])  # type: ignore[index]
    return override_settings(
        DEBUG=False,
        STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": {"BACKEND": backend}},
        STATIC_ROOT=str(tmp_path / "root"),
        STATICFILES_DIRS=[str(static_dir)],
        TEMPLATES=[engine],
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["testserver"],
        ASSETOPT={"BUNDLES": bundles, "CACHE_DIR": str(tmp_path / "cache")},
    )


def _get() -> tuple[int, str, str]:
    response = Client(raise_request_exception=False).get("/page/")
    raised = response.exc_info[1] if response.exc_info else None
    return response.status_code, f"{type(raised).__name__}: {raised}" if raised else "", response.content.decode()


def test_the_rollback_of_a_block_with_an_unnormalised_path_is_a_500(tmp_path: Path) -> None:
    """The premise, Django as the oracle: bundles off, the block prints its original tags, and
    Django's manifest storage has no staticfiles.json name for 'css/../theme.css'."""
    templates, static_dir = _site(tmp_path, "css/../theme.css")
    with _settings(tmp_path, templates, static_dir, MANIFEST_STORAGE, bundles=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        status, raised, _ = _get()
    assert (status, raised) == (500, "ValueError: Missing staticfiles manifest entry for 'css/../theme.css'")


def test_collectstatic_refuses_the_block_naming_file_line_and_the_path_to_write(tmp_path: Path) -> None:
    templates, static_dir = _site(tmp_path, "css/../theme.css?v=2")
    with _settings(tmp_path, templates, static_dir, ASSETOPT_STORAGE, bundles=True):
        with pytest.raises(CommandError) as info:
            call_command("collectstatic", interactive=False, verbosity=0)
    message = str(info.value)
    assert f"{templates / 'page.html'}:5: {{% static 'css/../theme.css?v=2' %}} is not normalised" in message, message
    assert "(write {% static 'theme.css?v=2' %})" in message, message
    root = tmp_path / "root"
    assert not (root / "assetopt-manifest.json").exists() and not (root / "assetopt").exists()


def test_the_path_the_refusal_names_builds_and_serves_bundled_and_rolled_back(tmp_path: Path) -> None:
    templates, static_dir = _site(tmp_path, "theme.css?v=2")
    with _settings(tmp_path, templates, static_dir, ASSETOPT_STORAGE, bundles=True):
        call_command("collectstatic", interactive=False, verbosity=0)
        status, raised, body = _get()
    assert (status, raised) == (200, "")
    assert re.search(r'<link rel="stylesheet" href="/static/assetopt/page-[0-9a-f]+\.[0-9a-f]{12}\.css" integrity="sha384-', body), body
    with _settings(tmp_path, templates, static_dir, ASSETOPT_STORAGE, bundles=False):
        status, raised, body = _get()
    assert (status, raised) == (200, "")
    assert re.search(r'href="/static/theme\.[0-9a-f]{12}\.css\?v=2"', body), body


def test_collectstatic_bundles_a_spaced_path_and_warns_naming_it(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Spaces: the bundle works (collectstatic's build and the tag drop them, as a manifest storage
    does), and the rollback under a manifest storage with DEBUG off serves too; the build warns once,
    with file:line and the path to write, because under DEBUG the rollback keeps them (a 404)."""
    templates, static_dir = _site(tmp_path, " theme.css")
    with _settings(tmp_path, templates, static_dir, ASSETOPT_STORAGE, bundles=True):
        with caplog.at_level(logging.WARNING, logger="assetopt"):
            call_command("collectstatic", interactive=False, verbosity=0)
        status, _, body = _get()
    assert status == 200 and re.search(r'href="/static/assetopt/page-[0-9a-f]+\.[0-9a-f]{12}\.css"', body), body
    warned = [r.getMessage() for r in caplog.records if "has spaces around its path" in r.getMessage()]
    assert warned == [
        f"assetopt: {templates / 'page.html'}:5: {{% static ' theme.css' %}} has spaces around its path: the bundle works (the build and the"
        " {% bundle %} tag drop them, as a manifest storage does), but the block's rollback (its original tags, with bundles off: the default"
        " under DEBUG) keeps them in the URL under DEBUG on or StaticFilesStorage, a 404; write {% static 'theme.css' %}"
    ]
    with _settings(tmp_path, templates, static_dir, ASSETOPT_STORAGE, bundles=False):
        status, raised, body = _get()
    assert (status, raised) == (200, "") and re.search(r'href="/static/theme\.[0-9a-f]{12}\.css"', body), body
