"""The ``manifest`` key: where the command line writes and reads ``assetopt-manifest.json`` when it is
not ``out``'s own (``manage.py assetopt`` sets it from ``ASSETOPT["MANIFEST"]``, the file collectstatic
writes and the tags read; ``tests/test_django_manifest_path.py`` runs that on a real site). Every reader
and writer goes through ``manifest_file(config)``; a command's ``--out`` names another static root, with
its own manifest."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from assetopt.build.manifest import MANIFEST_NAME, manifest_file
from assetopt.cli import cli
from assetopt.config import config_to_toml, load_config, with_out
from assetopt.errors import ConfigError

PAGE = """{% load static assetopt %}<!DOCTYPE html>
<html><head><title>t</title>
{% bundle "css" %}
<link rel="stylesheet" href="{% static 'css/a.css' %}">
<link rel="stylesheet" href="{% static 'css/b.css' %}">
{% endbundle %}
</head><body><h1>x</h1></body></html>
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project whose config keeps the manifest in ``private/`` beside ``out`` (``public/``)."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text(PAGE)
    (tmp_path / "static" / "css").mkdir(parents=True)
    (tmp_path / "static" / "css" / "a.css").write_text("".join(f".a{i} {{ margin: {i}px; }}\n" for i in range(50)))
    (tmp_path / "static" / "css" / "b.css").write_text("".join(f".b{i} {{ padding: {i}px; }}\n" for i in range(50)))
    (tmp_path / "assetopt.toml").write_text(
        'templates = ["templates"]\nstatic = ["static"]\nout = "public"\nmanifest = "private/assetopt-manifest.json"\nimages = false\n'
    )
    return tmp_path


def run(project: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [args[0], "--project", str(project), *args[1:]], catch_exceptions=False)
    return result.exit_code, result.output


def test_manifest_defaults_to_the_out_folders_own_and_is_not_written_back(tmp_path: Path) -> None:
    (tmp_path / "assetopt.toml").write_text('out = "public"\n')
    config = load_config(tmp_path)
    assert config.manifest is None and manifest_file(config) == tmp_path / "public" / MANIFEST_NAME
    assert "\nmanifest = " not in config_to_toml(config)  # read back, it is still out's own


def test_manifest_is_relative_to_the_config_file_and_round_trips_through_toml(project: Path) -> None:
    config = load_config(project, cwd=project.parent)
    assert manifest_file(config) == project / "private" / MANIFEST_NAME
    other = project / "elsewhere"
    other.mkdir()
    (other / "assetopt.toml").write_text(config_to_toml(config))  # what manage.py assetopt hands the CLI
    again = load_config(other)
    assert replace(again, project=config.project, source=config.source) == config


def test_with_out_gives_the_other_static_root_its_own_manifest(project: Path) -> None:
    config = with_out(load_config(project), project / "other")
    assert manifest_file(config) == project / "other" / MANIFEST_NAME


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param('"private"', "is a folder: it names the file", id="a_folder"),
        pytest.param('"a-file/assetopt-manifest.json"', "is below the file", id="below_a_file"),
        pytest.param("3", "manifest must be a path string", id="not_a_string"),
    ],
)
def test_a_manifest_that_cannot_be_a_file_is_a_config_error(tmp_path: Path, value: str, message: str) -> None:
    (tmp_path / "private").mkdir()
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "assetopt.toml").write_text(f"manifest = {value}\n")
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path)


def test_build_writes_the_configured_manifest_and_audit_reads_it(project: Path) -> None:
    def not_built() -> list[str]:
        assert run(project, "audit", "-q", "--json", str(project / "audit.json"))[0] == 0
        pages = json.loads((project / "audit.json").read_text())["pages"]
        return [f["code"] for p in pages for f in p["findings"] if f["code"] == "bundle-not-built"]

    assert not_built() == ["bundle-not-built"]
    code, output = run(project, "build", "-j", "1")
    assert code == 0, output
    manifest = json.loads((project / "private" / MANIFEST_NAME).read_text())
    ((name,),) = [[f["name"] for f in b["files"]] for b in manifest["bundles"].values()]
    assert (project / "public" / name).is_file()
    # nothing of the manifest in the served root, nor .gz/.br siblings beside the private one
    assert sorted(p.name for p in (project / "public").glob("assetopt-manifest*")) == []
    assert sorted(p.name for p in (project / "private").iterdir()) == [MANIFEST_NAME]
    assert not_built() == []


def test_build_with_out_writes_that_roots_manifest_and_leaves_the_configured_one(project: Path) -> None:
    assert run(project, "build", "-j", "1")[0] == 0
    configured = (project / "private" / MANIFEST_NAME).read_bytes()
    code, output = run(project, "build", "-j", "1", "--out", str(project / "other"))
    assert code == 0, output
    assert json.loads((project / "other" / MANIFEST_NAME).read_text())["bundles"]
    assert (project / "private" / MANIFEST_NAME).read_bytes() == configured


def test_critical_looks_for_the_configured_manifest(project: Path) -> None:
    """Before a build it names the configured file (not ``out``'s), without starting a browser."""
    (project / "public").mkdir()
    (project / "public" / MANIFEST_NAME).write_text("{}")  # a stale one in the served root is not it
    code, output = run(project, "critical", "--settings", "x.settings", "--url", "/")
    assert code == 2 and "private/assetopt-manifest.json does not exist: build first" in output, output


def test_verify_and_audit_browser_render_with_the_configured_manifest(project: Path) -> None:
    from assetopt.browser.measure import side_of

    config = load_config(project)
    assert side_of(config).assetopt == {"BUNDLES": False}  # not built yet: the sources, bundling off
    assert run(project, "build", "-j", "1")[0] == 0
    side = side_of(config)
    assert side.assetopt == {"BUNDLES": True, "STRICT": True, "MANIFEST": str(project / "private" / MANIFEST_NAME)}
    assert side.static == (project / "public",)
