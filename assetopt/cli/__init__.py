"""The ``assetopt`` command line: one module per command. The only place that prints, reads flags
and maps errors to exit codes.

Exit codes: 0 ok; 1 findings (a --fail-on threshold met, a regression, a template that cannot be
read); 2 usage error or crash.
"""
from __future__ import annotations

from . import audit, build, optimize, rewrite, verify  # noqa: F401 - each registers its command
from .base import DJANGO_PROG_ENV, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, cli
from .browser_args import browser_args

__all__ = ["main", "cli", "browser_args", "EXIT_OK", "EXIT_FINDINGS", "EXIT_USAGE"]


def main() -> None:
    import os

    cli(prog_name=os.environ.get(DJANGO_PROG_ENV) or "assetopt")
