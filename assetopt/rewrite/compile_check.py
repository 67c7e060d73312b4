"""Compile templates with Django's real template engine, to prove a rewrite breaks nothing.

Runs in a child process with minimal settings of its own, so the caller's Django configuration (or
lack of one) never matters and is never touched. Tag libraries: Django's own (admin included),
compressor's when installed, and ours. A template that did not compile before a rewrite (a custom
tag library we do not know) is judged only on not failing *differently* after it.
"""
from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence

from ..errors import AssetoptError

__all__ = ["compile_errors"]


def compile_errors(sources: Sequence[str]) -> list[str | None]:
    """For each source: None when it compiles, else Django's message."""
    if not sources:
        return []
    proc = subprocess.run(
        [sys.executable, "-m", "assetopt.contrib.django.compile_child"],
        input=json.dumps(list(sources)),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if proc.returncode != 0:
        raise AssetoptError("could not run Django's template compiler", hint=proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "no output")
    result = json.loads(proc.stdout)
    assert isinstance(result, list) and len(result) == len(sources)
    return result
