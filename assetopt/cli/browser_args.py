"""The --browser flags audit, verify, optimize and rewrite share (``browser_options``), and which Django
settings and pages a --browser run renders: the flags, else the config (``browser_args``). The layout
pass optimize and rewrite run before planning (``with_layout``) and the line saying what it did
(``layout_line``). ``--base-url`` (audit and verify only: optimize compares two builds
it serves itself) measures a running site instead (``base_url_option``, ``base_url_args``)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from ..config import Config
from ..errors import AssetoptError
from ..screens import SCREENS, Screen
from .base import UNDER_DJANGO

if TYPE_CHECKING:
    from ..rewrite.context import RewriteContext

__all__ = ["base_url_args", "base_url_option", "browser_args", "browser_options", "cache_check_args", "layout_line", "parse_base_url", "with_layout"]

F = TypeVar("F", bound=Callable[..., Any])
_Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

# Each flag's name, parameter and type once; its help is the command's own (what --url means to verify,
# a filter of the baseline's pages, is not what it means to audit, a page to render).
_OPTIONS: dict[str, Callable[[str], _Decorator]] = {
    "browser": lambda text: click.option("--browser", is_flag=True, help=text),
    # Under manage.py --settings is Django's own option (the settings in use are the config's `settings`).
    "settings": lambda text: click.option("--settings", "settings_module", default=None, metavar="MODULE", hidden=UNDER_DJANGO, help=text),
    "url": lambda text: click.option("--url", "urls", multiple=True, metavar="PAGE", help=text),
    "user": lambda text: click.option("--user", "user", default=None, metavar="USERNAME", help=text),
    # verify: repeatable (--cache renders as each); --browser takes one
    "users": lambda text: click.option("--user", "user", multiple=True, metavar="USERNAME", help=text),
    "no_throttle": lambda text: click.option("--no-throttle", is_flag=True, help=text),
}


def browser_options(**helps: str) -> Callable[[F], F]:
    """``--browser``, ``--settings``, ``--url``, ``--user`` and ``--no-throttle``, with the help each
    command gives them: ``browser_options(browser="...", settings="...", url="...", user="...",
    no_throttle="...")``. They are listed in --help in the order the keywords are given, and the
    command receives ``browser``, ``settings_module``, ``urls``, ``user`` and ``no_throttle``
    (``no_throttle`` may be left out by a command that loads no page throttled: rewrite)."""
    want = set(_OPTIONS) - {"user" if "users" in helps else "users"}  # "users": a repeatable --user (verify)
    if not want - {"no_throttle"} <= set(helps) <= want:
        raise TypeError(f"browser_options needs a help text for each of {sorted(want)}, got {sorted(helps)}")

    def decorate(f: F) -> F:
        command: Callable[..., Any] = f
        for name in reversed(list(helps)):  # click lists the outermost decorator first
            command = _OPTIONS[name](helps[name])(command)
        return cast(F, command)

    return decorate


def browser_args(config: Config, settings_module: str | None, urls: tuple[str, ...]) -> tuple[str, Path, list[str]]:
    """--settings/--url, else the config's ``settings``/``urls`` (``ASSETOPT["PAGES"]`` in Django); the
    settings import from the config's ``pythonpath`` (default: the project directory)."""
    from ..browser.snapshots import snapshot_relpath

    settings_module = settings_module or config.settings or None
    if settings_module is None:
        raise click.UsageError(
            "--browser needs --settings MODULE (and --url PATH ...): the Django settings that render your pages, "
            'or settings = "mysite.settings" in [tool.assetopt]'
        )
    urls = urls or config.urls
    if not urls:
        raise click.UsageError(
            "--browser needs at least one --url PAGE (a URL path or URL name, e.g. --url /; add --user USERNAME for pages behind a login), or urls = [...] in [tool.assetopt] (ASSETOPT['PAGES'] in Django)"
        )
    pythonpath = config.pythonpath[0] if config.pythonpath else config.project
    for u in urls:
        if u.startswith("/"):
            snapshot_relpath(u)  # a bad --url path is a usage error before anything runs; names are reversed by Django
        elif "/" in u and ":" not in u:  # en/: a path missing its /, not a URL name
            raise AssetoptError(f"--url {u!r}: a path starting with / or a URL name is expected", hint="e.g. --url /en/ or --url core:dashboard")
    return settings_module, pythonpath, list(urls)


