"""``manage.py check --deploy``'s ``assetopt.W005`` in this process, after a real collectstatic with
assetopt's storage: a ``{% static %}`` path with spaces around it is named in the audit's own
``static-spaces`` words (the same sentence), and the path W005 says to write keeps the ``?query`` /
``#fragment`` the tag had; Django serves that path (the oracle). The startproject versions of these
checks are in ``test_django_third_party.py`` (slow).
"""

from __future__ import annotations

import re
from pathlib import Path

import django_settings
import pytest
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
from django.urls import path
from django.views.generic import TemplateView
from page_site_support import write_page_site

from assetopt.audit.run import run_audit
from assetopt.config import load_config
from assetopt.io.project import Project

STORAGE = "assetopt.contrib.django.storage.AssetoptManifestStaticFilesStorage"
PAGE = "{% load static %}<!DOCTYPE html>\n<html><body>\n<a href=\"{% static 'PATH' %}\">x</a></body></html>\n"
urlpatterns = [path("page/", TemplateView.as_view(template_name="page.html"))]


@pytest.fixture(scope="module", autouse=True)
def django_configured() -> None:
    django_settings.configure()


def _site(tmp_path: Path, static_path: str) -> tuple[Path, Path]:
    return write_page_site(tmp_path, PAGE.replace("PATH", static_path), {"css/site.css": b"p{margin:0}"})


def _w005(tmp_path: Path, templates: Path, static_dir: Path, debug: bool = False) -> tuple[list[tuple[str, str]], int, str]:
    """collectstatic, then W005's (message, hint) pairs and what Django serves for the page (DEBUG off)."""
    from assetopt.contrib.django.checks import check_static_names

    engine = dict(django_settings.SETTINGS["TEMPLATES"][0], DIRS=[str(templates)])  # type: ignore[index]
    with override_settings(
        DEBUG=False,
        BASE_DIR=tmp_path,
        STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": {"BACKEND": STORAGE}},
        STATIC_ROOT=str(tmp_path / "root"),
        STATICFILES_DIRS=[str(static_dir)],
        TEMPLATES=[engine],
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["testserver"],
        ASSETOPT={"CACHE_DIR": str(tmp_path / "cache")},
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        found = [(w.msg, w.hint) for w in check_static_names() if w.id == "assetopt.W005"]
        response = Client(raise_request_exception=False).get("/page/")
        return found, response.status_code, response.content.decode()


def _audit_warnings(tmp_path: Path, templates: Path, static_dir: Path) -> list[tuple[str, str]]:
    project = Project(load_config(tmp_path, {"templates": (str(templates),), "static": (str(static_dir),)}, cwd=tmp_path))
    (report,) = run_audit(project).pages
    return [(f.message, f.fix) for f in report.findings if f.code == "static-spaces"]


@pytest.mark.parametrize("static_path", [" css/site.css", "css/site.css ", "  css/site.css  ", " css/site.css?v=2"])
def test_w005_names_a_spaced_static_path_in_the_audits_words(tmp_path: Path, static_path: str) -> None:
    """It serves here (a manifest storage, DEBUG off, strips the spaces: a 200), so W005 used to say
    nothing while the audit warned; now both say the same sentence, with the same path to write."""
    templates, static_dir = _site(tmp_path, static_path)
    found, status, _ = _w005(tmp_path, templates, static_dir)
    assert status == 200
    ((said, fix),) = _audit_warnings(tmp_path, templates, static_dir)
    assert found == [(f"templates/page.html:3: {said}", fix)]  # W005 names the template relative to BASE_DIR
    assert fix == f"write {{% static '{static_path.strip()}' %}}"


@pytest.mark.parametrize(
    ("static_path", "written"),
    [
        pytest.param("css/../css/site.css?v=2", "css/site.css?v=2", id="query"),
        pytest.param("./css/site.css#top", "css/site.css#top", id="fragment"),
        pytest.param("/css/site.css?v=2#top", "css/site.css?v=2#top", id="both"),
        pytest.param(" css//site.css ?v=2", "css/site.css?v=2", id="spaces_and_query"),
    ],
)
def test_w005_keeps_the_query_and_fragment_in_the_path_to_write_and_that_path_serves(tmp_path: Path, static_path: str, written: str) -> None:
    templates, static_dir = _site(tmp_path, static_path)
    found, status, _ = _w005(tmp_path, templates, static_dir)
    assert status == 500  # what the warning claims
    ((_, hint),) = found
    assert hint == f"write {{% static '{written}' %}}, the name collectstatic gives the file"
    fixed_dir = tmp_path / "fixed"
    fixed_dir.mkdir()
    templates, static_dir = _site(fixed_dir, written)
    found, status, body = _w005(fixed_dir, templates, static_dir)
    assert (found, status) == ([], 200)
    tail = written[len("css/site.css") :]  # printed after the hashed name
    assert re.search(rf'href="/static/css/site\.[0-9a-f]{{12}}\.css{re.escape(tail)}"', body), body
