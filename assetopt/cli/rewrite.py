"""``assetopt rewrite``: diff preview, --check, --write (with an undo patch), --out."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Any

import click

from ..config import Config
from ..errors import RewriteRefused
from ..io.fs import write_atomic
from ..io.project import Project
from .base import DJANGO_PROG_ENV, EXIT_FINDINGS, cli, folder_option, project_options, step_progress
from .browser_args import browser_args, browser_options, layout_line, with_layout


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
@folder_option("--out", "Write a rewritten copy of the template dirs into DIR; sources untouched.")
@click.option(
    "--only",
    "only",
    default=None,
    metavar="KINDS",
    help="Comma-separated transforms: bundles,images,cache,styles (default: the config's rewrite list).",
)
@click.option(
    "--emit",
    type=click.Choice(["bundle", "compressor"]),
    default="bundle",
    show_default=True,
    help="Wrap runs in {% bundle %} or django-compressor's {% compress %}.",
)
@click.option("--explain", is_flag=True, help="Also list every tag left alone, with why.")
@click.option("--suggest-cache", is_flag=True, help="List candidate {% cache %} fragments with the verdict and the derived vary-on; change nothing.")
@browser_options(
    browser="First measure where each <img> renders: each --url is rendered by Django and loaded in headless Chromium "
    "(/usr/bin/chromium) at a phone's and a desktop's width; the images rewrite then writes `sizes` from the measured widths "
    "and lazy/eager/fetchpriority from what was below the first screen, in it, or the LCP element (cached in the cache dir).",
    settings="DJANGO_SETTINGS_MODULE (default: settings in [tool.assetopt]): --browser renders the pages with it; given here, "
    "cache fragments also know which names your context processors provide and which of your tags take the context.",
    url="--browser: a page to render and measure (repeatable): a URL path (/en/) or a URL name (core:dashboard; name:arg1,arg2 "
    "for arguments; name@ar in that language) (default: urls in [tool.assetopt]).",
    user="--browser: render the pages logged in as this user of the project's database (default: user in [tool.assetopt]).",
)
def rewrite(
    config: Config,
    mode: str,
    out: Path | None,
    only: str | None,
    emit: str,
    explain: bool,
    suggest_cache: bool,
    browser: bool,
    settings_module: str | None,
    urls: tuple[str, ...],
    user: str | None,
) -> None:
    """Preview, check or apply template rewrites.

    \b
    bundles  wrap runs of stylesheets/scripts in {% bundle %} (or {% compress %})
    images   loading="lazy" decoding="async" below the fold; fetchpriority="high" on the
             LCP candidate; width/height read from the file; {% picture %} around static
             raster images (WebP/AVIF and srcset widths from the build's manifest)
    cache    {% cache %} around the fragments listed in [[tool.assetopt.cache]]
    styles   (opt-in) static style="" -> generated classes, <style> blocks -> one generated
             stylesheet, assetopt/inline.css, linked in the page's stylesheet run

    With --browser the images rewrite follows the rendered layout instead of the template rules
    on the pages measured: `sizes` on each {% picture %} image from its widths in Chromium,
    loading="lazy" on what rendered below the first screen, fetchpriority="high" on the LCP
    element, and loading="eager" on an image that rendered in the first screen where the rules
    would lazy-load or prioritise it, so a later run without --browser (CI's --check) agrees
    with what was written. Needs the Django settings and the pages: --settings/--url, else
    settings/urls in [tool.assetopt]; pages behind a login render with --user.

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
      assetopt rewrite --suggest-cache --settings mysite.settings   # knowing your context processors and tags
      assetopt rewrite --write --browser    # sizes and loading from the layout in Chromium
      assetopt rewrite --browser --settings mysite.settings --url / --url shop:product:1 --user demo

    Exit codes: 0 ok (or nothing to do), 1 --check found work / a rewrite would break / a
    template could not be read / --write refused a file, 2 usage error.
    """
    from dataclasses import replace

    from ..config import TRANSFORMS
    from ..rewrite.context import context_from_config
    from ..rewrite.edits import unified_diff
    from ..rewrite.project import generated_path, links_outside, plan_project, stale_generated, write_changes

    if browser and suggest_cache:
        raise click.UsageError("--browser cannot go with --suggest-cache: the suggestions read the templates only; drop one of them")
    kinds = tuple(k.strip() for k in only.split(",")) if only else config.rewrite
    bad = [k for k in kinds if k not in TRANSFORMS]
    if bad:
        raise click.UsageError(f"--only: unknown transform(s) {', '.join(bad)}; choose from {', '.join(TRANSFORMS)}")
    if browser and "images" not in kinds:
        raise click.UsageError("--browser measures where images render: it needs the images transform (add it to --only, or drop --browser)")
    page_args = browser_args(config, settings_module, urls) if browser else None  # usage errors before any work
    facts = _cache_facts(config, settings_module)
    if suggest_cache:
        _print_cache_suggestions(Project(config), facts)
        return
    base = replace(context_from_config(config, frozenset(kinds), emit), cache_facts=facts)
    if page_args is not None:
        base = with_layout(config, base, page_args, user, step_progress())
    project = Project(config)
    result = plan_project(project, base)
    stale = stale_generated(result, project)  # the generated stylesheet ("styles"), when it changes
    # one change per file: plan_project plans each file once, under the name the audit shows it by
    if mode == "diff" and out is None:
        for change in result.changes:
            click.echo(_colour_diff(unified_diff(project.display(change.path), change.before, change.after)), nl=False)
        for path, before, after in stale:
            click.echo(_colour_diff(unified_diff(project.display(path), before, after)), nl=False)
    click.echo(_rewrite_summary(project, result, explain, reasons=mode != "check"))
    said = layout_line(base, result.changes, project.file_key)
    if said is not None:
        click.echo(said)
    for loop in project.link_loops():
        click.secho(f"warning: {loop}", fg="yellow", err=True)
    for change in result.changes:  # Django renders it through the link; --write refuses it
        note = project.link_note(change.name)
        if note is not None:
            click.secho(f"note: {change.name}: {note}: rewrite --write will not edit it", fg="yellow", err=True)
    for change in result.broken:
        click.secho(f"would break: {project.display(change.path)}: {change.compile_error}", fg="red", err=True)
    for p in result.problems:
        loc = f"{p.path}:{p.lineno}" if p.lineno else p.path
        click.secho(f"error: {loc}: {p.message}" + (f" ({p.hint})" if p.hint else ""), fg="red", err=True)
    failed = bool(result.broken or result.problems)
    if out is not None or mode == "write":
        try:
            # The undo patch first: a run killed between two template writes can still be undone. It
            # asks write_targets where each change goes, which refuses (nothing written yet, the patch
            # neither) a file assetopt must not write (outside the project, an installed package's):
            # the same finding as below.
            undo = _save_undo(project, result) if out is None and not result.broken else None
            written = write_changes(result, project, out.resolve() if out is not None else None)
        except RewriteRefused as exc:  # a finding the user must fix (design.md: exit 1), not a usage error
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(EXIT_FINDINGS)
        if out is not None:
            click.echo(f"wrote or removed {len(written)} file(s) under {out}; sources untouched")
            for link, how, why in links_outside(project):
                click.secho(
                    f"not copied: {project.display(link)} is {how}, {why} (Django renders it; assetopt copies only the project's own files)",
                    fg="yellow",
                    err=True,
                )
            for logical in result.generated:  # the rewritten templates link it: Django must find it
                click.echo(
                    f"generated {generated_path(project, logical, out)}: add {out / 'static'} to STATICFILES_DIRS (or copy it to {project.display(generated_path(project, logical))})"
                )
        else:
            click.echo(f"wrote {len(written)} file(s)")
            for path, _, _ in stale:  # a source now: keep it (a class cannot be turned back into its style)
                click.echo(f"generated {project.display(path)}: commit it with the templates")
            if undo is not None:
                folder, patch = undo
                prog = os.environ.get(DJANGO_PROG_ENV) or "assetopt"
                click.echo(f"to undo: {prog} undo {shlex.quote(str(patch))}")
                click.echo("  (it keeps the edits made since; where one meets a line the rewrite wrote it names the line and writes nothing)")
                click.echo(
                    f"with GNU patch, while the files are exactly as written: patch -R -p1 -d {shlex.quote(str(folder))} < {shlex.quote(str(patch))}"
                )
    if mode == "check" and (result.changes or stale):
        also = f" and {len(stale)} generated file(s)" if stale else ""
        click.echo(f"{len(result.changes)} template(s){also} would change: run `assetopt rewrite` to see the diff")
        sys.exit(EXIT_FINDINGS)
    if failed:
        sys.exit(EXIT_FINDINGS)


def _cache_facts(config: Config, settings_module: str | None) -> Any:
    """The config's declarations; with --settings also what the Django project says (a child process).
    Settings that import but cannot tell (an app's ``ready()`` fails...): one warning line, and the
    declarations alone, the safe default (custom tags refused, unknown names keyed per user and URL)."""
    from ..errors import FactsUnavailable
    from ..templates.cache_reads import CacheFacts

    declared = CacheFacts(user_context=config.user_context, constants=config.constants)
    if not settings_module:
        return declared
    from ..verify.cache_check import cache_facts
    from .browser_args import cache_check_args

    found = cache_check_args(config, settings_module)
    assert found is not None
    try:
        return cache_facts(config, *found)
    except FactsUnavailable as exc:
        click.secho(f"warning: {exc}", fg="yellow", err=True)
        return declared


def _print_cache_suggestions(project: Project, facts: Any) -> None:
    from ..errors import TemplateError
    from ..rewrite.cache import suggest_cache

    count = 0
    for name in project.template_names():
        try:
            template = project.load(name)
        except TemplateError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            continue
        for s in suggest_cache(template, facts):
            count += 1
            mark = click.style("ok     ", fg="green") if s.verdict == "ok" else click.style("refused", fg="yellow")
            click.echo(f"{mark} {s.path}:{s.lineno}: {s.what}: {s.reason}")
    click.echo(
        f"{count} candidate(s). Verdicts read the templates only: what the view or a context processor provides is keyed\n"
        "per user and URL unless a rule's vary says what it depends on. To cache one, add a rule:\n"
        "[[tool.assetopt.cache]] template, selector (CSS, of the element to wrap), timeout, name, vary (optional);\n"
        "then prove it with `assetopt verify --cache` (renders as two users) and apply it with `assetopt rewrite --only cache`."
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
            tags = lambda kind, edits=change.edits: len({e.lineno for e in edits if e.kind == kind})  # noqa: E731
            rows.append(
                [project.display(change.path), str(counts["bundles"] // 2), str(tags("images")), str(counts["cache"] // 2), str(tags("styles"))]
            )
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


def _save_undo(project: Project, result: Any) -> tuple[Path, Path] | None:
    """``(folder, patch file)``: a reverse-applicable patch of what --write will change (a generated
    stylesheet included), in the cache dir (never a served folder), its paths relative to ``folder``;
    beside it the record `assetopt undo` reads (the texts before and as written). None when nothing
    changes."""
    import hashlib

    from ..rewrite.edits import unified_diff
    from ..rewrite.project import write_targets
    from ..rewrite.undo import save_record
    from ..rewrite.writing import undo_files

    folder, files = undo_files(write_targets(result, project), project, result)
    patch = "".join(unified_diff(p.relative_to(folder).as_posix(), before, after) for p, before, after in files)
    if not patch:
        return None
    target = project.config.cache_dir.resolve() / "undo" / f"rewrite-{hashlib.sha256(patch.encode()).hexdigest()[:12]}.patch"
    config = project.config
    save_record(target, folder, files, config.settings, config.pythonpath or ((config.project,) if config.settings else ()))
    write_atomic(target, patch.encode("utf-8"))
    return folder, target
