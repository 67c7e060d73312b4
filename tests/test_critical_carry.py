"""Critical CSS across builds: a real ``assetopt build`` (the command line) and a real collectstatic
carry a bundle's critical CSS over from the manifest they replace only while the bundle's bytes and
every template are what it was measured from; otherwise they drop it and say so.

These tests are about the carry-over rule, not the measurement: the critical entry is written with
``write_critical`` (as ``assetopt critical`` writes it) for a build made here, with the bundle's SRI
computed here from the file on disk. The measurement itself, and the carry after a real one, are in
test_critical_css_browser.py and test_critical_css_django.py."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import django_settings
import pytest
from click.testing import CliRunner

from assetopt.build.critical import LOADER_JS, CriticalResult, MeasuredFrom, write_critical
from assetopt.build.critical_carry import templates_digest
from assetopt.build.manifest import MANIFEST_NAME, load_manifest
from assetopt.cli import cli
from assetopt.config import load_config
from assetopt.io.project import Project

LOAD = "{% load static assetopt %}\n"
PAGE = (
    LOAD + '<html><head>{% bundle "css" %}\n<link rel="stylesheet" href="{% static \'css/a.css\' %}">\n{% endbundle %}</head><body>x</body></html>\n'
)
A_CSS = ".top { color: red; }\n.below { margin: 0; }\n"
CRITICAL = ".top{color:red}"
WHEN = "2026-12-07T18:00:00Z"
AGAIN = "run `assetopt critical` (or manage.py assetopt critical) to measure it again"


@pytest.fixture(scope="module", autouse=True)
def django_configured() -> None:
    django_settings.configure()


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def measure(root: Path, project: Project, *, served_as: dict[str, str] | None = None, with_inputs: bool = True) -> dict[str, object]:
    """Record critical CSS for the one CSS bundle of ``root``'s manifest, as ``assetopt critical``
    records it (the bundle file's SRI taken from the served file, here: Django's hashed copy when
    ``served_as`` maps names); returns the manifest's JSON entry for it."""
    path = root / MANIFEST_NAME
    manifest = load_manifest(path)
    ((key, bundle),) = manifest.bundles.items()
    name = bundle.files[0].name
    served = root / (served_as or {}).get(name, name)
    measured = MeasuredFrom(templates_digest(project), {key: sri(served.read_bytes())}, WHEN) if with_inputs else None
    write_critical(manifest, path, {key: (CriticalResult(CRITICAL), ("/",), ("mobile", "desktop"))}, measured)
    entry = json.loads(path.read_text())["bundles"][key]["critical"]
    assert entry["css"] == CRITICAL
    return dict(entry)


def critical_entries(root: Path) -> dict[str, object]:
    return {k: b.get("critical") for k, b in json.loads((root / MANIFEST_NAME).read_text())["bundles"].items()}


# ------------------------------------------------------------------------------ assetopt build


@dataclass
class Cli:
    tmp: Path
    out: Path

    def build(self) -> str:
        args = ["build", "--project", str(self.tmp), "--templates", str(self.tmp / "templates"), "--static", str(self.tmp / "static")]
        result = CliRunner().invoke(cli, [*args, "--out", str(self.out), "--no-precompress"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    def project(self) -> Project:
        return Project(load_config(self.tmp, {"templates": (str(self.tmp / "templates"),), "static": (str(self.tmp / "static"),)}, cwd=self.tmp))

    def bundle_name(self) -> str:
        ((bundle,),) = ([b["files"][0]["name"] for b in json.loads((self.out / MANIFEST_NAME).read_text())["bundles"].values()],)
        return str(bundle)


@pytest.fixture
def built(tmp_path: Path) -> Cli:
    (tmp_path / "templates/partials").mkdir(parents=True)
    (tmp_path / "static/css").mkdir(parents=True)
    (tmp_path / "templates/page.html").write_text(PAGE)
    (tmp_path / "templates/partials/footer.html").write_text("<footer>f</footer>\n")
    (tmp_path / "static/css/a.css").write_text(A_CSS)
    b = Cli(tmp_path, tmp_path / "out")
    b.build()
    return b


def test_a_build_with_nothing_changed_keeps_the_critical_css_byte_for_byte(built: Cli):
    entry = measure(built.out, built.project())
    before = (built.out / MANIFEST_NAME).read_bytes()
    output = built.build()
    assert f"critical CSS of {built.bundle_name()} kept: measured {WHEN} on /; the bundle and the templates are unchanged" in output
    assert list(critical_entries(built.out).values()) == [entry]
    assert (built.out / MANIFEST_NAME).read_bytes() == before  # the whole manifest: nothing to rewrite


def test_a_changed_css_source_drops_it_and_says_so(built: Cli):
    measure(built.out, built.project())
    (built.tmp / "static/css/a.css").write_text(A_CSS + ".new { color: blue; }\n")
    output = built.build()
    assert f"critical CSS of {built.bundle_name()} dropped: the bundle changed since it was measured; {AGAIN}" in output
    assert list(critical_entries(built.out).values()) == [None]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda t: (t / "templates/partials/footer.html").write_text("<footer>g</footer>\n"), id="an_included_template_edited"),
        pytest.param(lambda t: (t / "templates/page.html").write_text(PAGE.replace("<body>x", "<body>y")), id="the_bundles_template_edited"),
        pytest.param(lambda t: (t / "templates/new.html").write_text("<p>new</p>\n"), id="a_template_added"),
        pytest.param(lambda t: (t / "templates/partials/footer.html").unlink(), id="a_template_removed"),
    ],
)
def test_a_changed_template_drops_it_and_says_so(built: Cli, change):
    measure(built.out, built.project())
    change(built.tmp)
    output = built.build()
    assert f"critical CSS of {built.bundle_name()} dropped: templates changed since it was measured; {AGAIN}" in output
    assert list(critical_entries(built.out).values()) == [None]


