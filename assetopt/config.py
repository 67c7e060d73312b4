"""One frozen configuration value, built in one place.

Precedence: command-line flags over ``[tool.assetopt]`` in ``pyproject.toml`` (or the top level of
``assetopt.toml``) over defaults. Relative paths in a config file are relative to that file's folder;
relative paths given on the command line are relative to the current directory.

An unknown key, a wrong type or a missing directory is a ``ConfigError`` that names it.
"""
from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["Config", "load_config", "CONFIG_KEYS"]


@dataclass(frozen=True)
class Config:
    project: Path
    templates: tuple[Path, ...] = ()
    static: tuple[Path, ...] = ()
    static_url: str = "/static/"
    out: Path = Path("build")
    cache_dir: Path = Path(".assetopt-cache")
    pages: tuple[str, ...] = ()  # template names audited as pages even if not full documents
    exclude: tuple[str, ...] = ()  # glob patterns of template names to skip
    minify_static: bool = False  # build: also minify the CSS/JS files outside bundles
    source: str = "defaults"  # where the settings came from, for messages

    def describe(self) -> str:
        return self.source


# key -> (type check, help). Types: "dirs", "str", "path", "strs".
CONFIG_KEYS: dict[str, tuple[str, str]] = {
    "templates": ("dirs", "template directories, searched in order like Django's DIRS"),
    "static": ("dirs", "static source directories, searched in order like STATICFILES_DIRS"),
    "static_url": ("str", "the STATIC_URL prefix, e.g. /static/"),
    "out": ("path", "output directory of build/optimize"),
    "cache_dir": ("path", "cache directory (content-addressed; safe to delete)"),
    "pages": ("strs", "template names to audit as pages even if they are not full documents"),
    "exclude": ("strs", "glob patterns of template names to skip, e.g. 'admin/*'"),
    "minify_static": ("bool", "build: also minify the CSS/JS files outside bundles (default false)"),
}


def _find_config_file(project: Path) -> tuple[Path, dict[str, Any]] | None:
    toml = project / "assetopt.toml"
    if toml.is_file():
        return toml, _read_toml(toml)
    pyproject = project / "pyproject.toml"
    if pyproject.is_file():
        data = _read_toml(pyproject)
        section = data.get("tool", {}).get("assetopt")
        if section is not None:
            return pyproject, section
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=str(path)) from None


def _coerce(key: str, value: Any, base: Path, where: str) -> Any:
    kind = CONFIG_KEYS[key][0]
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{key} must be true or false, got {value!r}", path=where)
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise ConfigError(f"{key} must be a string, got {type(value).__name__}", path=where)
        return value
    if kind == "path":
        if not isinstance(value, str):
            raise ConfigError(f"{key} must be a path string, got {type(value).__name__}", path=where)
        return (base / value).resolve() if not Path(value).is_absolute() else Path(value)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key} must be a list of strings", path=where)
    if kind == "strs":
        return tuple(value)
    dirs = []
    for v in value:
        p = Path(v)
        p = p if p.is_absolute() else (base / p)
        if not p.is_dir():
            raise ConfigError(
                f"{key}: directory {v!r} does not exist (looked for {p})",
                path=where,
                hint="fix the path or create the directory",
            )
        dirs.append(p.resolve())
    return tuple(dirs)


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
            values[key] = _coerce(key, value, path.parent, where)
    for key, value in (overrides or {}).items():
        if value is None or value == ():
            continue
        values[key] = _coerce(key, list(value) if isinstance(value, tuple) else value, cwd, "command line")
        source = f"{source} + command line" if source != "defaults" else "command line"
    for key in ("out", "cache_dir"):
        if key not in values:
            values[key] = project / getattr(Config, key)
    if not values.get("static_url", "/static/").endswith("/"):
        raise ConfigError("static_url must end with '/'", path=source)
    return replace(Config(project=project), source=source, **values)


assert set(CONFIG_KEYS) <= {f.name for f in fields(Config)}
