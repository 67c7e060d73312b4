"""The command line: exit codes (0 ok, 1 findings, 2 usage), JSON output, help with examples."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from assetopt.cli import cli


@pytest.fixture
def site(tmp_path: Path, write_tree, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write_tree(
        tmp_path,
        {
            "templates/base.html": "<html><head><link rel='stylesheet' href='/static/a.css'><link rel='stylesheet' href='/static/b.css'></head>"
            "<body>{% block content %}{% endblock %}</body></html>",
            "templates/home.html": "{% extends 'base.html' %}{% block content %}<img src='/static/i.png'><img src='/static/j.png'>{% endblock %}",
            "static/a.css": "a{color:red}",
            "static/b.css": "b{color:blue}",
            "static/i.png": "i",
            "static/j.png": "j",
        },
    )
    return tmp_path


def run(args: list[str], cwd: Path):
    """Run the CLI in ``cwd`` (the ``site`` fixture has already chdir'ed there)."""
    assert Path.cwd() == cwd
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def test_every_command_has_help_with_an_example(site: Path):
    for command in cli.commands:
        result = run([command, "--help"], site)
        assert result.exit_code == 0, result.output
        assert "Example" in result.output, command


def test_top_level_help_lists_every_command_in_its_overview(site: Path):
    """The overview lines ("assetopt NAME  what it does") are written by hand: a new command must
    appear there too, not only in click's own list below them."""
    result = run(["--help"], site)
    assert result.exit_code == 0, result.output
    overview = result.output.split("Options:")[0]
    missing = [name for name in cli.commands if f"assetopt {name} " not in overview]
    assert not missing, f"commands missing from the overview of `assetopt --help`: {missing}"


def test_audit_prints_table_and_writes_json_baseline(site: Path):
    result = run(["audit", "--templates", "templates", "--static", "static", "--json", "out/before.json"], site)
    assert result.exit_code == 0, result.output
    assert "home.html" in result.output and "total (1 pages)" in result.output
    data = json.loads((site / "out/before.json").read_text())
    assert (data["schema"], data["version"]) == ("assetopt.audit", 1)
    (page,) = data["pages"]
    assert page["name"] == "home.html"
    assert page["counts"]["css"] == 2 and page["counts"]["img_eager"] == 2
    assert page["bundled_estimate"] == {"css": 1, "js": 0}
    assert {r["kind"] for r in page["requests"]} == {"css", "img"}
    assert all({"code", "severity", "path", "line", "message", "fix"} <= f.keys() for f in page["findings"])


def test_fail_on_threshold_exits_1_naming_page_and_value(site: Path):
    result = run(["audit", "--templates", "templates", "--static", "static", "-q", "--fail-on", "css>1,eager_img>5"], site)
    assert result.exit_code == 1
    assert "fail-on: home.html: css>1 (is 2)" in result.output
    ok = run(["audit", "--templates", "templates", "--static", "static", "-q", "--fail-on", "css>2"], site)
    assert ok.exit_code == 0


def test_fail_on_image_bytes(site: Path):
    (site / "static/i.png").write_bytes(b"\x89PNG" + bytes(range(256)) * 8)  # 2052 bytes, brotli keeps ~all of it
    over = run(["audit", "--templates", "templates", "--static", "static", "-q", "--fail-on", "img_bytes>2k"], site)
    assert over.exit_code == 1, over.output
    assert "fail-on: home.html: img_bytes>2k (is 2053)" in over.output  # i.png 2052 + j.png 1
    ok = run(["audit", "--templates", "templates", "--static", "static", "-q", "--fail-on", "img_bytes>3k,img_br>3k"], site)
    assert ok.exit_code == 0, ok.output


@pytest.mark.parametrize(
    "args, message",
    [
        pytest.param(["audit"], "no template dirs configured", id="no_templates"),
        pytest.param(["audit", "--templates", "missing"], "templates: directory 'missing' does not exist", id="missing_dir"),
        pytest.param(["audit", "--templates", "templates", "--fail-on", "css>>1"], "cannot read condition", id="bad_expr"),
        pytest.param(["audit", "--templates", "templates", "--fail-on", "cssx>1"], "unknown metric 'cssx'", id="bad_metric"),
        pytest.param(["audit", "--bogus"], "No such option", id="bad_flag"),
    ],
)
def test_usage_errors_exit_2_with_a_message(site: Path, args: list[str], message: str):
    result = run(args, site)
    assert result.exit_code == 2
    assert message in result.output


def test_unknown_config_key_exits_2(site: Path):
    (site / "pyproject.toml").write_text("[tool.assetopt]\ntemplatez = ['templates']\n")
    result = run(["audit"], site)
    assert result.exit_code == 2
    assert "unknown key 'templatez'" in result.output and "pyproject.toml" in result.output


@pytest.mark.parametrize(
    "cache_dir, message",
    [
        pytest.param("static/a.css", "is a file: it must be a folder", id="a_file"),
        pytest.param("static/a.css/cache", "is below the file", id="below_a_file"),
        pytest.param("bad\\u0000name", "is not a valid path", id="a_nul_character"),
    ],
)
@pytest.mark.parametrize("command", ["build", "audit"])
def test_a_cache_dir_that_cannot_be_a_folder_is_a_usage_error_not_a_traceback(site: Path, command: str, cache_dir: str, message: str):
    (site / "pyproject.toml").write_text(f'[tool.assetopt]\ntemplates = ["templates"]\nstatic = ["static"]\ncache_dir = "{cache_dir}"\n')
    result = run([command], site)
    assert result.exit_code == 2
    assert "cache_dir" in result.output and message in result.output and "pyproject.toml" in result.output
    assert "internal error" not in result.output and "Traceback" not in result.output


def test_unreadable_template_exits_1_and_is_named(site: Path):
    (site / "templates/broken.html").write_bytes(b"<html>\xff</html>")
    result = run(["audit", "--templates", "templates", "--static", "static"], site)
    assert result.exit_code == 1
    assert "templates/broken.html:1: not UTF-8" in result.output


def test_optimize_browser_outside_this_repository_needs_settings_and_urls(tmp_path, monkeypatch):
    (tmp_path / "templates").mkdir()
    (tmp_path / "static").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.assetopt]\ntemplates = ["templates"]\nstatic = ["static"]\n')
    monkeypatch.chdir(tmp_path)
    from click.testing import CliRunner

    from assetopt.cli import cli

    result = CliRunner().invoke(cli, ["optimize", "--browser"])
    assert result.exit_code == 2 and "--settings MODULE" in result.output
    result = CliRunner().invoke(cli, ["optimize", "--browser", "--settings", "mysite.settings", "--url", "en/"])
    assert result.exit_code == 2 and "a path starting with /" in result.output


