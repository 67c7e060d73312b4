"""On a fresh ``startproject`` site with django.contrib.admin: assetopt audits, rewrites and reports
on the project's own templates only (the admin's, in site-packages, are read, never written), keeps
its internals out of every served folder, and prints an undo command that works."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from startproject_site import Site, make_site, tree_hashes


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(tmp_path)


def _pages(site: Site, *flags: str) -> set[str]:
    out = site.root.parent / "audit.json"
    site.manage("assetopt", "audit", "-q", "--json", str(out), *flags, check=True)
    return {p["name"] for p in json.loads(out.read_text())["pages"]}


def test_audit_lists_only_the_projects_pages(site: Site) -> None:
    assert _pages(site) == {"home.html", "admin/base_site.html"}  # base.html is extended: not a page


def test_audit_includes_the_apps_templates_when_asked(site: Site) -> None:
    pages = _pages(site, "--include-app-templates")
    assert {"home.html", "admin/login.html", "registration/password_change_form.html"} <= pages
    assert "admin/base_site.html" not in pages  # the admin's pages extend it now


@pytest.mark.skipif(shutil.which("patch") is None, reason="needs GNU patch (apt-get install patch)")
def test_rewrite_write_touches_only_project_files_and_the_printed_undo_restores_them(site: Site, tmp_path: Path) -> None:
    admin = site.admin_templates()
    admin_before = tree_hashes(admin)
    project_before = tree_hashes(site.root)
    sources = {p: p.read_bytes() for p in (site.root / "templates").rglob("*.html")}

    result = site.manage("assetopt", "rewrite", "--write", check=True)

    assert tree_hashes(admin) == admin_before, "site-packages was written"
    after = tree_hashes(site.root)
    changed = {name for name in set(after) | set(project_before) if after.get(name) != project_before.get(name)}
    assert changed and all(name.startswith(("templates/", ".assetopt-cache/")) for name in changed), sorted(changed)
    assert "templates/base.html" in changed
    undo = re.search(r"^with GNU patch, while the files are exactly as written: (patch -R -p1 -d .+)$", result.stdout, re.M)
    assert undo, result.stdout
    command = undo.group(1)
    patch_file = Path(command.rsplit("< ", 1)[1].strip("'"))
    assert patch_file.is_relative_to(site.root / ".assetopt-cache"), patch_file
    text = patch_file.read_text()
    assert "--- a/templates/base.html" in text and "a//" not in text and str(site.root) not in text
    # From anywhere: another folder as the current directory.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run(command, shell=True, cwd=elsewhere, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert {p: p.read_bytes() for p in sources} == sources


def test_optimize_and_collectstatic_publish_no_internal_file(site: Site) -> None:
    site.manage("collectstatic", "--noinput", check=True)
    site.manage("assetopt", "optimize", check=False)  # its verdict does not matter here; where it writes does
    site.manage("assetopt", "rewrite", "--write", check=True)
    site.manage("collectstatic", "--noinput", check=True)
    static_root = site.root / "staticfiles"
    assert (site.root / "build" / "assetopt" / "templates" / "home.html").is_file()
    patches = list((site.root / ".assetopt-cache" / "undo").glob("*.patch"))
    assert patches
    published = tree_hashes(static_root)
    assert not [n for n in published if ".assetopt-cache" in n or n.endswith(".patch") or n.split("/")[0].startswith("templates")], sorted(published)
    served = [
        url.removeprefix("/static/")
        for url, status in json.loads(
            site.python(
                _SERVE,
                *[
                    f"/static/.assetopt-cache/undo/{patches[0].name}",
                    "/static/templates/home.html",
                    "/static/templates-1/home.html",
                    "/static/templates-2/base.html",
                    "/static/static/css/a.css",
                    "/static/css/a.css",  # a real file: the server works
                ],
            )
        ).items()
        if status == 200
    ]
    assert served == ["css/a.css"]


# whitenoise's middleware (first after SecurityMiddleware) answering through Django's test client.
_SERVE = """
import json
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
print(json.dumps({url: client.get(url).status_code for url in sys.argv[1:]}))
"""

_COLLECT = """
import json
from django.core.management import call_command
from django.contrib.staticfiles.storage import staticfiles_storage
call_command("collectstatic", interactive=False, clear=True, verbosity=0)
build = staticfiles_storage._wrapped.last_build
print(json.dumps({"hits": build.cache_hits, "misses": build.cache_misses, "images": build.images.processed}))
"""


def test_collectstatic_clear_twice_reuses_the_cache(site: Site) -> None:
    site.manage("assetopt", "rewrite", "--write", check=True)  # {% bundle %} blocks to build
    first = json.loads(site.python(_COLLECT))
    second = json.loads(site.python(_COLLECT))
    assert first["misses"] >= 2 and first["images"] >= 1, first
    assert second == {"hits": first["misses"] + first["hits"], "misses": 0, "images": 0}, (first, second)
    assert (site.root / ".assetopt-cache").is_dir() and not (site.root / "staticfiles" / ".assetopt-cache").exists()


def test_a_cache_dir_inside_a_served_dir_is_warned_about(tmp_path: Path) -> None:
    site = make_site(tmp_path, 'ASSETOPT["CACHE_DIR"] = str(STATIC_ROOT / "cache")\n')
    result = site.manage("check")
    assert "assetopt.W004" in result.stderr + result.stdout and "STATIC_ROOT" in result.stderr + result.stdout


def test_optimize_refuses_an_out_inside_static_root(site: Site) -> None:
    result = site.manage("assetopt", "optimize", "--out", str(site.root / "staticfiles" / "opt"))
    assert result.returncode == 2 and "inside STATIC_ROOT" in result.stderr, result.stderr
    assert not (site.root / "staticfiles" / "opt").exists()


# The command line in a child killed (os._exit, as SIGKILL would) when it replaces its second template.
_KILLED = """
import os, sys
seen = []
def hook(event, args):
    if event == "os.rename" and str(args[1]).endswith(".html"):
        seen.append(args[1])
        if len(seen) == 2:
            os._exit(137)
