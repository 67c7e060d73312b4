"""Compile templates with Django's real template engine, to prove a rewrite breaks nothing.

Runs in a child process, so the caller's Django configuration (or lack of one) is never touched.
With a Django settings module (the config's ``settings``; ``manage.py assetopt`` sets it) the child sets up
that project and compiles with its own template engine: its tag libraries and builtins, so a project
library with a ``{% picture %}`` or ``{% bundle %}`` tag of its own is seen clashing with ours.
Without one, minimal settings: Django's libraries (admin included), compressor's when installed, and
ours; a library a template loads that is not installed (a third-party app's) gets stand-ins for the
tags and filters the *original* template uses from it (``compile_child.stub_library``), so the rest of
the template is still judged and a tag only the rewrite brings is never stubbed. A template that did
not compile before the rewrite all the same is judged only on not failing *differently* after it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from ..errors import AssetoptError

__all__ = ["compile_errors"]


def compile_errors(
    sources: Sequence[str], django_settings: str = "", pythonpath: Sequence[Path] = (), stub_from: Sequence[str] | None = None
) -> list[str | None]:
    """For each source: None when it compiles, else Django's message. ``pythonpath``: where the
    settings module imports from (put first on the child's ``PYTHONPATH``). ``stub_from[i]``: the
    source whose uses of uninstalled libraries get stand-ins when ``sources[i]`` compiles (default:
    ``sources[i]``; a rewrite passes its original). Only without ``django_settings``."""
    if not sources:
        return []
    if stub_from is not None and len(stub_from) != len(sources):
        raise ValueError("stub_from: one source per source compiled")
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join([*(str(p) for p in pythonpath), *filter(None, [env.get("PYTHONPATH")])])
    proc = subprocess.run(
        [sys.executable, "-m", "assetopt.contrib.django.compile_child", *([django_settings] if django_settings else [])],
        input=json.dumps({"sources": list(sources), "stub_from": list(stub_from if stub_from is not None else sources)}),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        env=env,
    )
    if proc.returncode != 0:
        where = f" with the settings {django_settings!r}" if django_settings else ""
        raise AssetoptError(
            f"could not run Django's template compiler{where}", hint=proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "no output"
        )
    result = json.loads(proc.stdout)
    assert isinstance(result, list) and len(result) == len(sources)
    return result
