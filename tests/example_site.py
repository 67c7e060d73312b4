"""The example site as the Django tests need it: every page rendered by the example's own Django
project (``render_example``, through ``assetopt.snapshots`` with the project's STORAGES kept), and
deployed into a temp dir (``deploy_example``: templates rewritten like ``assetopt rewrite --out``,
``manage.py collectstatic`` into a temp STATIC_ROOT). Everything Django runs in a child process, so
the example's settings never mix with other tests'."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from assetopt.browser.snapshots import render_django_pages
from assetopt.config import load_config
from assetopt.io.project import Project
from assetopt.rewrite.context import context_from_config
from assetopt.rewrite.project import plan_project, write_changes

__all__ = ["EXAMPLE_PAGES", "REPO", "deploy_example", "render_example"]

REPO = Path(__file__).resolve().parent.parent

# Every page of the example, in English and Arabic.
EXAMPLE_PAGES = [
    f"/{lang}/{page}"
    for lang in ("en", "ar")
    for page in (
        "",
        "sales/orders/",
        "sales/orders/new/",
        "sales/orders/1001/",
        "sales/orders/1001/invoice/",
        "sales/customers/",
        "inventory/products/",
        "inventory/products/P-001/",
        "inventory/stock-moves/",
        "inventory/warehouses/",
        "inventory/warehouses/map/",
        "hr/employees/",
        "hr/employees/1/",
        "hr/payroll/",
        "hr/leave/",
        "reports/sales/",
        "reports/inventory/",
        "accounts/login/",
    )
]


def render_example(env: dict[str, str] | None = None, settings_module: str = "erp.settings") -> dict[str, tuple[int, str]]:
    """``{url: (status, html)}`` of every example page, rendered by its Django project with its own
    STORAGES (``env``: ERP_TEMPLATES_DIR, ERP_STATIC_ROOT, DJANGO_DEBUG...). A page that does not
    answer 200 raises, naming it."""
    pages = render_django_pages(settings_module, [REPO / "example", REPO / "tests"], EXAMPLE_PAGES, env=env, keep_storages=True)
    return {url: (page["status"], page["html"]) for url, page in pages.items()}


def deploy_example(
    tmp: Path, transforms: frozenset[str], *, emit: str = "bundle", settings_module: str | None = None
) -> tuple[Path, Callable[..., str], Callable[[], dict[str, tuple[int, str]]]]:
    """Rewrite the example's templates into ``tmp/templates`` with ``transforms`` (and ``emit``),
    collectstatic into ``tmp/static_root`` with DEBUG off; return the root, ``run(*args)``, which
    runs ``python *args`` in the repository with the same environment and returns its stdout (and
    its stderr after it with ``stderr=True``; a non-zero exit fails the test with the child's stderr), and ``pages()``, ``render_example`` of the
    deployed site. ``settings_module``: a settings module in tests/ instead of the example's own."""
    # The rewrite compiles with the settings the site deploys with (their tag libraries: compressor's).
    overrides: dict[str, object] = {"cache_dir": str(tmp / "cache")}
    if settings_module is not None:
        overrides.update(settings=settings_module, pythonpath=(str(REPO / "example"), str(REPO / "tests")))
    config = load_config(REPO, overrides)
    project = Project(config)
    write_changes(plan_project(project, context_from_config(config, transforms, emit=emit)), project, tmp)
    root = tmp / "static_root"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(ERP_TEMPLATES_DIR=str(tmp / "templates"), ERP_STATIC_ROOT=str(root), DJANGO_DEBUG="0")
    if settings_module is not None:
        env.update(DJANGO_SETTINGS_MODULE=settings_module, PYTHONPATH=os.pathsep.join([str(REPO / "example"), str(REPO / "tests"), str(REPO)]))

    def run(*args: str, stderr: bool = False) -> str:
        proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=REPO, check=False)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return proc.stdout + proc.stderr if stderr else proc.stdout

    run("example/manage.py", "collectstatic", "--noinput", "-v", "0")
    return root, run, lambda: render_example(env, settings_module or "erp.settings")
