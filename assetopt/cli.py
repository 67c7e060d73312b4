"""The ``assetopt`` command line. The only place that prints, reads flags and maps errors to exit codes.

Exit codes: 0 ok; 1 findings (a --fail-on threshold met, a template that cannot be read); 2 usage
error or crash.
"""
from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__
from .config import Config, load_config
from .errors import AssetoptError
from .fsutil import write_atomic
from .project import Project, display_path

__all__ = ["main", "cli"]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AssetoptError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            ctx.exit(EXIT_USAGE)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(EXIT_USAGE)
        except BrokenPipeError:  # `assetopt ... | head`: the reader left; say nothing more
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(EXIT_USAGE)
        except Exception as exc:  # noqa: BLE001 - a crash is exit 2 with the traceback, never exit 1
            import traceback

            traceback.print_exc()
            click.secho(f"internal error: {type(exc).__name__}: {exc} (please report it with the traceback above)", fg="red", err=True)
            ctx.exit(EXIT_USAGE)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="assetopt")
def cli() -> None:
    """Make server-rendered Django sites load fast, and prove it.

    \b
    assetopt audit      count requests, bytes and problems per page (the baseline)
    assetopt build      bundle, minify, hash and precompress every {% bundle %} block
    assetopt rewrite    preview (diff), check or apply template rewrites: bundles, lazy images, {% cache %}
    assetopt verify     compare the project with a baseline audit: did the counts drop?
    assetopt optimize   all of it on a copy: audit, rewrite, build, verify; sources untouched
    Run "assetopt COMMAND --help" for the options and an example of each.

    Settings come from [tool.assetopt] in pyproject.toml (or assetopt.toml) in --project;
    --templates and --static work without any config file.
    """


def project_options(f: Callable[..., Any]) -> Callable[..., Any]:
    @click.option("--project", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True, help="Where pyproject.toml/assetopt.toml is read.")
    @click.option("--templates", "templates", multiple=True, metavar="DIR", help="Template dir (repeatable); overrides the config.")
    @click.option("--static", "static", multiple=True, metavar="DIR", help="Static source dir (repeatable); overrides the config.")
    @click.option("--static-url", "static_url", default=None, metavar="URL", help="STATIC_URL prefix (default /static/).")
    @functools.wraps(f)
    def wrapper(project_dir: Path, templates: tuple[str, ...], static: tuple[str, ...], static_url: str | None, **kwargs: Any) -> Any:
        config = load_config(project_dir, {"templates": templates, "static": static, "static_url": static_url})
        if not config.templates:
            raise AssetoptError(
                "no template dirs configured",
                hint="pass --templates DIR, or add templates = [...] under [tool.assetopt] in pyproject.toml",
            )
        return f(config=config, **kwargs)

    return wrapper


def _progress(names_total: int) -> tuple[Callable[[str], None] | None, Callable[[], None]]:
    """A progress bar on a terminal, nothing otherwise (CI logs stay clean)."""
    if not sys.stderr.isatty() or names_total < 20:
        return None, lambda: None
    bar = click.progressbar(length=names_total, label="reading templates", file=sys.stderr)
    bar.__enter__()
    return (lambda _name: bar.update(1)), (lambda: bar.__exit__(None, None, None))


@cli.command()
@project_options
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the full report as JSON (the baseline for verify).")
@click.option("--fail-on", "fail_on", default=None, metavar="EXPR", help="Exit 1 when a page meets a condition, e.g. 'css>5,eager_img>3,errors>0'.")
@click.option("--all", "show_all", is_flag=True, help="List every finding (default: 8 per kind).")
@click.option("--quiet", "-q", is_flag=True, help="Only the table.")
def audit(config: Config, json_path: Path | None, fail_on: str | None, show_all: bool, quiet: bool) -> None:
    """Count requests, bytes and problems per page: the baseline.

    A page is a template whose {% extends %} chain renders a full <html> document and that no
    other template extends (plus any listed in pages = [...]). Counts follow {% extends %},
    {% block %}/{{ block.super }} and {% include %}, and the fonts and images the page's CSS pulls in.

    \b
    Example:
      assetopt audit --templates templates --static static --json before.json --fail-on 'css>5'

    Exit codes: 0 ok, 1 a --fail-on condition met or a template could not be read, 2 usage error.
    """
    from .report import dumps, page_metrics, render_findings, render_table, to_json
    from .scan import run_audit
    from .thresholds import parse_conditions

    conditions = parse_conditions(fail_on) if fail_on else ()
    project = Project(config)
    tick, done = _progress(len(project.template_names()))
    try:
        result = run_audit(project, progress=tick)
    finally:
        done()
    if json_path is not None:
        data = to_json(result, str(config.project), config.static_url)
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
    if json_path is not None:
        click.echo(f"\nwrote {json_path}")
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