def test_a_project_with_its_own_example_manage_py_gets_no_demo_settings(tmp_path, monkeypatch):
    """The library knows no demo site: a user project that happens to have example/manage.py is asked
    for its settings and pages like any other (it used to render with this repository's erp.settings)."""
    for folder in ("templates", "static", "example"):
        (tmp_path / folder).mkdir()
    (tmp_path / "example/manage.py").write_text("# someone else's project\n")
    (tmp_path / "pyproject.toml").write_text('[tool.assetopt]\ntemplates = ["templates"]\nstatic = ["static"]\n')
    monkeypatch.chdir(tmp_path)
    from click.testing import CliRunner

    from assetopt.cli import cli

    result = CliRunner().invoke(cli, ["audit", "--browser", "--json", "before.json"])
    assert result.exit_code == 2 and "--settings MODULE" in result.output
    result = CliRunner().invoke(cli, ["audit", "--browser", "--json", "before.json", "--settings", "mysite.settings"])
    assert result.exit_code == 2 and "at least one --url PAGE" in result.output


def test_browser_settings_pages_and_pythonpath_come_from_the_config(tmp_path):
    from assetopt.cli.browser_args import browser_args
    from assetopt.config import load_config

    (tmp_path / "site").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.assetopt]\nsettings = "shop.settings"\npythonpath = ["site"]\nurls = ["/", "shop:cart"]\n')
    config = load_config(tmp_path)
    assert browser_args(config, None, ()) == ("shop.settings", (tmp_path / "site").resolve(), ["/", "shop:cart"])
    assert browser_args(config, "other.settings", ("/x/",)) == ("other.settings", (tmp_path / "site").resolve(), ["/x/"])


