"""Building the ``Config``: find ``assetopt.toml`` or ``[tool.assetopt]`` in ``pyproject.toml``, read
it, check every key, lay the command-line flags over it (``load_config``)."""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .keys import CONFIG_KEYS, Config
from .values import coerce_value

__all__ = ["load_config", "with_app_templates", "with_out"]


def _find_config_file(project: Path) -> tuple[Path, dict[str, Any]] | None:
    toml = project / "assetopt.toml"
    if toml.is_file():
        return toml, _read_toml(toml)
    pyproject = project / "pyproject.toml"
    if pyproject.is_file():
        data = _read_toml(pyproject)
        tool = data.get("tool", {})
        section = tool.get("assetopt") if isinstance(tool, dict) else None
        if section is not None:
            if not isinstance(section, dict):
                raise ConfigError(
                    "[tool.assetopt] must be a table of settings",
                    path=str(pyproject),
                    hint="write [tool.assetopt] on its own line, then key = value lines",
                )
            return pyproject, section
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=str(path)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 (byte offset {exc.start}): TOML files are UTF-8", path=str(path), hint="re-save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None


def load_config(project: Path | str = ".", overrides: dict[str, Any] | None = None, cwd: Path | None = None) -> Config:
    """Build the ``Config`` for ``project``. ``overrides`` come from the command line (None = unset)."""
    project = Path(project).resolve()
    if not project.is_dir():
        raise ConfigError(f"project directory {str(project)!r} does not exist")
    cwd = (cwd or Path.cwd()).resolve()
    values: dict[str, Any] = {}
    source = "defaults"
    found = _find_config_file(project)
    if found is not None:
        path, section = found
        where = str(path)
        source = where
        for key, value in section.items():
            if key not in CONFIG_KEYS:
                close = difflib.get_close_matches(key, CONFIG_KEYS, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(CONFIG_KEYS)}"
                raise ConfigError(f"unknown key {key!r} in [tool.assetopt]", path=where, hint=hint)
            values[key] = coerce_value(key, value, path.parent, where)
    for key, value in (overrides or {}).items():
        if value is None or value == ():
            continue
        values[key] = coerce_value(key, list(value) if isinstance(value, tuple) else value, cwd, "command line")
        source = f"{source} + command line" if source != "defaults" else "command line"
    project = Path(values.pop("project", project))
    for key in ("out", "cache_dir"):
        if key not in values:
            values[key] = project / getattr(Config, key)
    if not values.get("static_url", "/static/").endswith("/"):
        raise ConfigError("static_url must end with '/'", path=source)
    return with_app_templates(replace(Config(project=project), source=source, **values))


def with_app_templates(config: Config) -> Config:
    """``include_app_templates``: the library template dirs become the project's own (audited, rewritten)."""
    if not config.include_app_templates or not config.library_templates:
        return config
    own = config.templates + tuple(d for d in config.library_templates if d not in config.templates)
    return replace(config, templates=own, library_templates=())


def with_out(config: Config, out: Path) -> Config:
    """``config`` building into (or reading) the static root ``out`` that a command's ``--out`` names:
    its manifest is ``out``'s own, never the one ``manifest`` names for the configured root."""
    return replace(config, out=out, manifest=None)