@cli.command()
@project_options
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None, help="Output static root (default: out in the config, else build/).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Parallel workers for compression (default: all cores).")
@click.option("--no-precompress", is_flag=True, help="Skip the .gz/.br siblings.")
@click.option("--no-minify", is_flag=True, help="Join without minifying (to debug a bundle).")
@click.option("--no-images", is_flag=True, help="Copy images as they are: no re-encoding, no .webp/.avif.")
def build(config: Config, out: Path | None, jobs: int | None, no_precompress: bool, no_minify: bool, no_images: bool) -> None:
    """Bundle, minify, hash and precompress every {% bundle %} block.

    Scans every template for {% bundle "css" %}/{% bundle "js" %} blocks (no rendering), builds
    each distinct asset list once (every {% if %} variant, e.g. RTL and LTR), copies the other
    static files, writes assetopt-manifest.json and .gz/.br siblings into the output static root.
    Nothing is written when any bundle has a problem; a rebuild with nothing changed writes nothing.

    \b
    Example:
      assetopt build --out build/static -j 2
    Then serve build/static as STATIC_ROOT with ASSETOPT = {"MANIFEST": ".../assetopt-manifest.json"}.
    """
    from .build import BuildOptions, build as run_build

    target = (out.resolve() if out is not None else config.out)
    result = run_build(
        Project(config),
        BuildOptions(out=target, jobs=jobs, precompress=not no_precompress, minify=not no_minify, images=not no_images),
    )
    bundles = result.manifest.bundles
    files = sum(len(b.files) for b in bundles.values())
    for w in result.warnings:
        loc = f"{w.path}:{w.lineno}" if w.lineno else w.path
        click.secho(f"warning: {loc}: {w.message}", fg="yellow", err=True)
    click.echo(f"{len(bundles)} bundle(s) -> {files} file(s) in {target}")
    for b in bundles.values():
        for f in b.files:
            click.echo(f"  {f.name}  {f.size / 1024:.1f} KB  <- {len(f.sources)} file(s) from {b.templates[0][0]}:{b.templates[0][1]}")
    im = result.images
    if im.files:
        click.echo(f"images: {im.optimized} of {im.files} made smaller, {im.bytes_before // 1024} -> {im.bytes_after // 1024} KB; {len(im.variants)} with .webp/.avif")
    p = result.precompress
    click.echo(
        f"written {len(result.written)}, static files copied {result.copied}, stale removed {len(result.removed)}, "
        f"precompressed {p.compressed} of {p.files} (cache hits {p.files - p.compressed}), join cache hits {result.cache_hits}"
    )


def _colour_diff(text: str) -> str:
    if not sys.stdout.isatty():
        return text
    out = []
    for line in text.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            out.append(click.style(line, bold=True))
        elif line.startswith("+"):
            out.append(click.style(line, fg="green"))
        elif line.startswith("-"):
            out.append(click.style(line, fg="red"))
        elif line.startswith("@@"):
            out.append(click.style(line, fg="cyan"))
        else:
            out.append(line)
    return "".join(out)


