"""Where collectstatic writes, on a fresh ``django-admin startproject`` site (admin on, the assetopt
storage, ``{% bundle %}`` blocks from ``manage.py assetopt rewrite --write``) whose staticfiles storage
names its folder in ``STORAGES["staticfiles"]["OPTIONS"]["location"]``: with ``STATIC_ROOT`` unset, and
with ``STATIC_ROOT`` set to another folder. Django's rule is the storage's ``location`` (which defaults
to ``STATIC_ROOT``); collectstatic, ``manage.py check``, the ``{% bundle %}`` tag and ``manage.py
assetopt`` must all follow it (``conf.static_root()``), or the tag cannot find what collectstatic built.

The commands run from another folder, so a reader that resolved a path against the current directory
fails here too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from startproject_site import Site, assetopt_checks, bundled_site

_COMMON = (
    'DEBUG = False\nASSETOPT.update(BUNDLES=True, STRICT=True)\nSTORAGES["staticfiles"]["OPTIONS"] = {"location": BASE_DIR / "public" / "static"}\n'
)
VARIANTS = {
    "static_root_unset": _COMMON + "del STATIC_ROOT\n",
    "static_root_elsewhere": _COMMON,  # startproject_site sets STATIC_ROOT = BASE_DIR / "staticfiles"
}
_RENDER = """
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
response = Client().get("/")
assert response.status_code == 200, response.status_code
print(response.content.decode())
"""


@pytest.fixture(params=sorted(VARIANTS))
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Site:
    return bundled_site(tmp_path, VARIANTS[request.param])


def _location(site: Site) -> Path:
    return site.root / "public" / "static"


def _nothing_in_static_root(site: Site) -> None:
    """``STATIC_ROOT`` (when set) is not where this site's files go: nothing of ours lands there."""
    assert not (site.root / "staticfiles").exists(), sorted(p.name for p in (site.root / "staticfiles").rglob("*"))


def test_check_collectstatic_and_the_tag_use_the_storage_location(site: Site, tmp_path: Path) -> None:
    manifest = _location(site) / "assetopt-manifest.json"
    before = site.manage("check", "--deploy", cwd=tmp_path)
    assert assetopt_checks(before.stderr) == ["(assetopt.E001)"], before.stderr
    assert f"no manifest at {manifest}" in before.stderr, before.stderr

    site.manage("collectstatic", "--noinput", cwd=tmp_path, check=True)
    assert manifest.is_file()
    _nothing_in_static_root(site)
    after = site.manage("check", "--deploy", cwd=tmp_path)
    assert after.returncode == 0 and assetopt_checks(after.stderr) == [], after.stderr

    html = site.python(_RENDER)  # STRICT: a bundle the tag cannot find in the manifest raises
    hashed = json.loads((_location(site) / "staticfiles.json").read_text())["paths"]
    bundles = json.loads(manifest.read_text())["bundles"].values()
    assert sorted(b["kind"] for b in bundles) == ["css", "js"]
    for bundle in bundles:
        (file,) = bundle["files"]
        assert (_location(site) / hashed[file["name"]]).is_file()
        assert f'/static/{hashed[file["name"]]}"' in html, html
        assert f'integrity="{file["integrity"]}"' in html, html
    assert "css/a.css" not in html and "js/a.js" not in html, html


def test_manage_py_assetopt_reads_and_guards_the_storage_location(site: Site, tmp_path: Path) -> None:
    def not_built() -> list[str]:
        report = tmp_path / "audit.json"
        result = site.manage("assetopt", "audit", "-q", "--json", str(report), cwd=tmp_path)
        assert result.returncode in (0, 1), result.stdout + result.stderr
        pages = json.loads(report.read_text())["pages"]
        return [f["message"] for p in pages for f in p["findings"] if f["code"] == "bundle-not-built"]

    assert not_built()  # nothing built yet: the check below can fail
    site.manage("collectstatic", "--noinput", check=True)
    assert not_built() == []  # audit read the manifest collectstatic wrote into the storage's location

    # build's own folder is the location too: with a manifest storage serving it, build refuses it by that name
    before = {p: p.stat().st_mtime_ns for p in _location(site).rglob("*")}
    result = site.manage("assetopt", "build", "--no-images", "--no-precompress", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"build would write into the staticfiles storage's location ({_location(site)})" in result.stderr, result.stderr
    assert {p: p.stat().st_mtime_ns for p in _location(site).rglob("*")} == before  # nothing written
    _nothing_in_static_root(site)
