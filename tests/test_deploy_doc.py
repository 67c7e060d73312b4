"""docs/deploy.md, followed to the letter on a fresh ``django-admin startproject`` site (issue 12).

The settings snippets are read from docs/deploy.md between its ``<!-- deploy:NAME -->`` markers and
appended to the new project's settings.py, and the commands are the ones the doc lists, run with
``manage.py`` in subprocesses: install (this checkout, already in the venv), settings, audit,
rewrite --diff/--write, collectstatic, ``runserver`` with DEBUG = False serving through whitenoise
(the page and its bundle answer 200, the bundle's bytes match its SRI integrity), then the rollback
setting (the original tags again).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "deploy.md"
pytestmark = pytest.mark.skipif(importlib.util.find_spec("whitenoise") is None, reason="needs whitenoise (the test extra)")

# The site as it was before assetopt: the doc's starting point is "a site with its own templates and static files".
HOME = """{% load static %}<!DOCTYPE html>
<html><head><title>Home</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="{% static 'css/base.css' %}">
<link rel="stylesheet" href="{% static 'css/layout.css' %}">
</head><body><main class="layout"><h1>Hello</h1></main>
<script src="{% static 'js/app.js' %}"></script>
<script src="{% static 'js/menu.js' %}"></script>
</body></html>
"""
STATIC = {
    # The stylesheet that broke deploys: a commented-out url() to a file deleted long ago.
    "css/base.css": "/* background: url(../img/old-header-bg.jpg); */\nbody { margin: 0; background: url(../img/bg.gif); }\n",
    "css/layout.css": ".layout { display: grid; gap: 1rem; }\n",
    "js/app.js": "window.app = {ready: true};\n",
    "js/menu.js": "window.menu = function () { return 1; };\n",
    "img/bg.gif": base64.b64decode("R0lGODlhAQABAIAAAP///wAAACH5BAAAAAAALAAAAAABAAEAAAICRAEAOw=="),
}
URLS = """from django.contrib import admin
from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", TemplateView.as_view(template_name="home.html")),
]
"""


def doc_snippet(name: str) -> str:
    found = re.search(rf"<!-- deploy:{name} -->\s*```python\n(.*?)```\s*<!-- /deploy:{name} -->", DOC.read_text(), re.DOTALL)
    assert found, f"docs/deploy.md has no <!-- deploy:{name} --> python block"
    return found.group(1)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH")}
    env["PYTHONPATH"] = str(REPO)  # this checkout's assetopt, not the virtualenv's install
    return env


def manage(site: Path, *args: str, code: int | None = 0) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=site, env=_env(), capture_output=True, text=True, check=False, timeout=600)
    if code is not None:
        assert result.returncode == code, f"manage.py {' '.join(args)}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def runserver(site: Path) -> Iterator[str]:
    port = _free_port()
    log = site.parent / f"runserver-{port}.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=site, env=_env(), stdout=subprocess.DEVNULL, stderr=err
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                    time.sleep(0.1)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    assert "Traceback" not in log.read_text(), log.read_text()


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback)
        return response.status, response.read()


def test_the_deploy_doc_steps_work_on_a_fresh_startproject_site(tmp_path: Path):
    site = tmp_path / "mysite"
    site.mkdir()
    subprocess.run([sys.executable, "-m", "django", "startproject", "mysite", str(site)], env=_env(), check=True)
    settings_py = site / "mysite" / "settings.py"
    # The existing site: its templates dir, a page, static files.
    text = settings_py.read_text()
    assert "'DIRS': []," in text
    settings_py.write_text(text.replace("'DIRS': [],", "'DIRS': [BASE_DIR / 'templates'],"))
    (site / "mysite" / "urls.py").write_text(URLS)
    (site / "templates").mkdir()
    (site / "templates" / "home.html").write_text(HOME)
    for name, content in STATIC.items():
        path = site / "static" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())

    # Step 2: the settings, as docs/deploy.md has them.
    with settings_py.open("a") as fh:
        fh.write("\n" + doc_snippet("settings"))
    manage(site, "check")

    # Step 3: audit, preview, write.
    manage(site, "assetopt", "audit", "-q", code=None)
    diff = manage(site, "assetopt", "rewrite", "--diff").stdout
    assert "home.html" in diff and "{% bundle" in diff
    touched = re.findall(r"^\+\+\+ b/(.*)$", diff, re.MULTILINE)
    # the project boundary: only this site's templates, never the installed admin's
    assert touched and all((site / t).resolve().is_relative_to(site / "templates") for t in touched), touched
    manage(site, "assetopt", "rewrite", "--write")
    assert "{% bundle" in (site / "templates" / "home.html").read_text()

    # Step 4: collect.
    manage(site, "collectstatic", "--noinput")
    assert (site / "staticfiles" / "assetopt-manifest.json").is_file()

    # Step 5: DEBUG = False, runserver, whitenoise serves STATIC_ROOT.
    with settings_py.open("a") as fh:
        fh.write("\n" + doc_snippet("check"))
    with runserver(site) as base:
        status, html = get(base + "/")
        page = html.decode()
        assert status == 200
        bundles = re.findall(r'(?:href|src)="(/static/assetopt/[^"]+)" integrity="([^"]+)"', page)
        assert [url.rsplit(".", 1)[1] for url, _ in bundles] == ["css", "js"], page
        for url, integrity in bundles:
            status, body = get(base + url)
            assert status == 200 and integrity == "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()

    # Rollback: one setting, the original tags again.
    with settings_py.open("a") as fh:
        fh.write("\n" + doc_snippet("rollback"))
    with runserver(site) as base:
        status, html = get(base + "/")
        page = html.decode()
        assert status == 200 and "/static/assetopt/" not in page and "integrity" not in page
        (css,) = re.findall(r'href="(/static/css/base\.[0-9a-f]{12}\.css)"', page)
        assert get(base + css)[0] == 200