def test_critical_css_of_an_older_manifest_without_what_it_was_measured_from_is_dropped(built: Cli):
    entry = measure(built.out, built.project(), with_inputs=False)
    assert sorted(entry) == ["css", "hash", "pages", "viewports"]  # as assetopt wrote it before
    output = built.build()
    assert (
        f"critical CSS of {built.bundle_name()} dropped: it was measured by an older assetopt, which did not record what it was measured from; {AGAIN}"
        in output
    )
    assert list(critical_entries(built.out).values()) == [None]


def test_critical_css_of_another_algorithm_version_is_dropped(built: Cli):
    measure(built.out, built.project())
    path = built.out / MANIFEST_NAME
    data = json.loads(path.read_text())
    for b in data["bundles"].values():
        b["critical"]["algorithm"] = 2  # as measured before root states (a saved dark theme) were relaxed
    path.write_text(json.dumps(data))
    output = built.build()
    assert f"critical CSS of {built.bundle_name()} dropped: it was measured by critical CSS algorithm 2, this assetopt has 3; {AGAIN}" in output
    assert list(critical_entries(built.out).values()) == [None]


def test_a_build_without_critical_css_before_prints_nothing_about_it(built: Cli):
    assert "critical CSS" not in built.build()


# ------------------------------------------------------------------------------ collectstatic


@dataclass
class Site:
    tmp: Path
    root: Path

    def collect(self) -> object:
        from django.contrib.staticfiles.storage import staticfiles_storage
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        return staticfiles_storage._wrapped

    def hashed(self) -> dict[str, str]:
        return dict(json.loads((self.root / "staticfiles.json").read_text())["paths"])

    def project(self) -> Project:
        from assetopt.contrib.django.project import config_from_settings

        return Project(config_from_settings())

    def render(self) -> str:
        from django.template import engines

        return engines["django"].get_template("page.html").render({})


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    from django.test.utils import override_settings

    (tmp_path / "templates").mkdir()
    (tmp_path / "static/css").mkdir(parents=True)
    (tmp_path / "templates/page.html").write_text(PAGE)
    (tmp_path / "static/css/a.css").write_text(A_CSS)
    s = Site(tmp_path, tmp_path / "static_root")
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "assetopt.contrib.django.storage.AssetoptManifestStaticFilesStorage"},
    }
    with override_settings(
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [str(tmp_path / "templates")], "APP_DIRS": False}],
        STATICFILES_DIRS=[str(tmp_path / "static")],
        STATIC_ROOT=str(s.root),
        STORAGES=storages,
        DEBUG=False,
        ASSETOPT={"BUNDLES": True, "STRICT": True, "CACHE_DIR": str(tmp_path / ".assetopt-cache")},
    ):
        s.collect()
        yield s


def expected_markup(site: Site) -> str:
    (bundle,) = [n for n in site.hashed() if n.startswith("assetopt/")]
    served = site.hashed()[bundle]
    link = f'href="/static/{served}" integrity="{sri((site.root / served).read_bytes())}"'
    return (
        f"<style>{CRITICAL}</style>\n"
        f'<link rel="preload" as="style" fetchpriority="low" {link}>\n'
        f"<script>{LOADER_JS}</script>\n"
        f'<noscript><link rel="stylesheet" {link}></noscript>'
    )


