"""Which Django settings and pages a --browser run renders: the flags, else the config, else (in
this repository) the example's."""
from __future__ import annotations

from pathlib import Path

import click

from ..config import Config
from ..errors import AssetoptError

__all__ = ["browser_args"]


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