sys.addaudithook(hook)
from assetopt.cli import main
sys.argv = ["assetopt", *sys.argv[1:]]
main()
"""


@pytest.mark.skipif(shutil.which("patch") is None, reason="needs GNU patch (apt-get install patch)")
def test_a_rewrite_killed_between_two_templates_can_be_undone(site: Site, tmp_path: Path) -> None:
    sources = {p: p.read_bytes() for p in (site.root / "templates").rglob("*.html")}
    args = ["rewrite", "--write", "--project", str(site.root), "--templates", "templates", "--static", "static"]
    killed = subprocess.run([sys.executable, "-c", _KILLED, *args], cwd=site.root, capture_output=True, text=True, check=False)
    assert killed.returncode == 137, killed.stderr
    assert sum(p.read_bytes() != data for p, data in sources.items()) == 1  # one template written, then the kill
    patches = list((site.root / ".assetopt-cache" / "undo").glob("*.patch"))
    assert len(patches) == 1, "no undo patch: it must be written before the first template"
    # --forward skips the files the kill left untouched (their reverse looks applied already)
    subprocess.run(["patch", "-R", "-p1", "--forward", "-d", str(site.root), "-i", str(patches[0])], capture_output=True, check=False, cwd=tmp_path)
    assert {p: p.read_bytes() for p in sources} == sources


def test_the_cli_undo_works_when_templates_sit_outside_the_project(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    project = tmp_path / "config-only"
    project.mkdir()
    sources = {p: p.read_bytes() for p in (site.root / "templates").rglob("*.html")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "assetopt.cli",
            "rewrite",
            "--write",
            "--project",
            str(project),
            "--templates",
            str(site.root / "templates"),
            "--static",
            str(site.root / "static"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    command = re.search(r"^with GNU patch, while the files are exactly as written: (patch -R -p1 -d .+)$", result.stdout, re.M)
    assert command, result.stdout
    assert "a//" not in Path(command.group(1).rsplit("< ", 1)[1]).read_text()
    done = subprocess.run(command.group(1), shell=True, cwd=project, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert {p: p.read_bytes() for p in sources} == sources
