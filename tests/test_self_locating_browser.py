"""A real self-locating library survives the rewrite and build (issue 14, item 6), in Chromium.

TinyMCE 7 from npm computes its base URL from its own ``<script src>`` and loads its theme, skin,
icons and models from there. The page's other scripts are bundled; TinyMCE must stay where it is,
and the editor must start. The control run forces TinyMCE into a bundle (``bundle_self_locating``)
and shows what the default prevents: the editor never starts. The package is fetched once with
``npm pack`` into a cache dir (``ASSETOPT_NPM_CACHE`` or ``~/.cache/assetopt-npm``); without npm or
the registry the test is skipped, saying so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import django_settings
import pytest
from browser_support import needs_chromium

from assetopt.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from assetopt.browser.server import serve
from assetopt.build import BuildOptions, build
from assetopt.config import load_config
from assetopt.io.project import Project
from assetopt.rewrite.context import RewriteContext
from assetopt.rewrite.project import plan_project, write_changes

pytestmark = needs_chromium

TINYMCE = "tinymce@7"
PAGE = """{% load static %}<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script src="{% static 'js/a.js' %}"></script>
<script src="{% static 'js/b.js' %}"></script>
<script src="{% static 'vendor/tinymce/tinymce.min.js' %}"></script>
<script src="{% static 'js/c.js' %}"></script>
<script src="{% static 'js/init.js' %}"></script>
</head><body><textarea id="editor">hello</textarea></body></html>
"""
SCRIPTS = {
    "js/a.js": "window.partA = 1;\n",
    "js/b.js": "window.partB = window.partA + 1;\n",
    "js/c.js": "window.partC = window.partB + 1;\n",
    "js/init.js": "tinymce.init({selector: '#editor', license_key: 'gpl', promotion: false,\n"
    "  setup: (ed) => ed.on('init', () => { document.body.dataset.editor = 'ready'; })});\n",
}


@pytest.fixture(scope="module")
def tinymce_package() -> Path:
    cache = Path(os.environ.get("ASSETOPT_NPM_CACHE", Path.home() / ".cache" / "assetopt-npm"))
    found = sorted(cache.glob("tinymce-7.*.tgz"))
    if not found:
        if shutil.which("npm") is None:
            pytest.skip("needs npm to fetch TinyMCE (apt-get install npm), or a tinymce-7.*.tgz in " + str(cache))
        cache.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(["npm", "pack", TINYMCE, "--pack-destination", str(cache)], capture_output=True, text=True, timeout=180, check=False)
        found = sorted(cache.glob("tinymce-7.*.tgz"))
        if proc.returncode != 0 or not found:
            pytest.skip(f"npm pack {TINYMCE} failed (registry unreachable?): {proc.stderr.strip()[-300:]}")
    return found[-1]


@pytest.fixture(scope="module", autouse=True)
def django_configured() -> None:
    django_settings.configure()


def _site(root: Path, package: Path) -> Path:
    static = root / "static"
    with tarfile.open(package) as tar:
        tar.extractall(root / "npm", filter="data")
    shutil.copytree(root / "npm" / "package", static / "vendor" / "tinymce")
    for name, text in SCRIPTS.items():
        (static / name).parent.mkdir(parents=True, exist_ok=True)
        (static / name).write_text(text, "utf-8")
    (root / "templates").mkdir()
    (root / "templates" / "page.html").write_text(PAGE, "utf-8")
    return root


def _optimize_and_render(root: Path, **config: object) -> tuple[str, Path]:
    """Rewrite into ``root/rewritten``, build into ``root/out``, render the rewritten page with Django."""
    from django.template import engines
    from django.test.utils import override_settings

    base = {"templates": (str(root / "templates"),), "static": (str(root / "static"),), "images": False, **config}
    project = Project(load_config(root, base, cwd=root))
    result = plan_project(project, RewriteContext(only=frozenset({"bundles"})))
    assert result.broken == []
    write_changes(result, project, out=root / "rewritten")
    built = Project(load_config(root, {**base, "templates": (str(root / "rewritten" / "templates"),)}, cwd=root))
    build(built, BuildOptions(out=root / "out", precompress=False, jobs=1))
    templates = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [str(root / "rewritten" / "templates")]}]
    with override_settings(
        TEMPLATES=templates, STATIC_ROOT=str(root / "out"), STATIC_URL="/static/", DEBUG=False, ASSETOPT={"BUNDLES": True, "STRICT": True}
    ):
        html = engines["django"].get_template("page.html").render({})
    site = root / "site"
    site.mkdir()
    (site / "index.html").write_text(html, "utf-8")
    return html, site


def _editor_starts(root: Path, site: Path) -> tuple[bool, list[str]]:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    failed: list[str] = []
    with serve({"/": site, "/static/": root / "out"}) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page()
            page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.goto(base + "/")
            try:
                page.wait_for_function("document.body.dataset.editor === 'ready'", timeout=10_000)
                started = True
            except PlaywrightTimeout:
                started = False
            started = started and page.locator(".tox-tinymce").count() == 1
        finally:
            browser.close()
    return started, failed


def test_tinymce_stays_out_of_the_bundle_and_the_editor_starts_after_the_rewrite_and_build(tmp_path: Path, tinymce_package: Path) -> None:
    root = _site(tmp_path, tinymce_package)
    html, site = _optimize_and_render(root)
    assert "/static/vendor/tinymce/tinymce.min.js" in html  # left where it finds its own files
    assert html.count("/static/assetopt/") == 2  # a.js + b.js and c.js + init.js: the scripts around it are bundled
    started, failed = _editor_starts(root, site)
    assert failed == []
    assert started


def test_control_tinymce_forced_into_a_bundle_never_starts(tmp_path: Path, tinymce_package: Path) -> None:
    root = _site(tmp_path, tinymce_package)
    html, site = _optimize_and_render(root, bundle_self_locating=("vendor/tinymce/*",))
    assert "/static/vendor/tinymce/tinymce.min.js" not in html
    started, failed = _editor_starts(root, site)
    assert not started
    assert any("/static/assetopt/" in url for url in failed)  # its theme/models looked for next to the bundle
