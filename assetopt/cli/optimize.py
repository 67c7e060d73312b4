"""``assetopt optimize``: audit, rewrite, build and verify on a copy; sources untouched."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from ..config import Config
from ..io.project import Project, display_path
from ..screens import SCREENS, Screen
from .base import EXIT_FINDINGS, cli, folder_option, project_options, step_progress
from .browser_args import browser_args, browser_options, layout_line, with_layout
from .verify import verify_report


def _screens_phrase(screens: Sequence[Screen] = SCREENS) -> str:
    """The screens the layout pass loads pages at (``screens.SCREENS``), each named with its width, for --help."""
    named = [f"{s.name} ({s.width} px)" for s in screens]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"


# The --help text: an f-string (not the docstring) so the screens it names come from screens.SCREENS.
_HELP = f"""Do it all on a copy and show the before/after table: sources untouched.

audit the sources -> rewrite every template into OUT/templates -> build bundles and the static
root into OUT/static -> audit the copy -> compare. Serve OUT/templates and OUT/static (or
apply the same rewrite with `assetopt rewrite --write` and build in your deploy).

With --browser, first a layout pass: each --url is rendered from a probe copy of the templates and
loaded in Chromium at Lighthouse's {_screens_phrase()} screens; the rewrite
then writes each <img>'s `sizes` from its measured widths and makes lazy, eager or
fetchpriority=high what Chromium showed below the first screen, in it, or as the LCP element
(cached in the cache dir until a template or static file changes). Then: render each --url with Django's test client (before: the sources; after: the
rewritten templates with bundling on and OUT/static's manifest) into OUT/snapshots/, serve each
side with its static root on 127.0.0.1, load every page in a fresh headless Chromium (plus one
Fast 3G run of the first page), screenshot and pixel-diff them into OUT/shots/. Fails on a new
console error or failed request, a screenshot that differs by more than 1 %, a lazy LCP image,
or fewer saved requests than the static comparison claims. When the Django settings are known
(--settings, or settings in [tool.assetopt]), the [[tool.assetopt.cache]] rules are first
proven by rendering (`assetopt verify --cache`): a rule that leaks or cannot be proven is
reported and left out, the rest applies; a leak exits 1. Without settings/urls in the config,
pass --settings MODULE --url PAGE [--url PAGE ...], a PAGE
being a URL path or a URL name; pages behind a login render with --user USERNAME.

\b
Example (in this repository it runs on the bundled example site):
  assetopt optimize --require 'css<=2,blocking<=3' --report build/report.html
  assetopt optimize --browser --report build/report.html
  assetopt optimize --browser --settings mysite.settings --url /en/ --url /en/orders/
  assetopt optimize --browser --url core:dashboard --url sales:order_detail:1 --user demo

