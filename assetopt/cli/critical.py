"""``assetopt critical``: measure, inline and prove critical CSS for a static root already built."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import Config, with_out
from ..io.project import display_path
from .base import cli, folder_option, project_options
from .browser_args import browser_args


@cli.command()
@project_options
@folder_option(
    "--out",
    "The built static root, with its assetopt-manifest.json (default: out and manifest in the config; the staticfiles storage's location (STATIC_ROOT by default) and ASSETOPT['MANIFEST'] under manage.py).",
)
@folder_option("--work", "Where the page snapshots and first-paint screenshots go (default: <cache_dir>/critical, never a served folder).")
@click.option(
    "--settings",
    "settings_module",
    default=None,
    metavar="MODULE",
    help="DJANGO_SETTINGS_MODULE that renders the pages (default: settings in the config).",
)
@click.option(
    "--url", "urls", multiple=True, metavar="PAGE", help="A page to measure (repeatable): URL path or name (default: critical_css_urls, else urls)."
)
@click.option("--user", "user", default=None, metavar="USERNAME", help="Render the pages logged in as this user.")
def critical(config: Config, out: Path | None, work: Path | None, settings_module: str | None, urls: tuple[str, ...], user: str | None) -> None:
    """Inline each CSS bundle's critical CSS, measured and proven in Chromium.

    For a static root that is already built and served as is: `assetopt build`'s output, or a
    STATIC_ROOT that collectstatic filled with the assetopt storage (run it as `manage.py assetopt
    critical` after collectstatic; a later build or collectstatic keeps it only while the bundle and
    every template are byte-identical to what was measured, and says what it dropped). Renders the
    pages with Django and the templates as they are (rewritten), loads each at a mobile and a
    desktop viewport in headless Chromium, keeps the CSS rules their first screen uses, records them
    in the manifest, then proves the first paint with only that CSS against the loaded page; a page
    that differs by more than 1 % keeps its plain <link>. `optimize --browser` does the same on its
    own build. Details: docs/critical-css.md.

    \b
    Example:
      assetopt build && assetopt critical --url /en/ --url /ar/
      python manage.py collectstatic --noinput && python manage.py assetopt critical

    Exit codes: 0 done (bundles left out are reported with the reason), 2 usage error.
    """
    from ..browser.critical import run_critical
    from ..build.manifest import manifest_file

    config = with_out(config, out.resolve()) if out is not None else config
    manifest = manifest_file(config)
    if not manifest.is_file():
        raise click.UsageError(f"{display_path(manifest, config.project)} does not exist: build first (assetopt build, or collectstatic)")
    settings_name, pythonpath, page_urls = browser_args(config, settings_module, urls or config.critical_css_urls)
    report = run_critical(
        config,
        config.out,
        work.resolve() if work is not None else config.cache_dir / "critical",
        settings_name,
        pythonpath,
        page_urls,
        user=user or config.user or None,
        manifest_path=manifest,
        progress=lambda m: click.echo(m, err=True),
    )
    for line in report.lines:
        click.echo(line)
