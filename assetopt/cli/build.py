"""``assetopt build``: bundles, minified copies, images, precompression, the manifest."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import Config, with_out
from ..io.project import Project
from .base import cli, folder_option, project_options


@cli.command()
@project_options
@folder_option("--out", "Output static root (default: out in the config, else build/).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Parallel workers for compression (default: all cores).")
@click.option("--no-precompress", is_flag=True, help="Skip the .gz/.br siblings.")
@click.option("--no-minify", is_flag=True, help="Join without minifying (to debug a bundle).")
@click.option("--no-images", is_flag=True, help="Copy images as they are: no re-encoding, no .webp/.avif.")
def build(config: Config, out: Path | None, jobs: int | None, no_precompress: bool, no_minify: bool, no_images: bool) -> None:
    """Bundle, minify, hash and precompress every {% bundle %} block.

    Scans every template for {% bundle "css" %}/{% bundle "js" %} blocks (no rendering), builds
    each distinct asset list once (every {% if %} variant, e.g. RTL and LTR), copies the other
    static files (CSS/JS/SVG minified with minify_static = true), optimizes images (JPEG/PNG
    recompressed when smaller, WebP/AVIF siblings, narrower copies for srcset at image_widths),
    writes assetopt-manifest.json and .gz/.br siblings into the output static root. Nothing is
    written when any bundle has a problem; a rebuild with nothing changed writes nothing.
    Critical CSS (from `assetopt critical`) in the manifest replaced is kept while the bundle and
    every template are byte-identical to what it was measured from, else dropped, with a line
    saying which and why.

    \b
    Example:
      assetopt build --out build/static -j 2
    Then serve build/static as STATIC_ROOT with ASSETOPT = {"MANIFEST": ".../assetopt-manifest.json"}.
    """
    from ..build import BuildOptions
    from ..build import build as run_build
    from ..build.manifest import manifest_file

    config = with_out(config, out.resolve()) if out is not None else config
    target = config.out
    result = run_build(
        Project(config),
        BuildOptions(
            out=target,
            manifest=manifest_file(config),
            jobs=jobs,
            precompress=not no_precompress,
            minify=not no_minify,
            images=not no_images,
            on_wait=lambda m: click.echo(m, err=True),
        ),
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
    for line in result.critical:
        click.echo(line)
    im = result.images
    if im.files:
        copies = sum(len(names) for names in im.widths.values())
        click.echo(
            f"images: {im.optimized} of {im.files} made smaller, {im.bytes_before // 1024} -> {im.bytes_after // 1024} KB; "
            f"{len(im.variants)} with .webp/.avif, {len(im.widths)} with {copies} narrower copies for srcset"
        )
    p = result.precompress
    click.echo(
        f"written {len(result.written)}, static files copied {result.copied}, stale removed {len(result.removed)}, "
        f"precompressed {p.compressed} of {p.files} (cache hits {p.files - p.compressed}), join cache hits {result.cache_hits}"
    )