Exit codes: 0 every page improved or held, 1 a page regressed, failed a limit, a browser check
failed, a cache rule leaks, or a rewrite would break a template (nothing written then), 2 usage error.
"""


@cli.command(help=_HELP)
@project_options
@folder_option("--out", "Where the rewritten templates and the built static root go (default: out in the config, else build/).")
@click.option("--require", "require", default=None, metavar="EXPR", help="Limits every page must meet after, e.g. 'css<=2,js<=2,eager_img<=3'.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the verdict as JSON.")
@click.option("--report", "report", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write a self-contained HTML report.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Parallel workers for the build.")
@browser_options(
    browser="Also render pages before/after with Django and measure them in headless Chromium (/usr/bin/chromium).",
    settings="DJANGO_SETTINGS_MODULE (default: settings in [tool.assetopt]; imported from its pythonpath, else --project): renders the --browser pages and proves the cache rules (verify --cache).",
    url="--browser: a page to render and measure (repeatable): a URL path (/en/) or a URL name (core:dashboard; name:arg1,arg2 for arguments), reversed in LANGUAGE_CODE or in the language after @ (core:dashboard@ar); the first is also measured throttled (default: urls in [tool.assetopt]).",
    user="--browser: render the pages logged in as this user of the project's database (force_login), before and after.",
    no_throttle="--browser: skip the throttled (Fast 3G) runs, which take most of the time.",
)
def optimize(
    config: Config,
    out: Path | None,
    require: str | None,
    json_path: Path | None,
    report: Path | None,
    jobs: int | None,
    browser: bool,
    settings_module: str | None,
    urls: tuple[str, ...],
    no_throttle: bool,
    user: str | None,
) -> None:
    """Do it all on a copy and show the before/after table (the --help text is ``_HELP``)."""
    from ..audit.thresholds import parse_conditions
    from ..optimize import CacheCheckArgs
    from ..optimize import optimize as run_optimize
    from ..rewrite.context import context_from_config
    from ..verify.compare import markdown_table
    from .browser_args import cache_check_args

    conditions = parse_conditions(require) if require else ()
    target = out.resolve() if out is not None else config.out
    page_args = browser_args(config, settings_module, urls) if browser else None
    base = context_from_config(config)
    progress = step_progress()
    found = cache_check_args(config, settings_module) if base.cache_rules else None
    cache_args = CacheCheckArgs(found[0], found[1], config.users, config.urls) if found else None
    if page_args is not None:
        base = with_layout(config, base, page_args, user, progress)
    result = run_optimize(config, target, base, conditions, jobs, progress, cache_check=cache_args)
    click.echo(markdown_table(result.verdict))
    if result.cache is not None:
        from .verify import cache_check_lines

        for line, colour in cache_check_lines(result.cache):
            click.secho(line, fg=colour, err=colour != "green")
        if result.cache_left_out:
            click.secho(
                f"cache rule(s) left out (the leak check did not pass them): {', '.join(result.cache_left_out)}; the rest was applied",
                fg="yellow",
                err=True,
            )
    elif base.cache_rules:
        click.echo("cache rules inserted from the static verdicts only: pass --settings MODULE to prove them by rendering (assetopt verify --cache)")
    files = sum(len(b.files) for b in result.build.manifest.bundles.values())
    click.echo(
        f"\nrewrote {len(result.rewrite.changes)} template(s) into {', '.join(display_path(p, config.project) for p in result.templates_out)}; "
        f"built {len(result.build.manifest.bundles)} bundle(s) ({files} file(s)) into {display_path(result.static_out, config.project)}"
    )
    b = result.build
    if not (result.copies_written or b.written or b.copied or b.removed or b.images.written or b.images.removed):
        click.echo("nothing changed since the last run: no file written")
    said = layout_line(base, result.rewrite.changes, Project(config).file_key)
    if said is not None:
        click.echo(said)
    for reason in result.verdict.reasons:
        click.secho(f"fail: {reason}", fg="red", err=True)
    checked = None
    if page_args is not None:
        from ..browser.check import browser_check

        settings_name, pythonpath, page_urls = page_args
        checked = browser_check(
            config,
            result,
            settings_module=settings_name,
            pythonpath=pythonpath,
            urls=page_urls,
            throttled=() if no_throttle else None,
            progress=progress,
            user=user or config.user or None,
        )
        from ..verify.tables import browser_table

        click.echo()
        click.echo(browser_table(checked.pages))
        click.echo(
            f"\nChromium {checked.chromium}: {len(page_urls)} page(s) in {checked.seconds:.1f} s; snapshots in {display_path(target / 'snapshots', config.project)}, screenshots in {display_path(target / 'shots', config.project)}"
        )
        if checked.critical is not None:
            for line in checked.critical.lines:
                click.echo(line)
        for reason in checked.reasons:
            click.secho(f"fail: {reason}", fg="red", err=True)
    verify_report(result.verdict, report, json_path, " ".join(["assetopt", *sys.argv[1:]]), browser=checked)
    leaked = result.cache is not None and bool(result.cache.leaks)
    if result.verdict.failed or (checked is not None and checked.reasons) or leaked:
        sys.exit(EXIT_FINDINGS)
