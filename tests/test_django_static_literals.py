"""What the audit's wider ``missing-file`` predicts, shown by Django itself: a page whose
``{% static %}`` names a file no static dir has, outside any asset tag (a download link, a ``data-*``
value), is a 500 under ``ManifestStaticFilesStorage`` with DEBUG off, after a real collectstatic; the
same page with the file present is a 200, and the audit reports nothing there.

Django is configured once (``tests/django_settings.py``); each test layers its settings on top.
"""

from __future__ import annotations

from pathlib import Path

import django_settings
import pytest
from django.core.management import call_command
from django.shortcuts import render
from django.test import Client
from django.test.utils import override_settings
from django.urls import path

from assetopt.audit.run import run_audit
from assetopt.config import load_config
from assetopt.io.project import Project

PAGE = """{% load static %}<!DOCTYPE html>
<html><body>
<a href="{% static 'files/manual.pdf' %}" download>manual</a>
<div data-icon="{% static 'img/icon.svg' %}"></div>
</body></html>
"""


def _page(request):  # type: ignore[no-untyped-def]
    return render(request, "page.html")


urlpatterns = [path("page/", _page)]


@pytest.fixture(scope="module", autouse=True)
def django_configured() -> None:
    django_settings.configure()


def _site(tmp_path: Path, static: dict[str, bytes]) -> tuple[Path, Path]:
    templates, static_dir = tmp_path / "templates", tmp_path / "static"
    templates.mkdir()
    (templates / "page.html").write_text(PAGE)
    for name, data in static.items():
        (static_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (static_dir / name).write_bytes(data)
    static_dir.mkdir(exist_ok=True)
    return templates, static_dir


def _serve(tmp_path: Path, templates: Path, static_dir: Path) -> tuple[int, str]:
    """collectstatic with ManifestStaticFilesStorage into a temp STATIC_ROOT, then GET the page with
    DEBUG off: its status and the exception the request raised ("" for none)."""
    engine = dict(django_settings.SETTINGS["TEMPLATES"][0], DIRS=[str(templates)])  # type: ignore[index]
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(
        DEBUG=False,
        STORAGES=storages,
        STATIC_ROOT=str(tmp_path / "root"),
        STATICFILES_DIRS=[str(static_dir)],
        TEMPLATES=[engine],
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["testserver"],
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        response = Client(raise_request_exception=False).get("/page/")
        raised = response.exc_info[1] if response.exc_info else None
        return response.status_code, f"{type(raised).__name__}: {raised}" if raised else ""


def _audit(tmp_path: Path, templates: Path, static_dir: Path) -> list[tuple[int, str]]:
    project = Project(load_config(tmp_path, {"templates": (str(templates),), "static": (str(static_dir),)}, cwd=tmp_path))
    (report,) = run_audit(project).pages
    return [(f.lineno, f.message.split(" ", 1)[0]) for f in report.findings if f.code == "missing-file"]  # type: ignore[misc]


def test_a_missing_file_behind_a_download_link_is_a_500_the_audit_predicts(tmp_path: Path) -> None:
    templates, static_dir = _site(tmp_path, {"img/icon.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>"})
    assert _audit(tmp_path, templates, static_dir) == [(3, "files/manual.pdf")]
    assert _serve(tmp_path, templates, static_dir) == (500, "ValueError: Missing staticfiles manifest entry for 'files/manual.pdf'")


def test_with_every_file_present_the_page_serves_and_the_audit_is_quiet(tmp_path: Path) -> None:
    templates, static_dir = _site(tmp_path, {"img/icon.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>", "files/manual.pdf": b"%PDF-1.4"})
    assert _audit(tmp_path, templates, static_dir) == []
    assert _serve(tmp_path, templates, static_dir) == (200, "")
