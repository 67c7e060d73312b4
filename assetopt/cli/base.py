"""The command group, the options every command shares, and the exit codes. Only the ``cli``
package prints, reads flags and maps errors to exit codes (0 ok, 1 findings, 2 usage or crash)."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import __version__
from ..config import load_config
from ..errors import AssetoptError

__all__ = ["cli", "project_options", "folder_option", "progress_bar", "step_progress", "EXIT_OK", "EXIT_FINDINGS", "EXIT_USAGE"]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


F = TypeVar("F", bound=Callable[..., Any])


def folder_option(flag: str, help: str) -> Callable[[F], F]:
    """A ``--flag DIR`` option naming a folder (``Path``, default None): every command's ``--out``,
    ``--work``, ``--shots`` the same way, each with its own help."""
    return click.option(flag, flag.lstrip("-"), type=click.Path(file_okay=False, path_type=Path), default=None, help=help)


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
    assetopt critical   inline each CSS bundle's first-screen CSS, measured in Chromium
    assetopt rewrite    preview (diff), check or apply template rewrites: bundles, lazy images, {% cache %}
    assetopt undo       take a rewrite --write back out, keeping the edits made since
    assetopt verify     compare the project with a baseline audit: did the counts drop?
    assetopt optimize   all of it on a copy: audit, rewrite, build, verify; sources untouched
    Run "assetopt COMMAND --help" for the options and an example of each.

    Settings come from [tool.assetopt] in pyproject.toml (or assetopt.toml) in --project;
    --templates and --static work without any config file.
    """


# Set by ``manage.py assetopt`` in its child: usage errors name that command, and --help hides the
# options the settings provide (the project, its template and static dirs, STATIC_URL).
DJANGO_PROG_ENV = "ASSETOPT_DJANGO_PROG"
UNDER_DJANGO = bool(os.environ.get(DJANGO_PROG_ENV))


def project_options(f: Callable[..., Any]) -> Callable[..., Any]:
    hide = UNDER_DJANGO

    @click.option(
        "--project",
        "project_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        show_default=True,
        hidden=hide,
        help="Where pyproject.toml/assetopt.toml is read.",
    )
    @click.option("--templates", "templates", multiple=True, metavar="DIR", hidden=hide, help="Template dir (repeatable); overrides the config.")
    @click.option("--static", "static", multiple=True, metavar="DIR", hidden=hide, help="Static source dir (repeatable); overrides the config.")
    @click.option("--static-url", "static_url", default=None, metavar="URL", hidden=hide, help="STATIC_URL prefix (default /static/).")
    @click.option(
        "--include-app-templates",
        "include_app_templates",
        is_flag=True,
        default=None,
        help="Also audit and rewrite the installed packages' templates (library_templates; in Django: apps outside BASE_DIR or in site-packages). Off by default: they are only read.",
    )
    @functools.wraps(f)
    def wrapper(
        project_dir: Path,
        templates: tuple[str, ...],
        static: tuple[str, ...],
        static_url: str | None,
        include_app_templates: bool | None,
        **kwargs: Any,
    ) -> Any:
        config = load_config(
            project_dir, {"templates": templates, "static": static, "static_url": static_url, "include_app_templates": include_app_templates or None}
        )
        if not config.templates:
            raise AssetoptError(
                "no template dirs configured",
                hint="pass --templates DIR, or add templates = [...] under [tool.assetopt] in pyproject.toml",
            )
        return f(config=config, **kwargs)

    return wrapper


def progress_bar(names_total: int) -> tuple[Callable[[str], None] | None, Callable[[], None]]:
    """A progress bar on a terminal, nothing otherwise (CI logs stay clean)."""
    if not sys.stderr.isatty() or names_total < 20:
        return None, lambda: None
    bar = click.progressbar(length=names_total, label="reading templates", file=sys.stderr)
    bar.__enter__()
    return (lambda _name: bar.update(1)), (lambda: bar.__exit__(None, None, None))


def step_progress() -> Callable[[str], None]:
    """One dim line per step of long work on a terminal (stderr), nothing in CI logs."""
    if sys.stderr.isatty():
        return lambda m: click.secho(f"... {m}", dim=True, err=True)
    return lambda _m: None
