"""``assetopt undo PATCH``: take one ``rewrite --write`` back out, keeping the edits made since."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import RewriteRefused
from .base import EXIT_FINDINGS, cli


@cli.command()
@click.argument("patch", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--project", "_project", hidden=True, default=None, help="Ignored: the record beside PATCH names the folder (manage.py passes it).")
def undo(patch: Path, _project: str | None) -> None:
    """Undo the `rewrite --write` that printed PATCH, keeping every edit made since.

    Each file the rewrite changed is read as it is now. As the rewrite wrote it: it gets its old
    text back (a stylesheet the rewrite created is deleted). Already as before (git checkout, a
    killed run): left alone. Edited since: your edits are kept and the rewrite's lines taken out,
    and the result must still compile with Django. Where an edit of yours touches a line the
    rewrite wrote, or the result would not compile, nothing at all is written and each such file
    is named with its line. A file deleted or renamed since is left as it is, and said.

    \b
    Example:
      assetopt undo .assetopt-cache/undo/rewrite-3f2a9c1d0b7e.patch

    Exit codes: 0 undone (or nothing left to undo), 1 refused (nothing written), 2 usage error.
    """
    from ..rewrite.undo import apply_undo, plan_undo

    try:
        plan = plan_undo(patch.resolve())
    except RewriteRefused as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(EXIT_FINDINGS)
    for note in plan.notes:
        click.secho(f"note: {note}", fg="yellow", err=True)
    written = apply_undo(plan)
    if not written:
        click.echo("nothing to undo" + ("" if plan.notes else ": every file is as it was before the rewrite"))
        return
    kept = f", keeping the edits made since in {len(plan.merged)}" if plan.merged else ""
    click.echo(f"undone: {len(written)} file(s) under {plan.folder}{kept}")
    for path in plan.merged:
        click.echo(f"  kept your edits: {path.relative_to(plan.folder).as_posix()}")