def test_a_collectstatic_with_nothing_changed_keeps_it_and_the_tag_prints_it(site: Site, caplog: pytest.LogCaptureFixture):
    entry = measure(site.root, site.project(), served_as=site.hashed())
    page = site.render()
    assert expected_markup(site) in page
    with caplog.at_level(logging.INFO, logger="assetopt"):
        storage = site.collect()
    (bundle,) = [n for n in site.hashed() if n.startswith("assetopt/")]
    kept = f"critical CSS of {bundle} kept: measured {WHEN} on /; the bundle and the templates are unchanged"
    assert storage.last_critical == [kept]  # type: ignore[attr-defined]
    # logged at INFO: nothing went wrong, so nothing for a CI or an error tracker that watches warnings
    assert [(r.levelno, r.getMessage()) for r in caplog.records if "critical CSS" in r.getMessage()] == [(logging.INFO, f"assetopt: {kept}")]
    assert list(critical_entries(site.root).values()) == [entry]
    assert site.render() == page  # byte for byte what the tag printed after the measurement


def test_the_rollback_setting_still_wins_over_carried_critical_css(site: Site):
    from django.test.utils import override_settings

    measure(site.root, site.project(), served_as=site.hashed())
    site.collect()
    assert expected_markup(site) in site.render()
    with override_settings(ASSETOPT={"BUNDLES": True, "CRITICAL_CSS": False}):
        page = site.render()
    (bundle,) = [n for n in site.hashed() if n.startswith("assetopt/")]
    served = site.hashed()[bundle]
    assert f'<head><link rel="stylesheet" href="/static/{served}" integrity="{sri((site.root / served).read_bytes())}"></head>' in page, page
    assert "<style" not in page


@pytest.mark.parametrize(
    ("change", "why"),
    [
        pytest.param(lambda t: (t / "static/css/a.css").write_text(A_CSS + ".new { color: blue; }\n"), "the bundle changed", id="css_changed"),
        pytest.param(
            lambda t: (t / "templates/page.html").write_text(PAGE.replace("<body>x", "<body>y")), "templates changed", id="template_changed"
        ),
    ],
)
def test_a_collectstatic_after_a_change_drops_it_and_says_so(site: Site, caplog: pytest.LogCaptureFixture, change, why):
    measure(site.root, site.project(), served_as=site.hashed())
    change(site.tmp)
    with caplog.at_level(logging.WARNING, logger="assetopt"):
        site.collect()
    (bundle,) = [n for n in site.hashed() if n.startswith("assetopt/")]
    assert f"assetopt: critical CSS of {bundle} dropped: {why} since it was measured; {AGAIN}" in caplog.messages
    assert list(critical_entries(site.root).values()) == [None]
    assert "<style" not in site.render() and '<link rel="stylesheet" href="/static/assetopt/' in site.render()


def test_a_collectstatic_over_an_older_manifest_drops_it(site: Site, caplog: pytest.LogCaptureFixture):
    measure(site.root, site.project(), served_as=site.hashed(), with_inputs=False)
    with caplog.at_level(logging.WARNING, logger="assetopt"):
        site.collect()
    assert any("dropped: it was measured by an older assetopt" in m for m in caplog.messages), caplog.messages
    assert list(critical_entries(site.root).values()) == [None]


@pytest.mark.parametrize(
    ("field", "value"),
    [("algorithm", "1"), ("algorithm", True), ("algorithm", 0), ("integrity", "sha256-x"), ("templates_digest", "md5-x"), ("measured_at", 5)],
)
def test_a_malformed_measured_from_field_is_a_manifest_error_naming_it(built: Cli, field, value):
    from assetopt.errors import ManifestError

    measure(built.out, built.project())
    path = built.out / MANIFEST_NAME
    data = json.loads(path.read_text())
    for b in data["bundles"].values():
        b["critical"][field] = value
    path.write_text(json.dumps(data))
    with pytest.raises(ManifestError, match=f"critical {field} "):
        load_manifest(path)


def test_an_unreadable_previous_manifest_carries_nothing_and_says_so(built: Cli):
    (built.out / MANIFEST_NAME).write_text('{"schema": "assetopt.manifest", "version": 1, "bundles": {"k": {"files": "no"}}}')
    output = built.build()
    assert "critical CSS: none carried over, the previous manifest is unreadable (" in output, output
    assert list(critical_entries(built.out).values()) == [None]  # and the build wrote a good one
