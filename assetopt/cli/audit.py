"""``assetopt audit``: the baseline, statically and (--browser) in Chromium."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..config import Config
from ..io.fs import write_atomic
from ..io.project import Project
from .base import EXIT_FINDINGS, cli, progress_bar, project_options, step_progress
from .browser_args import base_url_args, base_url_option, browser_args, browser_options


@cli.command()
@project_options
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the full report as JSON (the baseline for verify).",
)
@click.option("--fail-on", "fail_on", default=None, metavar="EXPR", help="Exit 1 when a page meets a condition, e.g. 'css>5,eager_img>3,errors>0'.")
@click.option("--all", "show_all", is_flag=True, help="List every finding (default: 8 per kind).")
@click.option("--quiet", "-q", is_flag=True, help="Only the table.")
@browser_options(
    browser="Also render pages with Django and measure them in headless Chromium; stored in --json FILE, screenshots beside it (before.json -> before.screenshots/), for verify --browser.",
    settings="--browser: DJANGO_SETTINGS_MODULE (default: settings in [tool.assetopt]; imported from its pythonpath, else --project).",
    url="--browser: a page to render and measure (repeatable): a URL path (/en/) or a URL name (core:dashboard; name:arg1,arg2; name@ar in that language); the first is also measured on Fast 3G.",
    user="--browser: render the pages logged in as this user (force_login).",
    no_throttle="--browser: skip the Fast 3G run of the first page (most of the time).",
)
@base_url_option(
    "--browser: measure a running site instead (http://127.0.0.1:8000): each --url PATH at URL+PATH, nothing rendered with Django; stored for verify --browser."
)
def audit(
    config: Config,
    json_path: Path | None,
    fail_on: str | None,
    show_all: bool,
    quiet: bool,
    browser: bool,
    settings_module: str | None,
    urls: tuple[str, ...],
    user: str | None,
    no_throttle: bool,
    base_url: str | None,
) -> None:
    """Count requests, bytes and problems per page: the baseline.

    A page is a template whose {% extends %} chain renders a full <html> document and that no
    other template extends (plus any listed in pages = [...]). Counts follow {% extends %},
    {% block %}/{{ block.super }} and {% include %}, and the fonts and images the page's CSS pulls in.

    With --browser (needs --json FILE): also render each --url with Django's test client, serve it
    on 127.0.0.1 with its static files (the build in `out` when its manifest exists, else the static
    dirs), load it in a fresh headless Chromium and store what the browser did (requests by type and
    bytes, eager/lazy/CSS images, render-blocking requests, loadEventEnd, Fast 3G loadEventEnd of the
    first page, LCP, CLS, console errors, failed requests) under "browser" in FILE and a full-page
    screenshot per page beside FILE (before.json -> before.screenshots/). That is the "before" of
    `assetopt verify --browser`, made before the change. With --base-url URL the pages are not
    rendered: each --url PATH is measured where the running site serves it (URL + PATH), and URL is
    stored so verify --browser measures there again.

    \b
    Examples:
      assetopt audit --templates templates --static static --json before.json --fail-on 'css>5'
      assetopt audit --browser --settings mysite.settings --url /en/ --url /en/orders/ --json before.json
      assetopt audit --browser --json before.json     # pages and settings from [tool.assetopt]
      assetopt audit --browser --base-url http://127.0.0.1:8000 --url /en/ --json before.json

    Exit codes: 0 ok, 1 a --fail-on condition met or a template could not be read, 2 usage error
    (also: --browser without --json, a page that does not render, Chromium missing).
    """
    from ..audit.report import dumps, page_metrics, render_findings, render_table, to_json
    from ..audit.run import run_audit
    from ..audit.thresholds import parse_conditions

    conditions = parse_conditions(fail_on) if fail_on else ()
    if browser and json_path is None:
        raise click.UsageError(
            "--browser needs --json FILE: the measurements go into FILE and the screenshots beside it, the baseline of verify --browser"
        )
    if base_url is not None and not browser:
        raise click.UsageError("--base-url goes with --browser")
    site_pages = base_url_args(config, base_url, settings_module, user, urls) if browser and base_url is not None else None
    page_args = browser_args(config, settings_module, urls) if browser and site_pages is None else None
    project = Project(config)
    tick, done = progress_bar(len(project.template_names()))
    try:
        result = run_audit(project, progress=tick)
    finally:
        done()
    section = None
    if site_pages is not None and json_path is not None:
        from ..browser.measure import measure_baseline

        section = measure_baseline(config, json_path, urls=site_pages, throttle=not no_throttle, base_url=base_url, progress=step_progress())
    elif page_args is not None and json_path is not None:
        from ..browser.measure import measure_baseline

        settings_name, pythonpath, page_urls = page_args
        section = measure_baseline(
            config,
            json_path,
            settings_module=settings_name,
            pythonpath=pythonpath,
            urls=page_urls,
            throttle=not no_throttle,
            user=user or config.user or None,
            progress=step_progress(),
        )
    if json_path is not None:
        data = to_json(result, str(config.project), config.static_url)
        if section is not None:
            data["browser"] = section.to_dict()
        write_atomic(json_path, dumps(data).encode("utf-8"))
    if not result.pages:
        click.echo(f"no pages found among {result.templates} templates in {', '.join(result.template_dirs)}")
    else:
        click.echo(render_table(result))
    if not quiet:
        text = render_findings(result, None if show_all else 8)
        if text:
            click.echo()
            click.echo(text)
    for loop in project.link_loops():
        click.secho(f"warning: {loop}", fg="yellow", err=True)
    for name in project.template_names():  # what Django renders through the link: audited, never written
        note = project.link_note(name)
        if note is not None:
            click.secho(f"note: {name}: {note}: audited as Django renders it; rewrite --write will not edit it", fg="yellow", err=True)
    if section is not None:
        from ..verify.tables import baseline_table

        click.echo()
        click.echo(baseline_table(section))
        click.echo(f"\nChromium {section.chromium}: {len(section.pages)} page(s); served {section.served}")
    if json_path is not None:
        shots = ""
        if section is not None:
            from ..browser.baseline import shots_dir_for

            shots = f" and its screenshots in {shots_dir_for(json_path)}/"
        click.echo(f"\nwrote {json_path}{shots}")
    failed = []
    for page in result.pages:
        metrics = page_metrics(page)
        for cond in conditions:
            if cond.holds(metrics):
                failed.append(f"{page.name}: {cond.text} (is {metrics[cond.metric]:g})")
    for line in failed:
        click.secho(f"fail-on: {line}", fg="red", err=True)
    if failed or result.problems:
        sys.exit(EXIT_FINDINGS)