def test_snapshot_paths_keep_the_page_url():
    from assetopt.browser.snapshots import served_path, snapshot_relpath

    assert (snapshot_relpath("/en/"), served_path("/en/")) == ("en/index.html", "/en/")
    assert (snapshot_relpath("/"), served_path("/")) == ("index.html", "/")
    assert (snapshot_relpath("/en/about"), served_path("/en/about")) == ("en/about.html", "/en/about.html")


def test_build_no_images_copies_images_as_they_are(site: Path):
    from PIL import Image

    img = Image.new("RGB", (64, 48))
    img.putdata([(x * 4, y * 5, 128) for y in range(48) for x in range(64)])
    img.save(site / "static/photo.png", compress_level=0)  # uncompressed: the image step would shrink it
    original = (site / "static/photo.png").read_bytes()
    result = run(["build", "--templates", "templates", "--static", "static", "--out", "out", "--no-images"], site)
    assert result.exit_code == 0, result.output
    assert (site / "out/photo.png").read_bytes() == original
    assert not (site / "out/photo.webp").exists()
    optimized = run(["build", "--templates", "templates", "--static", "static", "--out", "out2"], site)
    assert optimized.exit_code == 0 and len((site / "out2/photo.png").read_bytes()) < len(original)  # the flag mattered


def test_audit_and_verify_help_teach_the_browser_flow(site: Path):
    audit_help = run(["audit", "--help"], site).output
    assert "assetopt audit --browser --settings mysite.settings --url /en/" in audit_help
    assert "verify --browser" in audit_help
    verify_help = " ".join(run(["verify", "--help"], site).output.split())
    assert "assetopt verify --baseline before.json --browser --report report.html" in verify_help
    assert "2 usage error (also: a baseline without browser measurements" in verify_help


def test_the_browser_flags_are_the_same_flags_on_audit_verify_and_optimize():
    """One spelling of --browser/--settings/--url/--user/--no-throttle: the same parameter, kind and
    metavar on every command; only the help says what the flag does there."""
    expected = {
        "--browser": ("browser", True, False, None),
        "--settings": ("settings_module", False, False, "MODULE"),
        "--url": ("urls", False, True, "PAGE"),
        "--user": ("user", False, False, "USERNAME"),
        "--no-throttle": ("no_throttle", True, False, None),
    }
    url_helps = set()
    for name in ("audit", "verify", "optimize"):
        options = {p.opts[0]: p for p in cli.commands[name].params if isinstance(p, click.Option)}
        # verify's --user repeats: --cache renders as every user (--browser still takes one)
        want = {**expected, "--user": ("user", False, True, "USERNAME")} if name == "verify" else expected
        assert {flag: (options[flag].name, options[flag].is_flag, options[flag].multiple, options[flag].metavar) for flag in expected} == want, name
        url_helps.add(options["--url"].help)
    assert len(url_helps) == 3  # verify's --url filters the baseline's pages; audit's and optimize's render them


def test_browser_options_refuse_a_flag_without_its_help():
    from assetopt.cli.browser_args import browser_options

    with pytest.raises(TypeError, match=r"needs a help text for each of .*'user'.*, got \['browser', 'no_throttle', 'settings', 'url'\]"):
        browser_options(browser="b", settings="s", url="u", no_throttle="n")
