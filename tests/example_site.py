"""The example site deployed into a temp dir, as the Django tests need it: its templates rewritten
(``assetopt rewrite --out``), ``manage.py collectstatic`` into a temp STATIC_ROOT, and scripts of the
example's Django project (tests/example_pages.py, tests/example_whitenoise.py) run against that, each
in a child process so the example's settings never mix with other tests'."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from assetopt.config import load_config
from assetopt.project import Project
from assetopt.rewrite import plan_project, write_changes
from assetopt.template_rewriter import context_from_config

__all__ = ["REPO", "deploy_example"]

REPO = Path(__file__).resolve().parent.parent


def deploy_example(tmp: Path, transforms: frozenset[str], *, emit: str = "bundle", settings_module: str | None = None) -> tuple[Path, Callable[..., str]]:
    """Rewrite the example's templates into ``tmp/templates`` with ``transforms`` (and ``emit``),
    collectstatic into ``tmp/static_root`` with DEBUG off; return the root and ``run(*args)``, which
    runs ``python *args`` in the repository with the same environment and returns its stdout (a
    non-zero exit fails the test with the child's stderr). ``settings_module``: a settings module in
    tests/ instead of the example's own."""
    config = load_config(REPO, {"cache_dir": str(tmp / "cache")})
    project = Project(config)
    write_changes(plan_project(project, context_from_config(config, transforms, emit=emit)), project, tmp)
    root = tmp / "static_root"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(ERP_TEMPLATES_DIR=str(tmp / "templates"), ERP_STATIC_ROOT=str(root), DJANGO_DEBUG="0")
    if settings_module is not None:
        env.update(DJANGO_SETTINGS_MODULE=settings_module, PYTHONPATH=os.pathsep.join([str(REPO / "example"), str(REPO / "tests")]))

    def run(*args: str) -> str:
        proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=REPO, check=False)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return proc.stdout

    run("example/manage.py", "collectstatic", "--noinput", "-v", "0")
    return root, run