def with_layout(
    config: Config, base: RewriteContext, page_args: tuple[str, Path, list[str]], user: str | None, progress: Callable[[str], None]
) -> RewriteContext:
    """``base`` with the layout of the pages ``page_args`` names (``browser_args``), as ``user`` (else
    the config's ``user``), measured in Chromium (``browser.layout.measure_layout``, cached) when the
    rewrite touches images; ``base`` itself otherwise (nothing to feed)."""
    if "images" not in base.only:
        return base
    from dataclasses import replace

    from ..browser.layout import measure_layout

    settings_name, pythonpath, page_urls = page_args
    layout = measure_layout(
        config, settings_module=settings_name, pythonpath=pythonpath, urls=page_urls, user=user or config.user or None, progress=progress
    )
    return replace(base, layout=layout)


def layout_line(ctx: RewriteContext, changes: list[Any], file_key: Callable[[str], str], screens: Sequence[Screen] = SCREENS) -> str | None:
    """What the layout pass did, for the run's summary; None without one. Tags are counted by file
    (``file_key``: ``Project.file_key``), as the rewrite plans them: one tag Django rendered under two
    names (overlapping template dirs, a symlink) is one tag. ``screens``: those the pass loads each
    page at (``screens.SCREENS``), named by width."""
    if ctx.layout is None:
        return None
    tags = {(file_key(name), offset) for page in ctx.layout.pages for name, offset in page.images}
    written = sum(1 for c in changes for e in c.edits if e.reason.startswith("sizes from the layout"))
    widths = [str(s.width) for s in screens]
    at = widths[0] if len(widths) == 1 else f"{', '.join(widths[:-1])} and {widths[-1]}"
    return (
        f"layout: {len(tags)} <img> tag(s) measured on {len(ctx.layout.pages)} page(s) in Chromium {ctx.layout.chromium} "
        f"at {at} px; sizes written on {written}, lazy/eager/fetchpriority from where they rendered"
    )


def cache_check_args(config: Config, settings_module: str | None) -> tuple[str, Path] | None:
    """The Django settings the cache leak check renders with, and where they import from: --settings,
    else the config's ``settings`` (from its ``pythonpath``, else the project); None when unknown."""
    settings_module = settings_module or config.settings or None
    if settings_module is None:
        return None
    return settings_module, config.pythonpath[0] if config.pythonpath else config.project


def parse_base_url(value: str) -> str:
    """``--base-url``: an http(s) URL with a host and no query or fragment, returned without its
    trailing slash so ``base + "/en/"`` is the page; anything else is a usage error saying why."""
    parts = urllib.parse.urlsplit(value.strip())
    wrong = (
        "its scheme must be http or https"
        if parts.scheme not in ("http", "https")
        else "it has no host"
        if not parts.hostname
        else "a query (?...) is not allowed"
        if parts.query or value.rstrip().endswith("?")
        else "a fragment (#...) is not allowed"
        if parts.fragment or "#" in value
        else ""
    )
    if not wrong:
        try:
            parts.port  # noqa: B018 - raises ValueError on a port that is not a number 0-65535
        except ValueError:
            wrong = "its port is not a number from 0 to 65535"
    if wrong:
        raise click.UsageError(f"--base-url {value!r}: {wrong}; the running site's root is expected, e.g. --base-url http://127.0.0.1:8000")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def _base_url_type(value: str | None) -> str | None:
    return None if value is None else parse_base_url(value)


def base_url_option(text: str) -> _Decorator:
    """``--base-url URL`` (the command receives ``base_url``, already checked by ``parse_base_url``)."""
    return click.option("--base-url", "base_url", default=None, metavar="URL", callback=lambda _ctx, _param, v: _base_url_type(v), help=text)


def base_url_args(
    config: Config,
    base_url: str,
    settings_module: str | None,
    user: str | None,
    urls: tuple[str, ...],
) -> list[str]:
    """The page paths a --base-url run measures: --url, else the config's ``urls``. The running site
    renders them, so --settings and --user are usage errors, and so is a URL name (reversing it needs
    Django): it asks for the path instead."""
    from ..browser.snapshots import snapshot_relpath

    clash = [flag for flag, given in (("--settings", settings_module), ("--user", user)) if given]
    if clash:
        raise click.UsageError(
            f"{' and '.join(clash)} cannot go with --base-url: the running site at {base_url} renders the pages "
            "with its own settings and whoever it serves; drop them, or drop --base-url to render with Django"
        )
    pages = list(urls or config.urls)
    if not pages:
        raise click.UsageError("--base-url needs at least one --url PATH (e.g. --url /en/), or urls = [...] in [tool.assetopt]")
    for page in pages:
        if not page.startswith("/"):
            raise click.UsageError(
                f"--url {page!r} with --base-url: a URL name needs Django to reverse it; pass the page's path instead (e.g. --url /en/)"
            )
        snapshot_relpath(page)  # the same paths as Django mode (no query, no ..): stable screenshot names
    return pages
