from __future__ import annotations

from pathlib import Path

import pytest

from assetopt.config import load_config
from assetopt.errors import ConfigError


def test_pyproject_section_is_read_relative_to_its_folder(tmp_path: Path):
    (tmp_path / "tpl").mkdir()
    (tmp_path / "st").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.assetopt]\ntemplates = ["tpl"]\nstatic = ["st"]\nstatic_url = "/assets/"\npages = ["x.html"]\n')
    cfg = load_config(tmp_path, cwd=Path("/"))
    assert cfg.templates == ((tmp_path / "tpl").resolve(),)
    assert cfg.static == ((tmp_path / "st").resolve(),)
    assert cfg.static_url == "/assets/"
    assert cfg.pages == ("x.html",)
    assert cfg.out == tmp_path.resolve() / "build"


def test_assetopt_toml_is_read_at_top_level(tmp_path: Path):
    (tmp_path / "t").mkdir()
    (tmp_path / "assetopt.toml").write_text('templates = ["t"]\n')
    assert load_config(tmp_path).templates == ((tmp_path / "t").resolve(),)


def test_command_line_overrides_config_and_is_relative_to_cwd(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "elsewhere" / "b").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text('[tool.assetopt]\ntemplates = ["a"]\nstatic_url = "/s/"\n')
    cfg = load_config(tmp_path, {"templates": ("b",), "static_url": None}, cwd=tmp_path / "elsewhere")
    assert cfg.templates == ((tmp_path / "elsewhere" / "b").resolve(),)
    assert cfg.static_url == "/s/"  # an unset flag does not override


def test_unknown_key_is_an_error_naming_it_and_suggesting(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.assetopt]\ntemplate = ["x"]\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert "unknown key 'template'" in str(info.value)
    assert "did you mean 'templates'" in str(info.value)
    assert info.value.path.endswith("pyproject.toml")


def test_missing_directory_is_an_error_naming_it(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.assetopt]\nstatic = ["nope"]\n')
    with pytest.raises(ConfigError, match="static: directory 'nope' does not exist"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    "toml, message",
    [
        pytest.param("static_url = 3", "static_url must be a string", id="wrong_type"),
        pytest.param('static_url = "/static"', "must end with '/'", id="no_trailing_slash"),
        pytest.param("pages = [1]", "pages must be a list of strings", id="list_of_ints"),
        pytest.param("templates = [", "invalid TOML", id="broken_toml"),
    ],
)
def test_bad_values_are_errors(tmp_path: Path, toml: str, message: str):
    (tmp_path / "pyproject.toml").write_text("[tool.assetopt]\n" + toml + "\n")
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path)


@pytest.mark.parametrize(
    "raw, message",
    [
        pytest.param(b'[tool.assetopt]\nstatic_url = "/st\xe4tic/"\n', r"not UTF-8 \(byte offset 33\)", id="latin1"),
        pytest.param(b"tool = 5\n", None, id="tool_not_a_table"),
        pytest.param(b"[tool]\nassetopt = 3\n", r"\[tool.assetopt\] must be a table", id="section_not_a_table"),
    ],
)
def test_a_malformed_pyproject_is_a_config_error_naming_it(tmp_path: Path, raw: bytes, message: str | None):
    (tmp_path / "pyproject.toml").write_bytes(raw)
    if message is None:  # not ours to judge: no [tool.assetopt] section, defaults
        assert load_config(tmp_path).static_url == "/static/"
        return
    with pytest.raises(ConfigError, match=message) as info:
        load_config(tmp_path)
    assert info.value.path == str(tmp_path / "pyproject.toml")


def test_config_is_frozen(tmp_path: Path):
    cfg = load_config(tmp_path)
    with pytest.raises(AttributeError):
        cfg.static_url = "/x/"  # type: ignore[misc]


@pytest.mark.parametrize(
    "fragments, message",
    [
        pytest.param(
            '[[tool.assetopt.cache]]\ntemplate="a.html"\nselector="nav"\ntimeout=60\nname="1st"\n',
            "must start with a letter",
            id="name_starts_with_digit",
        ),
        pytest.param('[[tool.assetopt.cache]]\ntemplate="a.html"\nselector="nav"\ntimeout=60\nname="قائمة"\n', "ASCII", id="non_ascii_name"),
        pytest.param(
            '[[tool.assetopt.cache]]\ntemplate="a.html"\nselector="nav"\ntimeout=60\nname="menu"\n'
            '[[tool.assetopt.cache]]\ntemplate="b.html"\nselector="nav"\ntimeout=60\nname="menu"\n',
            "used by another fragment",
            id="duplicate_name",
        ),
        pytest.param('[[tool.assetopt.cache]]\ntemplate="a.html"\nselector="nav"\ntimeout=0\nname="m"\n', "positive number", id="zero_timeout"),
        pytest.param('[[tool.assetopt.cache]]\ntemplate="a.html"\nselector="nav"\nname="m"\n', "missing ['timeout']", id="missing_key"),
    ],
)
def test_bad_cache_fragments_are_config_errors(tmp_path: Path, fragments: str, message: str):
    (tmp_path / "pyproject.toml").write_text("[tool.assetopt]\n" + fragments, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert message in str(info.value)


def test_config_round_trips_through_toml(tmp_path: Path):
    from dataclasses import replace

    from assetopt.config import config_to_toml

    (tmp_path / "t").mkdir()
    (tmp_path / "s").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.assetopt]\ntemplates = ["t"]\nstatic = ["s"]\nminify_static = true\nuser_context = ["n"]\n'
        '[tool.assetopt.bundles.v]\nkind = "js"\nfiles = ["a.js", "b \\"q\\".js"]\ndefer = true\n'
        '[tool.assetopt.bundles.p]\nkind = "css"\nfiles = ["p.css"]\nmedia = "print"\n'
        '[[tool.assetopt.cache]]\ntemplate = "x.html"\nselector = "nav .menu"\ntimeout = 60\nname = "menu"\n'
    )
    config = load_config(tmp_path)
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "assetopt.toml").write_text(config_to_toml(config))
    again = load_config(other)
    assert replace(again, project=config.project, source=config.source) == config
