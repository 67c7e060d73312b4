"""``ASSETOPT["MANIFEST"]`` outside ``STATIC_ROOT`` on a fresh ``django-admin startproject`` site (admin on,
the assetopt storage, ``{% bundle %}`` blocks from ``manage.py assetopt rewrite --write``): collectstatic,
``manage.py check``, every ``manage.py assetopt`` command that reads or writes the manifest (audit, build,
critical) and the ``{% bundle %}`` tag all use the one file the setting names, and none of them puts an
``assetopt-manifest.json`` into ``STATIC_ROOT``.

The setting is relative (to ``BASE_DIR``) and the commands run from another folder, so a reader that
resolved it against the current directory, or fell back to ``STATIC_ROOT``, fails here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser_support import needs_chromium
from startproject_site import Site, assetopt_checks, bundled_site, make_site

SETTINGS = 'DEBUG = False\nASSETOPT.update(MANIFEST="private/assetopt-manifest.json", BUNDLES=True, STRICT=True)\n'
# The home page as the site serves it (DEBUG off: Django's hashed names; STRICT: a bundle the manifest
# lacks raises instead of printing the original tags).
_RENDER = """
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
response = Client().get("/")
assert response.status_code == 200, response.status_code
print(response.content.decode())
"""


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return bundled_site(tmp_path, SETTINGS)


def _manifest(site: Site) -> Path:
    return site.root / "private" / "assetopt-manifest.json"


def _in_static_root(site: Site) -> list[str]:
    return sorted(p.name for p in (site.root / "staticfiles").glob("assetopt-manifest.json*"))


def test_check_collectstatic_and_the_tag_use_the_manifest_setting(site: Site, tmp_path: Path) -> None:
    before = site.manage("check", "--deploy", cwd=tmp_path)
    assert assetopt_checks(before.stderr) == ["(assetopt.E001)"], before.stderr
    assert f"no manifest at {_manifest(site)}" in before.stderr, before.stderr

    site.manage("collectstatic", "--noinput", cwd=tmp_path, check=True)
    assert _manifest(site).is_file() and _in_static_root(site) == []
    after = site.manage("check", "--deploy", cwd=tmp_path)
    assert after.returncode == 0 and assetopt_checks(after.stderr) == [], after.stderr

    html = site.python(_RENDER)
    hashed = json.loads((site.root / "staticfiles" / "staticfiles.json").read_text())["paths"]
    bundles = json.loads(_manifest(site).read_text())["bundles"].values()
    assert sorted(b["kind"] for b in bundles) == ["css", "js"]
    for bundle in bundles:
        (file,) = bundle["files"]
        assert f'/static/{hashed[file["name"]]}"' in html, html  # Django's hashed copy of the built file
        assert f'integrity="{file["integrity"]}"' in html, html
    assert "css/a.css" not in html and "js/a.js" not in html, html


def test_audit_measures_the_bundles_the_manifest_setting_names(site: Site, tmp_path: Path) -> None:
    def not_built() -> list[str]:
        report = tmp_path / "audit.json"
        site.manage("assetopt", "audit", "-q", "--json", str(report), cwd=tmp_path, check=True)
        pages = json.loads(report.read_text())["pages"]
        return [f["message"] for p in pages for f in p["findings"] if f["code"] == "bundle-not-built"]

    assert not_built()  # nothing built yet: the check below can fail
    site.manage("collectstatic", "--noinput", check=True)
    assert not_built() == []


def test_assetopt_build_writes_the_manifest_the_setting_names(tmp_path: Path) -> None:
    # Into STATIC_ROOT only with a storage that is no manifest storage: with one (assetopt's), pages find
    # files through staticfiles.json, which never names what this build writes, so the command refuses
    # STATIC_ROOT and collectstatic is the build there (test_django_third_party.py).
    site = make_site(tmp_path, SETTINGS + 'STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}\n')
    site.manage("assetopt", "rewrite", "--write", "--only", "bundles", check=True)
    result = site.manage("assetopt", "build", "--no-images", "--no-precompress", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    built = json.loads(_manifest(site).read_text())["bundles"].values()
    assert built and all((site.root / "staticfiles" / f["name"]).is_file() for b in built for f in b["files"])
    assert _in_static_root(site) == []
    html = site.python(_RENDER)  # STRICT: a bundle the tag cannot serve raises
    assert all(f'/static/{f["name"]}"' in html for b in built for f in b["files"]), html

    # --out names another static root: the manifest goes with it, the setting's file is left alone
    elsewhere = tmp_path / "other-root"
    written = _manifest(site).read_bytes()
    site.manage("assetopt", "build", "--no-images", "--no-precompress", "--out", str(elsewhere), check=True)
    assert (elsewhere / "assetopt-manifest.json").is_file() and _manifest(site).read_bytes() == written


@needs_chromium
def test_assetopt_critical_reads_and_writes_the_manifest_the_tag_reads(site: Site, tmp_path: Path) -> None:
    site.manage("collectstatic", "--noinput", check=True)
    result = site.manage("assetopt", "critical", "--work", str(tmp_path / "work"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _in_static_root(site) == []
    bundles = json.loads(_manifest(site).read_text())["bundles"].values()
    (critical,) = [b["critical"]["css"] for b in bundles if "critical" in b]
    assert "margin:0" in critical.replace(" ", ""), critical  # body { margin: 0 } styles the first screen

    head = site.python(_RENDER).split("</head>")[0]
    # the tag printed what critical wrote, its url()s made absolute (the bundle is /static/assetopt/...)
    assert 'url("../img/' in critical, critical
    inlined = critical.replace('url("../img/', 'url("/static/img/')
    assert f"<style>{inlined}</style>" in head, head
