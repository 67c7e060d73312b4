"""``assetopt verify`` (and the report writer optimize shares): the drop against a baseline."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import __version__
from ..config import Config, with_out
from ..errors import AssetoptError
from ..io.fs import write_atomic
from ..io.project import Project, display_path
from .base import EXIT_FINDINGS, cli, folder_option, project_options, step_progress
from .browser_args import base_url_option, browser_options

if TYPE_CHECKING:
    from ..browser.check import BrowserCheck
    from ..verify.cache_leaks import CacheCheck
    from ..verify.compare import Verdict


def verify_report(verdict: Verdict, report: Path | None, json_path: Path | None, command: str, browser: BrowserCheck | None = None) -> None:
    """--json (the verdict; with --browser: {"verify", "browser", "browser_reasons"}) and --report."""
    import json
    import platform

    from ..verify.compare import verdict_to_dict
    from ..verify.html import Report, write_report

    if json_path is not None:
        data = verdict_to_dict(verdict)
        if browser is not None:
            data |= {
                "browser": {name: entry.to_dict() for name, entry in browser.pages.items()},
                "browser_reasons": browser.reasons,
                "browser_notes": list(browser.notes),
            }
        write_atomic(json_path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        click.echo(f"wrote {json_path}")
    if report is not None:
        versions = {"assetopt": __version__, "python": platform.python_version()}
        if browser is not None:
            versions["chromium"] = browser.chromium
        full = Report(verdict, browser.pages if browser is not None else {}, "assetopt verify", (command,), versions)
        write_report(full, report)
        click.echo(f"wrote {report}")


@cli.command()
@project_options
@click.option(
    "--baseline",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="An `assetopt audit --json` from before the change (required unless --cache).",
)
@click.option(
    "--cache",
    "cache",
    is_flag=True,
    help="Prove by rendering with Django that no {% cache %} fragment (the templates' own and the [[tool.assetopt.cache]] rules) serves one user's or object's output to another.",
)
@click.option("--require", "require", default=None, metavar="EXPR", help="Limits every page must meet after, e.g. 'css<=2,js<=2,eager_img<=3'.")
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the verdict as JSON (schema assetopt.verify)."
)
@click.option(
    "--report",
    "report",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a self-contained HTML report with before/after charts.",
)
@folder_option(
    "--out",
    "The built static root the project serves now (default: out in the config); its assetopt-manifest.json says what each {% bundle %} fetches.",
)
@browser_options(
    browser="Also measure the baseline's pages now in headless Chromium and compare with the measurements stored by `audit --browser`.",
    url="--browser: only these of the baseline's pages (repeatable; as given to audit --browser). --cache: the pages to render (default: the config's urls, else every URL pattern without arguments).",
    settings="--browser: DJANGO_SETTINGS_MODULE (default: the one the baseline was measured with); --cache: the settings that render the pages.",
    users="--browser: render logged in as this user (default: the baseline's). --cache: a user to render every page as (repeatable, at least two; default: users in the config).",
    no_throttle="--browser: skip the Fast 3G runs.",
)
@base_url_option("--browser: measure the pages on this running site (default: the base URL the baseline was measured on, if any).")
@folder_option("--shots", "--browser: where the screenshots now and the diff images go (default: BASELINE-stem.verify-shots/ beside the baseline).")
def verify(
    config: Config,
    baseline: Path | None,
    cache: bool,
    require: str | None,
    json_path: Path | None,
    report: Path | None,
    out: Path | None,
    browser: bool,
    urls: tuple[str, ...],
    settings_module: str | None,
    user: tuple[str, ...],
    no_throttle: bool,
    shots: Path | None,
    base_url: str | None,
) -> None:
    """Prove the drop: compare the project now with a baseline audit, page by page.

    A page fails when a request count, render-blocking requests or eager images went up, when its
    brotli bytes grew by more than 1 %, when it had bundle/lazy-image findings and nothing dropped,
    when a --require limit does not hold, or when it is missing on one side. Prints a table to
    paste into a pull request.

    With --browser the baseline must come from `audit --browser` (its measurements, and the
    screenshots beside it: before.json -> before.screenshots/): every page it measured is rendered
    now with Django, served with the
    static files it would use (the build in --out when its manifest exists, else the static dirs),
    measured in a fresh headless Chromium and screenshotted. A page fails on a new console error or
    failed request, a screenshot that differs from the stored one by more than 1 % of its pixels
    (the diff image is saved), a lazy-loaded LCP image, or fewer saved requests in Chromium than the
    static comparison claims. A baseline measured with --base-url is measured on the same running
    site again (nothing rendered); --base-url URL measures on another (staging before, staging after).

    With --cache: every {% cache %} fragment (the templates' own, plus the [[tool.assetopt.cache]]
    rules applied to a temporary copy) is rendered with the project's settings (--settings) as an
    anonymous visitor and as each --user, with caching off, on every page that shows it. Two
    renders with the same key (fragment name and vary-on values) but different output are a leak:
    the cache would serve one the other's HTML. Fails (exit 1) on a leak, naming the template,
    line, fragment, the two users or objects and the first differing text, and when the proof
    could not be made (fewer than two users saw a fragment, a page with URL arguments rendered
    for one object only, a fragment no page rendered).

    \b
    Examples:
      assetopt verify --cache --settings mysite.settings --user alice --user bob
      assetopt audit --json before.json          # before the change
      assetopt verify --baseline before.json --require 'css<=2,eager_img<=3' --report report.html
    \b
      # the browser half: measure before the change, then prove it after
      assetopt audit --browser --settings mysite.settings --url /en/ --json before.json
      assetopt rewrite --write && assetopt build
      assetopt verify --baseline before.json --browser --report report.html
      assetopt verify --baseline before.json --browser --base-url https://staging.example.com

    Exit codes: 0 every page improved or held, 1 a page regressed, failed a limit or a browser
    check, 2 usage error (also: a baseline without browser measurements, or without a --url asked).
    """
    import json

    from ..audit.report import to_json
    from ..audit.run import run_audit
    from ..audit.thresholds import parse_conditions
    from ..verify.compare import compare, markdown_table

    conditions = parse_conditions(require) if require else ()
    if baseline is None and not cache:
        raise click.UsageError("--baseline FILE is required (or --cache for the cache leak check alone)")
    if not browser and (shots or base_url or (not cache and (urls or settings_module or user))):
        raise click.UsageError("--url, --settings, --user go with --browser or --cache; --shots and --base-url with --browser")
    if browser and len(user) > 1:
        raise click.UsageError("--browser renders as one --user")
    cache_failed = False
    if cache:
        cache_failed = _verify_cache(config, settings_module, urls, user)
        if baseline is None:
            sys.exit(EXIT_FINDINGS if cache_failed else 0)
    assert baseline is not None
    one_user = user[0] if user and browser else None
    if out is not None:
        config = with_out(config, out.resolve())
    try:
        before = json.loads(baseline.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise AssetoptError(f"cannot read the baseline: {exc}", path=str(baseline), hint="write one with `assetopt audit --json FILE`") from None
    section = None
    if browser:
        from ..browser.baseline import check_baseline

        section = check_baseline(before, baseline, urls)  # a baseline without them fails before any work
        site = base_url or section.base_url
        if site and (settings_module or one_user):
            flags = " and ".join(f for f, v in (("--settings", settings_module), ("--user", one_user)) if v)
            why = "" if base_url else " (the baseline was measured there; pass --base-url to measure on another)"
            raise click.UsageError(
                f"{flags} cannot go with --base-url: the running site at {site}{why} renders the pages with its own settings and whoever it serves"
            )
    now = to_json(run_audit(Project(config)), str(config.project), config.static_url)
    verdict = compare(before, now, conditions, baseline_path=str(baseline))
    click.echo(markdown_table(verdict))
    for reason in verdict.reasons:
        click.secho(f"fail: {reason}", fg="red", err=True)
    checked = None
    if section is not None:
        from ..browser.verify import verify_browser

        target = shots if shots is not None else baseline.resolve().with_name(baseline.stem + ".verify-shots")
        checked = verify_browser(
            config,
            section,
            baseline,
            verdict,
            shots=target,
            urls=urls,
            settings_module=settings_module,
            user=one_user,
            throttle=not no_throttle,
            base_url=base_url,
            progress=step_progress(),
        )
        from ..verify.tables import browser_table

        click.echo()
        click.echo(browser_table(checked.pages))
        click.echo(
            f"\nChromium {checked.chromium}: {len(checked.pages)} page(s) in {checked.seconds:.1f} s; screenshots now and diffs in {display_path(target, Path.cwd())}"
        )
        for note in checked.notes:
            click.secho(f"note: {note}", fg="yellow", err=True)
        for reason in checked.reasons:
            click.secho(f"fail: {reason}", fg="red", err=True)
    verify_report(verdict, report, json_path, " ".join(["assetopt", *sys.argv[1:]]), browser=checked)
    if verdict.failed or (checked is not None and checked.reasons) or cache_failed:
        sys.exit(EXIT_FINDINGS)


def cache_check_lines(check: CacheCheck) -> list[tuple[str, str]]:
    """(line, colour) of a cache check's verdict, for verify --cache and optimize."""
    out = [(f"leak: {leak.describe()}", "red") for leak in check.leaks]
    out += [(f"not proven: {{% cache %}} {name}: {why}", "yellow") for name, why in check.not_proven]
    out += [(f"note: {note}", "yellow") for note in check.notes]
    if check.proven:
        out.append(
            (
                f"proven: {', '.join(check.proven)} (same key, same output for {', '.join(check.users)} and anonymous, {check.renders} render(s))",
                "green",
            )
        )
    return out


def _verify_cache(config: Config, settings_module: str | None, urls: tuple[str, ...], users: tuple[str, ...]) -> bool:
    """Run the leak check and print its verdict; True when it failed (a leak, or no proof)."""
    from ..verify.cache_check import check_cache
    from .browser_args import cache_check_args

    found = cache_check_args(config, settings_module)
    if found is None:
        raise click.UsageError("--cache renders the pages with Django: pass --settings MODULE (importable from --project)")
    settings_name, pythonpath = found
    check, rewritten = check_cache(config, settings_name, pythonpath, users or config.users, urls or config.urls)
    for skip in rewritten.skips:
        if skip.kind == "cache":
            click.secho(f"rule not applied: {skip.path}:{skip.lineno}: {skip.reason}", fg="yellow")
    for line, colour in cache_check_lines(check):
        click.secho(line, fg=colour, err=colour != "green")
    if not check.failed:
        click.echo("cache check passed: no fragment serves one user's or object's output to another")
    else:
        click.secho(f"cache check failed: {len(check.leaks)} leak(s), {len(check.not_proven)} fragment(s) not proven", fg="red", err=True)
    return check.failed
