"""What the audit's wider ``missing-file`` predicts, shown by Django itself: a page whose
``{% static %}`` names a file no static dir has, outside any asset tag (a download link, a ``data-*``
value), is a 500 under ``ManifestStaticFilesStorage`` with DEBUG off, after a real collectstatic; the
same page with the file present is a 200, and the audit reports nothing there. The same for a path
collectstatic never names a file by (absolute, ``..``, ``.``, ``//``, ``\\``, empty): Django is the
oracle for which ones raise, and the normalised path the audit's fix names serves.

Django is configured once (``tests/django_settings.py``); each test layers its settings on top.
"""

from __future__ import annotations

import re
from pathlib import Path

import django_settings
import pytest
from django.core.management import call_command
from django.shortcuts import render
from django.test import Client
from django.test.utils import override_settings
from django.urls import path
from page_site_support import write_page_site

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


def _site(tmp_path: Path, static: dict[str, bytes], page: str = PAGE) -> tuple[Path, Path]:
    return write_page_site(tmp_path, page, static)


def _serve(tmp_path: Path, templates: Path, static_dir: Path, body: list[str] | None = None) -> tuple[int, str]:
    """collectstatic with ManifestStaticFilesStorage into a temp STATIC_ROOT, then GET the page with
    DEBUG off: its status and the exception the request raised ("" for none); ``body`` gets the page."""
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
        if body is not None:
            body.append(response.content.decode())
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


CSS = {"css/site.css": b"body{color:red}", "site.css": b"p{}"}
LINK = '{% load static %}<!DOCTYPE html>\n<html><head>\n<link rel="stylesheet" href="{% static \'PATH\' %}"></head></html>\n'
ANCHOR = "{% load static %}<!DOCTYPE html>\n<html><body>\n<a href=\"{% static 'PATH' %}\">x</a></body></html>\n"


def _errors(tmp_path: Path, templates: Path, static_dir: Path) -> list[tuple[str, int, str, str]]:
    project = Project(load_config(tmp_path, {"templates": (str(templates),), "static": (str(static_dir),)}, cwd=tmp_path))
    (report,) = run_audit(project).pages
    return [(f.code, f.lineno, f.message, f.fix) for f in report.findings if f.severity == "error"]


@pytest.mark.parametrize("markup", [pytest.param(LINK, id="stylesheet_link"), pytest.param(ANCHOR, id="download_link")])
@pytest.mark.parametrize(
    ("static_path", "code", "fix"),
    [
        pytest.param("/css/site.css", "unsafe-path", "write {% static 'css/site.css' %}, a normalised path inside a static dir", id="absolute"),
        pytest.param("css/../site.css", "unsafe-path", "write {% static 'site.css' %}, a normalised path inside a static dir", id="dot_dot_inside"),
        pytest.param("./css/site.css", "unsafe-path", "write {% static 'css/site.css' %}, a normalised path inside a static dir", id="dot_segment"),
        pytest.param("css//site.css", "unsafe-path", "write {% static 'css/site.css' %}, a normalised path inside a static dir", id="double_slash"),
        pytest.param("css\\site.css", "unsafe-path", "write {% static 'css/site.css' %}, a normalised path inside a static dir", id="backslash"),
        pytest.param(
            "../outside.css",
            "unsafe-path",
            "use a path inside a static dir, relative to it (e.g. {% static 'css/site.css' %})",
            id="leaves_static_dir",
        ),
        pytest.param("", "missing-file", "name a file inside a static dir; for the static URL prefix use {% get_static_prefix %}", id="empty"),
    ],
)
def test_a_static_path_collectstatic_never_names_is_a_500_reported_once_with_its_fix(
    tmp_path: Path, markup: str, static_path: str, code: str, fix: str
) -> None:
    """Django raises for each (its manifest holds only normalised names); the audit names the tag once
    (an asset tag's own unsafe-path/missing-file is not added), at the {% static %} line, with the 500."""
    templates, static_dir = _site(tmp_path, CSS, markup.replace("PATH", static_path))
    (tmp_path / "outside.css").write_text("p{}")
    ((finding_code, line, message, finding_fix),) = _errors(tmp_path, templates, static_dir)
    assert (finding_code, line, finding_fix) == (code, 3, fix)
    assert message.startswith("{% static '" + static_path + "' %} ")
    assert message.endswith(
        "raises ValueError with a manifest storage (ManifestStaticFilesStorage, assetopt's), so every render of this page is a server error (500) when DEBUG is off"
    )
    key = static_path.strip()
    assert _serve(tmp_path, templates, static_dir) == (500, f"ValueError: Missing staticfiles manifest entry for '{key}'")


