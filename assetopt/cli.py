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
from .project import Project

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


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="assetopt")
def cli() -> None:
    """Make server-rendered Django sites load fast, and prove it.

    \b
    assetopt audit      count requests, bytes and problems per page (the baseline)
    assetopt build      bundle, minify, hash and precompress every {% bundle %} block
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
def build(config: Config, out: Path | None, jobs: int | None, no_precompress: bool, no_minify: bool) -> None:
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
    result = run_build(Project(config), BuildOptions(out=target, jobs=jobs, precompress=not no_precompress, minify=not no_minify))
    bundles = result.manifest.bundles
    files = sum(len(b.files) for b in bundles.values())
    for w in result.warnings:
        loc = f"{w.path}:{w.lineno}" if w.lineno else w.path
        click.secho(f"warning: {loc}: {w.message}", fg="yellow", err=True)
    click.echo(f"{len(bundles)} bundle(s) -> {files} file(s) in {target}")
    for b in bundles.values():
        for f in b.files:
            click.echo(f"  {f.name}  {f.size / 1024:.1f} KB  <- {len(f.sources)} file(s) from {b.templates[0][0]}:{b.templates[0][1]}")
    p = result.precompress
    click.echo(
        f"written {len(result.written)}, static files copied {result.copied}, stale removed {len(result.removed)}, "
        f"precompressed {p.compressed} of {p.files} (cache hits {p.files - p.compressed}), join cache hits {result.cache_hits}"
    )


def main() -> None:
    cli(prog_name="assetopt")


if __name__ == "__main__":
    main()
