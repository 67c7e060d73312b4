"""One frozen configuration value, built in one place.

Precedence: command-line flags over ``[tool.assetopt]`` in ``pyproject.toml`` (or the top level of
``assetopt.toml``) over defaults. Relative paths in a config file are relative to that file's folder;
relative paths given on the command line are relative to the current directory.

An unknown key, a wrong type or a missing directory is a ``ConfigError`` that names it.

keys: the ``Config`` value, its key table and defaults; values: checking and converting one value;
load: finding and reading the config file, ``load_config``; as_toml: ``Config`` back to TOML.
"""

from __future__ import annotations

from .as_toml import config_to_toml
from .keys import CONFIG_KEYS, JS_MINIFIERS, TRANSFORMS, CacheFragment, Config, DeclaredBundle
from .load import load_config, with_app_templates, with_out
from .values import coerce_value

__all__ = [
    "Config",
    "DeclaredBundle",
    "CacheFragment",
    "load_config",
    "with_app_templates",
    "with_out",
    "coerce_value",
    "config_to_toml",
    "CONFIG_KEYS",
    "TRANSFORMS",
    "JS_MINIFIERS",
]