@pytest.mark.parametrize("static_path", ["css/site.css", "site.css", "css/site.css?v=2", "css/", "/"])
def test_the_normalised_path_the_fix_names_serves_and_the_audit_is_quiet(tmp_path: Path, static_path: str) -> None:
    """The fixes above, and paths ending in '/' (Django prints them unhashed, without a look-up)."""
    templates, static_dir = _site(tmp_path, CSS, ANCHOR.replace("PATH", static_path))
    assert _errors(tmp_path, templates, static_dir) == []
    assert _serve(tmp_path, templates, static_dir) == (200, "")


@pytest.mark.parametrize("markup", [pytest.param(LINK, id="stylesheet_link"), pytest.param(ANCHOR, id="download_link")])
@pytest.mark.parametrize("static_path", [" css/site.css", "css/site.css ", "  site.css  "])
def test_spaces_around_a_static_path_serve_the_file_and_the_audit_is_quiet(tmp_path: Path, markup: str, static_path: str) -> None:
    """Django strips them before the manifest look-up (stored_name: ``.path.strip()``): the page is a
    200 whose URL is the hashed file's, so the audit names no missing file."""
    templates, static_dir = _site(tmp_path, CSS, markup.replace("PATH", static_path))
    assert _errors(tmp_path, templates, static_dir) == []
    body: list[str] = []
    assert _serve(tmp_path, templates, static_dir, body) == (200, "")
    stem = static_path.strip().rsplit(".", 1)[0]
    assert re.search(rf'"/static/{re.escape(stem)}\.[0-9a-f]{{12}}\.css"', body[0]), body[0]


def _debug_get(tmp_path: Path, templates: Path, static_dir: Path, backend: str) -> list[tuple[str, int]]:
    """DEBUG on, as under runserver: render the page, then GET each /static/ URL it printed as a browser
    does (spaces at the ends of a URL dropped, the others %20) through StaticFilesHandler (what runserver
    serves static files with): (url as printed, status)."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.handlers.wsgi import WSGIHandler
    from django.template import engines
    from django.test import RequestFactory

    engine = dict(django_settings.SETTINGS["TEMPLATES"][0], DIRS=[str(templates)])  # type: ignore[index]
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": {"BACKEND": backend}}
    with override_settings(
        DEBUG=True,
        STORAGES=storages,
        STATIC_ROOT=str(tmp_path / "root"),
        STATICFILES_DIRS=[str(static_dir)],
        TEMPLATES=[engine],
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF=__name__,
    ):
        html = engines["django"].get_template("page.html").render({})
        urls = re.findall(r'(?:href|src)="(/static/[^"]*)"', html)
        handler = StaticFilesHandler(WSGIHandler())
        out = []
        for url in urls:
            response = handler.get_response(RequestFactory().get(url.strip().replace(" ", "%20")))
            response.close()  # a FileResponse holds the file open
            out.append((url, response.status_code))
        return out


MANIFEST = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
PLAIN = "django.contrib.staticfiles.storage.StaticFilesStorage"


@pytest.mark.parametrize("markup", [pytest.param(LINK, id="stylesheet_link"), pytest.param(ANCHOR, id="download_link")])
@pytest.mark.parametrize(
    ("static_path", "manifest_debug"),
    [
        (" css/site.css", ("/static/ css/site.css", 404)),
        ("css/site.css ", ("/static/css/site.css ", 200)),
        ("  site.css  ", ("/static/  site.css  ", 404)),
    ],
)
def test_spaces_around_a_static_path_are_a_404_in_development_as_the_audit_warns(
    tmp_path: Path, markup: str, static_path: str, manifest_debug: tuple[str, int]
) -> None:
    """The other side of the test above. StaticFilesStorage prints the spaces as %20: a 404. A manifest
    storage with DEBUG on prints the path as written: a leading space stays inside the URL (a 404), a
    trailing one is dropped by the browser. The audit's warning names both URLs it claims, and the
    path its fix names is a 200 with either storage."""
    templates, static_dir = _site(tmp_path, CSS, markup.replace("PATH", static_path))
    project = Project(load_config(tmp_path, {"templates": (str(templates),), "static": (str(static_dir),)}, cwd=tmp_path))
    (report,) = run_audit(project).pages
    ((lineno, message, fix),) = [(f.lineno, f.message, f.fix) for f in report.findings if f.code == "static-spaces"]
    assert lineno == 3
    ((plain_url, plain_status),) = _debug_get(tmp_path, templates, static_dir, PLAIN)
    assert plain_status == 404 and "%20" in plain_url and f"StaticFilesStorage prints {plain_url}" in message
    assert _debug_get(tmp_path, templates, static_dir, MANIFEST) == [manifest_debug]
    assert (f"with DEBUG on the URL keeps them ({manifest_debug[0]})" in message) == (manifest_debug[1] == 404)
    fixed = fix.split("'")[1]
    assert fixed == static_path.strip()
    (templates / "page.html").write_text(markup.replace("PATH", fixed))
    for backend in (PLAIN, MANIFEST):
        assert _debug_get(tmp_path, templates, static_dir, backend) == [(f"/static/{fixed}", 200)]
