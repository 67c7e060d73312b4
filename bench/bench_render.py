"""Per-render cost of the example's dashboard page (base.html + admin_dashboard.html) with assetopt's
tags, against the plain original templates and against the rollback (``BUNDLES = False``).

Run: python bench/bench_render.py [--renders N]   (prints a table; paste it into bench/RESULTS.md)

Set-up, as a deployment has it: a copy of the example, ``assetopt rewrite --out`` (its templates get
``{% bundle %}`` blocks and ``{% picture %}`` tags), then ``manage.py collectstatic`` with assetopt's
storage into a temporary STATIC_ROOT (Django's ManifestStaticFilesStorage hashes every name, so
``static()`` does its real lookups). Then, in one process with ``DEBUG = False``, three engines
render the same page with the dashboard view's own context: "plain" (the original templates),
"tags" (the rewritten ones, bundles built) and "rollback" (the rewritten ones with
``ASSETOPT["BUNDLES"] = False``). The three are interleaved in rounds so a busy machine slows all
three alike; each figure is the median per-render time over the rounds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGE = "dashboard/admin_dashboard.html"


def prepare(root: Path) -> tuple[Path, Path]:
    """The example copied into ``root``, rewritten, and collected: (rewritten templates, STATIC_ROOT)."""
    shutil.copytree(REPO / "example", root / "example")
    shutil.copytree(REPO / "static_src", root / "static_src")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    if (REPO / ".assetopt-cache").is_dir():  # content-addressed: only saves time
        shutil.copytree(REPO / ".assetopt-cache", root / ".assetopt-cache")
    subprocess.run(
        [sys.executable, "-m", "assetopt.cli", "rewrite", "--project", str(root), "--out", str(root / "rw")], check=True, capture_output=True
    )
    static_root = root / "static_root"
    env = {
        **os.environ,
        "ERP_STATIC_ROOT": str(static_root),
        "ERP_TEMPLATES_DIR": str(root / "rw/templates"),
        "DJANGO_SETTINGS_MODULE": "erp.settings",
    }
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=root / "example", env=env, check=True, capture_output=True)
    return root / "rw/templates", static_root


def measure(root: Path, rewritten: Path, renders: int, rounds: int) -> None:
    sys.path.insert(0, str(root / "example"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "erp.settings",
            "ERP_STATIC_ROOT": str(rewritten.parent.parent / "static_root"),
            "ERP_TEMPLATES_DIR": str(rewritten),
        }
    )
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    import erp.core.views as views
    from django.contrib.auth.models import AnonymousUser
    from django.template import engines
    from django.template.backends.django import DjangoTemplates
    from django.test import RequestFactory
    from django.test.utils import override_settings

    captured: dict[str, object] = {}
    original_render = views.render
    views.render = lambda request, name, context: captured.update(context) or original_render(request, name, context)  # type: ignore[assignment,func-returns-value]
    request = RequestFactory().get("/en/")
    request.user = AnonymousUser()
    views.dashboard(request)
    views.render = original_render

    params = engines["django"].engine
    base = {"NAME": "x", "APP_DIRS": False, "OPTIONS": {"context_processors": list(params.context_processors)}}
    plain = DjangoTemplates({**base, "DIRS": [str(REPO / "example/templates")]}).get_template(PAGE)
    tagged = DjangoTemplates({**base, "DIRS": [str(rewritten)]}).get_template(PAGE)
    assetopt = dict(settings.ASSETOPT)
    variants = {
        "plain original": (plain, {**assetopt, "BUNDLES": True}),
        "with the tags": (tagged, {**assetopt, "BUNDLES": True}),
        "rollback (BUNDLES False)": (tagged, {**assetopt, "BUNDLES": False}),
    }
    html = {}
    for label, (tmpl, conf) in variants.items():
        with override_settings(ASSETOPT=conf):
            html[label] = tmpl.render(captured, request)  # warm: manifest read, caches filled
    tags = html["with the tags"]
    times: dict[str, list[float]] = {label: [] for label in variants}
    for _ in range(rounds):
        for label, (tmpl, conf) in variants.items():
            with override_settings(ASSETOPT=conf):
                t = time.perf_counter()
                for _ in range(renders):
                    tmpl.render(captured, request)
                times[label].append((time.perf_counter() - t) / renders)
    plain_ms = statistics.median(times["plain original"]) * 1000
    print(
        f"Django {django.get_version()}, Python {sys.version.split()[0]}; page {PAGE}: "
        f"{tags.count('<picture>')} <picture>, {tags.count('integrity=')} bundled tags; {rounds} rounds x {renders} renders each"
    )
    print("| templates | ms per render (median) | x plain |")
    print("|---|---:|---:|")
    for label in variants:
        ms = statistics.median(times[label]) * 1000
        print(f"| {label} | {ms:.3f} | {ms / plain_ms:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--renders", type=int, default=500, help="renders per round and variant (default 500)")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds (default 10: 5,000 renders per variant)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="assetopt-bench-render-") as tmp:
        rewritten, _ = prepare(Path(tmp))
        measure(Path(tmp), rewritten, args.renders, args.rounds)


if __name__ == "__main__":
    main()
