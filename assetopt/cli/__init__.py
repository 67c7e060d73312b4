"""The ``assetopt`` command line: one module per command. The only place that prints, reads flags
and maps errors to exit codes.

Exit codes: 0 ok; 1 findings (a --fail-on threshold met, a regression, a template that cannot be
read); 2 usage error or crash.
"""

from __future__ import annotations

import gc
import os

from . import audit, build, critical, optimize, rewrite, undo, verify  # noqa: F401 - each registers its command
from .base import DJANGO_PROG_ENV, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, cli
from .browser_args import browser_args

__all__ = ["main", "cli", "browser_args", "EXIT_OK", "EXIT_FINDINGS", "EXIT_USAGE"]


def main() -> None:
    # A run holds every parsed template (hundreds of thousands of long-lived objects) and allocates
    # many small values per page: with the default gen-0 threshold (700) the cyclic collector rescans
    # them over and over (27-31 % of an audit of 3,000 templates). Nothing here relies on prompt
    # collection of cycles; reference counting still frees everything else at once.
    gc.set_threshold(100_000, 50, 100)
    cli(prog_name=os.environ.get(DJANGO_PROG_ENV) or "assetopt")
