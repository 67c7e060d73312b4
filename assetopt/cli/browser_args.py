"""The --browser flags audit, verify and optimize share (``browser_options``), and which Django
settings and pages a --browser run renders: the flags, else the config, else (in this repository)
the example's (``browser_args``)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from ..config import Config
from ..errors import AssetoptError

__all__ = ["browser_args", "browser_options"]

F = TypeVar("F", bound=Callable[..., Any])
_Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

# Each flag's name, parameter and type once; its help is the command's own (what --url means to verify,
# a filter of the baseline's pages, is not what it means to audit, a page to render).
_OPTIONS: dict[str, Callable[[str], _Decorator]] = {
    "browser": lambda text: click.option("--browser", is_flag=True, help=text),
    "settings": lambda text: click.option("--settings", "settings_module", default=None, metavar="MODULE", help=text),
    "url": lambda text: click.option("--url", "urls", multiple=True, metavar="PAGE", help=text),
    "user": lambda text: click.option("--user", "user", default=None, metavar="USERNAME", help=text),
    "no_throttle": lambda text: click.option("--no-throttle", is_flag=True, help=text),
}


def browser_options(**helps: str) -> Callable[[F], F]:
    """``--browser``, ``--settings``, ``--url``, ``--user`` and ``--no-throttle``, with the help each
    command gives them: ``browser_options(browser="...", settings="...", url="...", user="...",
    no_throttle="...")``. They are listed in --help in the order the keywords are given, and the
    command receives ``browser``, ``settings_module``, ``urls``, ``user`` and ``no_throttle``."""
    if set(helps) != set(_OPTIONS):
        raise TypeError(f"browser_options needs a help text for each of {sorted(_OPTIONS)}, got {sorted(helps)}")

    def decorate(f: F) -> F:
        command: Callable[..., Any] = f
        for name in reversed(list(helps)):  # click lists the outermost decorator first
            command = _OPTIONS[name](helps[name])(command)
        return cast(F, command)

    return decorate


def browser_args(config: Config, settings_module: str | None, urls: tuple[str, ...]) -> tuple[str, Path, list[str]]:
    """--settings/--url, else the config's ``urls`` (``ASSETOPT["PAGES"]`` in Django), else in this
    repository (example/manage.py) the example's defaults."""
    from ..optimize import EXAMPLE_URLS
    from ..snapshots import snapshot_relpath

    example = config.project / "example"
    is_repo = (example / "manage.py").is_file()
    if settings_module is None and not is_repo:
        raise click.UsageError("--browser needs --settings MODULE (and --url PATH ...): the Django settings that render your pages")
    urls = urls or config.urls
    if not urls and not is_repo:
        raise click.UsageError("--browser needs at least one --url PAGE (a URL path or URL name, e.g. --url /; add --user USERNAME for pages behind a login), or urls = [...] in [tool.assetopt] (ASSETOPT['PAGES'] in Django)")
    pythonpath = example if is_repo and settings_module in (None, "erp.settings") else config.project
    page_urls = list(urls) if urls else list(EXAMPLE_URLS)
    for u in page_urls:
        if u.startswith("/"):
            snapshot_relpath(u)  # a bad --url path is a usage error before anything runs; names are reversed by Django
        elif "/" in u and ":" not in u:  # en/: a path missing its /, not a URL name
            raise AssetoptError(f"--url {u!r}: a path starting with / or a URL name is expected", hint="e.g. --url /en/ or --url core:dashboard")
    return settings_module or "erp.settings", pythonpath, page_urls