@cli.command()
@project_options
@click.option("--diff", "mode", flag_value="diff", default=True, help="Show a unified diff and a summary (default). Writes nothing.")
@click.option("--check", "mode", flag_value="check", help="Exit 1 when any rewrite is pending (CI, pre-commit). Writes nothing.")
@click.option("--write", "mode", flag_value="write", help="Apply in place, all or nothing, after compiling every result with Django.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None, help="Write a rewritten copy of the template dirs into DIR; sources untouched.")
@click.option("--only", "only", default=None, metavar="KINDS", help="Comma-separated transforms: bundles,images,cache,styles (default: the config's rewrite list).")
@click.option("--emit", type=click.Choice(["bundle", "compressor"]), default="bundle", show_default=True, help="Wrap runs in {% bundle %} or django-compressor's {% compress %}.")
@click.option("--explain", is_flag=True, help="Also list every tag left alone, with why.")
@click.option("--suggest-cache", is_flag=True, help="List candidate {% cache %} fragments with the verdict and the derived vary-on; change nothing.")
def rewrite(config: Config, mode: str, out: Path | None, only: str | None, emit: str, explain: bool, suggest_cache: bool) -> None:
    """Preview, check or apply template rewrites.

    \b
    bundles  wrap runs of stylesheets/scripts in {% bundle %} (or {% compress %})
    images   loading="lazy" decoding="async" below the fold; fetchpriority="high" on the
             LCP candidate; width/height read from the file
    cache    {% cache %} around the fragments listed in [[tool.assetopt.cache]]
    styles   (opt-in) static style="" -> generated classes, <style> blocks -> one generated
             stylesheet, assetopt/inline.css, linked in the page's stylesheet run

    Edits are splices: nothing outside an edit changes by a byte. Tags interrupted by template
    code are skipped and listed, never guessed. Every rewritten template is compiled with
    Django's engine first; --write writes nothing if any would break.

    \b
    Examples:
      assetopt rewrite                      # diff preview of everything
      assetopt rewrite --only images --check
      assetopt rewrite --write              # then: git diff, or the printed undo command
      assetopt rewrite --out build          # rewritten copies in build/templates/
      assetopt rewrite --suggest-cache      # fragments worth a {% cache %}, with verdicts

    Exit codes: 0 ok (or nothing to do), 1 --check found work / a rewrite would break / a
    template could not be read, 2 usage error.
    """
    from .config import TRANSFORMS
    from .edits import unified_diff
    from .rewrite import generated_path, plan_project, stale_generated, write_changes
    from .template_rewriter import context_from_config

    if suggest_cache:
        _print_cache_suggestions(Project(config), config.user_context)
        return
    kinds = tuple(k.strip() for k in only.split(",")) if only else config.rewrite
    bad = [k for k in kinds if k not in TRANSFORMS]
    if bad:
        raise click.UsageError(f"--only: unknown transform(s) {', '.join(bad)}; choose from {', '.join(TRANSFORMS)}")
    base = context_from_config(config, frozenset(kinds), emit)
    project = Project(config)
    result = plan_project(project, base)
    stale = stale_generated(result, project)  # the generated stylesheet ("styles"), when it changes
    if mode == "diff" and out is None:
        for change in result.changes:
            click.echo(_colour_diff(unified_diff(project.display(change.path), change.before, change.after)), nl=False)
        for path, before, after in stale:
            click.echo(_colour_diff(unified_diff(project.display(path), before, after)), nl=False)
    click.echo(_rewrite_summary(project, result, explain, reasons=mode != "check"))
    for change in result.broken:
        click.secho(f"would break: {project.display(change.path)}: {change.compile_error}", fg="red", err=True)
    for p in result.problems:
        loc = f"{p.path}:{p.lineno}" if p.lineno else p.path
        click.secho(f"error: {loc}: {p.message}" + (f" ({p.hint})" if p.hint else ""), fg="red", err=True)
    failed = bool(result.broken or result.problems)
    if out is not None or mode == "write":
        written = write_changes(result, project, out.resolve() if out is not None else None)
        if out is not None:
            click.echo(f"wrote {len(written)} file(s) under {out}; sources untouched")
            for logical in result.generated:  # the rewritten templates link it: Django must find it
                click.echo(f"generated {generated_path(project, logical, out)}: add {out / 'static'} to STATICFILES_DIRS (or copy it to {project.display(generated_path(project, logical))})")
        else:
            undo = _save_undo(project, result)
            click.echo(f"wrote {len(written)} file(s)")
            for path, _, _ in stale:  # a source now: keep it (a class cannot be turned back into its style)
                click.echo(f"generated {project.display(path)}: commit it with the templates")
            if undo is not None:
                click.echo(f"to undo: patch -R -p1 -d {config.project} < {undo}")
    if mode == "check" and (result.changes or stale):
        also = f" and {len(stale)} generated file(s)" if stale else ""
        click.echo(f"{len(result.changes)} template(s){also} would change: run `assetopt rewrite` to see the diff")
        sys.exit(EXIT_FINDINGS)
    if failed:
        sys.exit(EXIT_FINDINGS)


def _print_cache_suggestions(project: Project, user_context: tuple[str, ...]) -> None:
    from .errors import TemplateError
    from .rewrite_cache import suggest_cache

    count = 0
    for name in project.template_names():
        try:
            template = project.load(name)
        except TemplateError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            continue
        for s in suggest_cache(template, user_context):
            count += 1
            mark = click.style("ok     ", fg="green") if s.verdict == "ok" else click.style("refused", fg="yellow")
            click.echo(f"{mark} {s.path}:{s.lineno}: {s.what}: {s.reason}")
    click.echo(
        f"{count} candidate(s). Verdicts read the templates only: data a view or context processor computes per user\n"
        "(list the latter in user_context) must not be cached without varying on the user. To cache one, add a rule:\n"
        "[[tool.assetopt.cache]] template, selector (CSS, of the element to wrap), timeout, name; then `assetopt rewrite --only cache`."
    )


def _rewrite_summary(project: Project, result: Any, explain: bool, reasons: bool) -> str:
    from collections import Counter

    kinds = ("bundles", "images", "cache", "styles")
    lines = []
    if result.changes:
        header = ["template", *kinds]
        rows = []
        for change in result.changes:
            counts = Counter(e.kind for e in change.edits)
            # a bundle is two insertions (open and close); a {% cache %} fragment too
            # a tag's edits (a new attribute; a removed style plus a class) share its first line
            tags = lambda kind: len({e.lineno for e in change.edits if e.kind == kind})  # noqa: E731
            rows.append([project.display(change.path), str(counts["bundles"] // 2), str(tags("images")), str(counts["cache"] // 2), str(tags("styles"))])
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines.append("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(header)))
        for r in rows:
            lines.append("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)))
    else:
        lines.append("nothing to rewrite")
    if reasons:  # one line per change (a bundle's or a fragment's two insertions are one change)
        for change in result.changes:
            seen: set[tuple[int, str, str]] = set()
            for e in sorted(change.edits, key=lambda e: e.start):
                if e.kind != "load" and (e.lineno, e.kind, e.reason) not in seen:
                    seen.add((e.lineno, e.kind, e.reason))
                    lines.append(f"  {project.display(change.path)}:{e.lineno}: {e.kind}: {e.reason}")
    if result.skips:
        lines.append(f"{len(result.skips)} tag(s) left alone" + ("" if explain else " (--explain lists them)"))
        if explain:
            for sk in result.skips:
                loc = f"{sk.path}:{sk.lineno}" if sk.lineno else sk.path
                lines.append(f"  {loc}: {sk.kind}: {sk.reason}")
    return "\n".join(lines)


def _save_undo(project: Project, result: Any) -> Path | None:
    """A reverse-applicable patch of what --write changed, in the cache dir."""
    import hashlib

    from .edits import unified_diff

    if not result.changes:
        return None
    patch = "".join(unified_diff(project.display(c.path), c.before, c.after) for c in result.changes)
    target = project.config.cache_dir / "undo" / f"rewrite-{hashlib.sha256(patch.encode()).hexdigest()[:12]}.patch"
    write_atomic(target, patch.encode("utf-8"))
    return target


def _verify_report(verdict: Any, report: Path | None, json_path: Path | None, command: str, browser: Any = None) -> None:
    """--json (the verdict; with --browser: {"verify", "browser", "browser_reasons"}) and --report."""
    import json
    import platform

    from .htmlreport import write_report
    from .verify import verdict_to_dict

    data = verdict_to_dict(verdict)
    if json_path is not None:
        doc = data if browser is None else {**data, "browser": browser.pages, "browser_reasons": browser.reasons}
        write_atomic(json_path, (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        click.echo(f"wrote {json_path}")
    if report is not None:
        versions = {"assetopt": __version__, "python": platform.python_version()}
        full: dict[str, Any] = {"title": "assetopt verify", "verify": data, "commands": [command], "versions": versions}
        if browser is not None:
            versions["chromium"] = browser.chromium
            full["browser"] = browser.pages
        write_report(full, report)
        click.echo(f"wrote {report}")


@cli.command()
@project_options
@click.option("--baseline", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True, help="An `assetopt audit --json` from before the change.")
@click.option("--require", "require", default=None, metavar="EXPR", help="Limits every page must meet after, e.g. 'css<=2,js<=2,eager_img<=3'.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the verdict as JSON (schema assetopt.verify).")
@click.option("--report", "report", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write a self-contained HTML report with before/after charts.")
def verify(config: Config, baseline: Path, require: str | None, json_path: Path | None, report: Path | None) -> None:
    """Prove the drop: compare the project now with a baseline audit, page by page.

    A page fails when a request count, render-blocking requests or eager images went up, when its
    brotli bytes grew by more than 1 %, when it had bundle/lazy-image findings and nothing dropped,
    when a --require limit does not hold, or when it is missing on one side. Prints a table to
    paste into a pull request. (The browser half, --browser, comes with a later release.)

    \b
    Example:
      assetopt audit --json before.json          # before the change
      assetopt verify --baseline before.json --require 'css<=2,eager_img<=3' --report report.html

    Exit codes: 0 every page improved or held, 1 a page regressed or failed a limit, 2 usage error.
    """
    import json

    from .report import to_json
    from .scan import run_audit
    from .thresholds import parse_conditions
    from .verify import compare, markdown_table

    conditions = parse_conditions(require) if require else ()
    try:
        before = json.loads(baseline.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise AssetoptError(f"cannot read the baseline: {exc}", path=str(baseline), hint="write one with `assetopt audit --json FILE`") from None
    now = to_json(run_audit(Project(config)), str(config.project), config.static_url)
    verdict = compare(before, now, conditions, baseline_path=str(baseline))
    click.echo(markdown_table(verdict))
    for reason in verdict.reasons:
        click.secho(f"fail: {reason}", fg="red", err=True)
    _verify_report(verdict, report, json_path, " ".join(["assetopt", *sys.argv[1:]]))
    if verdict.failed:
        sys.exit(EXIT_FINDINGS)


@cli.command()
@project_options
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None, help="Where the rewritten templates and the built static root go (default: out in the config, else build/).")
@click.option("--require", "require", default=None, metavar="EXPR", help="Limits every page must meet after, e.g. 'css<=2,js<=2,eager_img<=3'.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the verdict as JSON.")
@click.option("--report", "report", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write a self-contained HTML report.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Parallel workers for the build.")
@click.option("--browser", is_flag=True, help="Also render pages before/after with Django and measure them in headless Chromium (/usr/bin/chromium).")
@click.option("--settings", "settings_module", default=None, metavar="MODULE", help="--browser: DJANGO_SETTINGS_MODULE, importable from --project (in this repository: erp.settings from example/).")
@click.option("--url", "urls", multiple=True, metavar="PAGE", help="--browser: a page to render and measure (repeatable): a URL path (/en/) or a URL name (core:dashboard; name:arg1,arg2 for arguments), reversed in LANGUAGE_CODE; the first is also measured throttled (in this repository: /en/ and /en/sales/orders/new/).")
@click.option("--user", "user", default=None, metavar="USERNAME", help="--browser: render the pages logged in as this user of the project's database (force_login), before and after.")
@click.option("--no-throttle", is_flag=True, help="--browser: skip the throttled (Fast 3G) runs, which take most of the time.")
def optimize(
    config: Config, out: Path | None, require: str | None, json_path: Path | None, report: Path | None, jobs: int | None,
    browser: bool, settings_module: str | None, urls: tuple[str, ...], no_throttle: bool, user: str | None,
) -> None:
    """Do it all on a copy and show the before/after table: sources untouched.

    audit the sources -> rewrite every template into OUT/templates -> build bundles and the static
    root into OUT/static -> audit the copy -> compare. Serve OUT/templates and OUT/static (or
    apply the same rewrite with `assetopt rewrite --write` and build in your deploy).

    With --browser: render each --url with Django's test client (before: the sources; after: the
    rewritten templates with bundling on and OUT/static's manifest) into OUT/snapshots/, serve each
    side with its static root on 127.0.0.1, load every page in a fresh headless Chromium (plus one
    Fast 3G run of the first page), screenshot and pixel-diff them into OUT/shots/. Fails on a new
    console error or failed request, a screenshot that differs by more than 1 %, a lazy LCP image,
    or fewer saved requests than the static comparison claims. In this repository the defaults
    measure the example; other projects pass --settings MODULE --url PAGE [--url PAGE ...], a PAGE
    being a URL path or a URL name; pages behind a login render with --user USERNAME.

    \b
    Example (in this repository it runs on the bundled example site):
      assetopt optimize --require 'css<=2,blocking<=3' --report build/report.html
      assetopt optimize --browser --report build/report.html
      assetopt optimize --browser --settings mysite.settings --url /en/ --url /en/orders/
      assetopt optimize --browser --url core:dashboard --url sales:order_detail:1 --user demo

    Exit codes: 0 every page improved or held, 1 a page regressed, failed a limit, a browser check
    failed, or a rewrite would break a template (nothing written then), 2 usage error.
    """
    from .optimize import optimize as run_optimize
    from .template_rewriter import context_from_config
    from .thresholds import parse_conditions
    from .verify import markdown_table

    conditions = parse_conditions(require) if require else ()
    target = out.resolve() if out is not None else config.out
    browser_args = _browser_args(config, settings_module, urls) if browser else None
    base = context_from_config(config)
    progress = (lambda m: click.secho(f"... {m}", dim=True, err=True)) if sys.stderr.isatty() else (lambda m: None)
    result = run_optimize(config, target, base, conditions, jobs, progress)
    click.echo(markdown_table(result.verdict))
    files = sum(len(b.files) for b in result.build.manifest.bundles.values())
    click.echo(
        f"\nrewrote {len(result.rewrite.changes)} template(s) into {', '.join(display_path(p, config.project) for p in result.templates_out)}; "
        f"built {len(result.build.manifest.bundles)} bundle(s) ({files} file(s)) into {display_path(result.static_out, config.project)}"
    )
    for reason in result.verdict.reasons:
        click.secho(f"fail: {reason}", fg="red", err=True)
    checked = None
    if browser_args is not None:
        from .optimize import browser_check

        settings_name, pythonpath, page_urls = browser_args
        checked = browser_check(
            config, result, settings_module=settings_name, pythonpath=pythonpath, urls=page_urls,
            throttled=() if no_throttle else None, progress=progress, user=user,
        )
        click.echo()
        click.echo(_browser_table(checked))
        click.echo(f"\nChromium {checked.chromium}: {len(page_urls)} page(s) in {checked.seconds:.1f} s; snapshots in {display_path(target / 'snapshots', config.project)}, screenshots in {display_path(target / 'shots', config.project)}")
        for reason in checked.reasons:
            click.secho(f"fail: {reason}", fg="red", err=True)
    _verify_report(result.verdict, report, json_path, " ".join(["assetopt", *sys.argv[1:]]), browser=checked)
    if result.verdict.failed or (checked is not None and checked.reasons):
        sys.exit(EXIT_FINDINGS)


def _browser_args(config: Config, settings_module: str | None, urls: tuple[str, ...]) -> tuple[str, Path, list[str]]:
    """--settings/--url, or in this repository (example/manage.py) the example's defaults."""
    from .optimize import EXAMPLE_URLS
    from .snapshots import snapshot_relpath

    example = config.project / "example"
    is_repo = (example / "manage.py").is_file()
    if settings_module is None and not is_repo:
        raise click.UsageError("--browser needs --settings MODULE (and --url PATH ...): the Django settings that render your pages")
    if not urls and not is_repo:
        raise click.UsageError("--browser needs at least one --url PAGE (a URL path or URL name, e.g. --url /; add --user USERNAME for pages behind a login)")
    pythonpath = example if is_repo and settings_module in (None, "erp.settings") else config.project
    page_urls = list(urls) if urls else list(EXAMPLE_URLS)
    for u in page_urls:
        if u.startswith("/"):
            snapshot_relpath(u)  # a bad --url path is a usage error before anything runs; names are reversed by Django
        elif "/" in u and ":" not in u:  # en/: a path missing its /, not a URL name
            raise AssetoptError(f"--url {u!r}: a path starting with / or a URL name is expected", hint="e.g. --url /en/ or --url core:dashboard")
    return settings_module or "erp.settings", pythonpath, page_urls


def _browser_table(checked: Any) -> str:
    def ms(m: Any) -> str:
        return "-" if not m or m.get("load_ms") is None else f"{m['load_ms']:.0f}"

    head = ["page", "requests", "loadEventEnd ms", "Fast 3G load ms", "screenshot diff", "status"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * 4 + ["---"]) + "|"]
    for name, e in checked.pages.items():
        b, a = e["before"], e["after"]
        tb, ta = e.get("before_throttled"), e.get("after_throttled")
        throttled = f"{ms(tb)} → {ms(ta)}" if tb or ta else "-"
        cells = [
            f"{name} ({e['url']})".replace("|", "\\|"),
            f"{b['request_count']} → {a['request_count']}",
            f"{ms(b)} → {ms(a)}",
            throttled,
            f"{e['diff']['fraction']:.2%}",
            "failed" if e["reasons"] else "ok",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    cli(prog_name="assetopt")


if __name__ == "__main__":
    main()
