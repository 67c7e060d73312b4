"""A ``Config`` written back as an ``assetopt.toml`` that ``load_config`` reads to an equal value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .keys import CONFIG_KEYS, Config

__all__ = ["config_to_toml"]


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Path):
        value = value.as_posix()
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def config_to_toml(config: Config) -> str:
    """``config`` as an ``assetopt.toml`` (absolute paths) that ``load_config`` reads back to an equal
    value: how the Django edge hands its settings to the command line without importing it."""
    lines: list[str] = []
    tables: list[str] = []
    for key in CONFIG_KEYS:
        value = getattr(config, key)
        if value is None:  # unset (manifest): the default applies when read back too
            continue
        if key == "bundles":
            for b in value:
                semantics = {"media": b.semantics} if b.kind == "css" else {"defer": b.semantics == "defer"}
                tables.append(
                    f"[bundles.{_toml(b.name)}]\nkind = {_toml(b.kind)}\nfiles = {_toml(b.files)}\n"
                    + "".join(f"{k} = {_toml(v)}\n" for k, v in semantics.items())
                )
        elif key == "cache":
            for f in value:
                vary = "" if f.vary is None else f"vary = {_toml(f.vary)}\n"
                tables.append(
                    f"[[cache]]\ntemplate = {_toml(f.template)}\nselector = {_toml(f.selector)}\ntimeout = {f.timeout}\nname = {_toml(f.name)}\n{vary}"
                )
        else:
            lines.append(f"{key} = {_toml(value)}")
    return "\n".join(lines) + "\n" + "".join("\n" + t for t in tables)
