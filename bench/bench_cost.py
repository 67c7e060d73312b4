"""What assetopt's commands cost, in CPU time (not wall time: the machine may be shared), paired runs.

    python bench/bench_cost.py scale [--pages 3000] [--trials 3] [--against DIR]
        a generated project: the example's templates plus PAGES pages extending base.html and
        including its partials; CPU seconds of `assetopt audit`, `rewrite --diff` and a no-change
        `build --no-images`. With --against DIR (a checkout of another commit, e.g. made with
        `git worktree add`), each command runs on both, interleaved, and the ratio is printed.
    python bench/bench_cost.py build [--trials 3]
        the ratio table of bench/RESULTS.md: the CLI, the CLI without images, collectstatic with
        assetopt's hook, whitenoise's CompressedManifestStaticFilesStorage, plain
        ManifestStaticFilesStorage and django-compressor offline, each cold, with nothing changed and
        with one CSS file changed, on the example's static files and bundled base.html.

CPU time is user+system of the child process and its children (``resource.getrusage``), so work
spread over processes counts in full and other users of the machine count little. Each figure is the
median of ``--trials``; the sides alternate order from trial to trial. Nothing here asserts on numbers.
assetopt is byte-compiled first (``compiled``), as an installed package is.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "example" / "templates"
STATIC = REPO / "static_src"


def cpu_run(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> float:
    """CPU seconds (user + system) ``cmd`` and its children used; raises when it exits 2 or more."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode >= 2:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def generate_project(dest: Path, pages: int) -> Path:
    """The example's templates plus ``pages`` generated pages (each extends base.html, fills its
    content block, includes two partials and links one image); returns the template dir."""
    tdir = dest / "templates"
    shutil.copytree(TEMPLATES, tdir)
    gen = tdir / "gen"
    gen.mkdir()
    for i in range(pages):
        (gen / f"page_{i:05d}.html").write_text(
            '{% extends "base.html" %}{% load static i18n %}\n'
            f"{{% block title %}}Page {i}{{% endblock %}}\n"
            "{% block content %}\n"
            f'<h1>{{% trans "Report" %}} {i}</h1>\n'
            '{% include "partials/stat_card.html" %}\n'
            '{% for p in products %}{% include "partials/product_card.html" %}{% endfor %}\n'
            f'<img src="{{% static \'img/logo.svg\' %}}" alt="logo {i}">\n'
            "{% endblock %}\n"
        )
    return tdir


def compiled(code: Path) -> None:
    """Byte-compile ``code``'s assetopt once, as an installed package is: with PYTHONDONTWRITEBYTECODE
    set (as on the machines this runs on) every command would otherwise compile ~70 modules from
    source, ~0.07 s CPU that a deployed project never pays and that weighs most in no-change runs."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(code / "assetopt")], check=True, capture_output=True)


def env_for(code: Path) -> dict[str, str]:
    """The environment that makes ``python -m assetopt.cli`` import assetopt from ``code``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(code) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def scale(args: argparse.Namespace) -> None:
    sides = {"this checkout": REPO}
    if args.against:
        sides["--against"] = Path(args.against).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        tdir = generate_project(root, args.pages)
        flags = ["--templates", str(tdir), "--static", str(STATIC)]
        projects = {}
        for label, code in sides.items():
            project = root / f"project-{len(projects)}"
            project.mkdir()
            projects[label] = project
            # warm: a first build fills the cache, so "build" below is the no-change build
            cpu_run(
                [sys.executable, "-m", "assetopt.cli", "build", "--project", str(project), *flags, "--out", str(project / "out"), "--no-images"],
                env_for(code),
                cwd=root,
            )
        commands = {
            "audit": ["audit", "--json", "{p}/audit.json"],
            "rewrite --diff": ["rewrite", "--diff"],
            "build --no-images, nothing changed": ["build", "--out", "{p}/out", "--no-images"],
        }
        times: dict[tuple[str, str], list[float]] = {}
        for trial in range(args.trials):
            for what, cmd in commands.items():
                order = list(sides.items())
                if trial % 2:
                    order.reverse()
                for label, code in order:
                    p = projects[label]
                    full = [sys.executable, "-m", "assetopt.cli", cmd[0], "--project", str(p), *flags, *(c.replace("{p}", str(p)) for c in cmd[1:])]
                    # cwd outside both checkouts: ``python -m`` puts the cwd first on sys.path
                    times.setdefault((what, label), []).append(cpu_run(full, env_for(code), cwd=root))
    print(f"## Commands on a generated {args.pages + 30}-template project, CPU seconds\n")
    print(
        f"{date.today().isoformat()}, `python bench/bench_cost.py scale --pages {args.pages} --trials {args.trials}"
        + (" --against <checkout>" if args.against else "")
        + f"`: median of {args.trials} paired runs, CPU time of each command (user+system, children included).\n"
    )
    head = "| command | " + " | ".join(sides) + (" | this / --against |" if args.against else " |")
    print(head)
    print("|---|" + "---:|" * (len(sides) + (1 if args.against else 0)))
    for what in commands:
        meds = [statistics.median(times[(what, label)]) for label in sides]
        row = f"| {what} | " + " | ".join(f"{m:.2f}" for m in meds)
        print(row + (f" | {meds[0] / meds[1]:.2f} |" if args.against else " |"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    s = sub.add_parser("scale")
    s.add_argument("--pages", type=int, default=3000)
    s.add_argument("--trials", type=int, default=3)
    s.add_argument("--against", help="a checkout of another commit to compare with")
    b = sub.add_parser("build")
    b.add_argument("--trials", type=int, default=3)
    c = sub.add_parser("clear", help="collectstatic --clear twice with the hook: a clean deploy reuses the cache")
    c.add_argument("--trials", type=int, default=3)
    args = parser.parse_args()
    compiled(REPO)
    if getattr(args, "against", None):
        compiled(Path(args.against))
    if args.what == "scale":
        scale(args)
    elif args.what == "clear":
        clear_table(args)
    else:
        build_table(args)


def clear_table(args: argparse.Namespace) -> None:
    """A clean deploy: ``collectstatic --clear`` empties STATIC_ROOT, assetopt's cache (beside the
    project, never under STATIC_ROOT) stays, so the second run only copies and hashes."""
    cold, again = [], []
    for _ in range(args.trials):
        with tempfile.TemporaryDirectory() as tmp:
            cmds, env, _static = _side_commands("collectstatic, assetopt hook", Path(tmp))
            clear = [c + ["--clear"] for c in cmds]
            cold.append(sum(cpu_run(c, env, cwd=Path(tmp)) for c in clear))
            again.append(sum(cpu_run(c, env, cwd=Path(tmp)) for c in clear))
    c, a = statistics.median(cold), statistics.median(again)
    print("## A clean deploy: collectstatic --clear twice with the hook, CPU seconds\n")
    print(
        f"{date.today().isoformat()}, `python bench/bench_cost.py clear --trials {args.trials}`: median of {args.trials} trials, CPU time (user+system, children included); the example's static files.\n"
    )
    print("| run | CPU s | / cold |\n|---|---:|---:|")
    print(f"| collectstatic --clear, cold cache | {c:.2f} | 1.00 |")
    print(f"| collectstatic --clear again | {a:.2f} | {a / c:.2f} |")


HOOK_SETTINGS = '''\
"""collectstatic with assetopt's hook (bench/bench_cost.py)."""
SECRET_KEY = "bench-only"
DEBUG = False
INSTALLED_APPS = ["django.contrib.staticfiles", "assetopt.contrib.django"]
TEMPLATES = [{{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [{templates!r}], "APP_DIRS": False}}]
STATIC_URL = "/static/"
STATIC_ROOT = {static_root!r}
STATICFILES_DIRS = [{static_src!r}]
STORAGES = {{
    "default": {{"BACKEND": "django.core.files.storage.FileSystemStorage"}},
    "staticfiles": {{"BACKEND": "assetopt.contrib.django.storage.AssetoptManifestStaticFilesStorage"}},
}}
ASSETOPT = {{"BUNDLES": True}}
'''

CHANGED_CSS = "css/cards.css"  # one of base.html's 22 bundled stylesheets
SIDES = (
    "CLI",
    "CLI --no-images",
    "collectstatic, assetopt hook",
    "collectstatic, whitenoise Compressed",
    "collectstatic, plain Manifest",
    "compressor offline + whitenoise",
)
RUNS = ("cold", "no change", "one CSS file changed")


def _side_commands(side: str, work: Path) -> tuple[list[list[str]], dict[str, str], Path]:
    """The commands of one side's build, their environment and the static dir they read (a copy)."""
    sys.path.insert(0, str(REPO / "bench"))
    from bench_build import PEER_SETTINGS, django_env, prepare_templates

    static = work / "static_src"
    shutil.copytree(STATIC, static)
    tool = "compressor" if side.startswith("compressor") else "assetopt"
    templates = work / "templates"
    prepare_templates(templates, tool)
    if side.startswith("CLI"):
        project = work / "project"
        project.mkdir()
        cmd = [
            sys.executable,
            "-m",
            "assetopt.cli",
            "build",
            "--project",
            str(project),
            "--templates",
            str(templates),
            "--static",
            str(static),
            "--out",
            str(work / "out"),
        ]
        # this checkout's assetopt, never the one installed in the environment (another checkout)
        return [cmd + (["--no-images"] if "no-images" in side else [])], env_for(REPO), static
    root = work / "static_root"
    if side.endswith("hook"):
        text = HOOK_SETTINGS.format(templates=str(templates), static_root=str(root), static_src=str(static))
    else:
        text = PEER_SETTINGS.format(templates=str(templates), static_root=str(root), static_src=str(static))
        if "plain" in side:
            text = text.replace(
                "whitenoise.storage.CompressedManifestStaticFilesStorage", "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
            )
    (work / "cost_settings.py").write_text(text, "utf-8")
    env = django_env(work, "cost_settings")
    cmds = [[sys.executable, "-m", "django", "collectstatic", "--noinput"]]
    if side.startswith("compressor"):
        cmds.append([sys.executable, "-m", "django", "compress", "--force"])
    return cmds, env, static


def build_table(args: argparse.Namespace) -> None:
    times: dict[tuple[str, str], list[float]] = {}
    for trial in range(args.trials):
        order = list(SIDES) if trial % 2 == 0 else list(reversed(SIDES))
        for side in order:
            with tempfile.TemporaryDirectory() as tmp:
                cmds, env, static = _side_commands(side, Path(tmp))
                for run in RUNS:
                    if run == "one CSS file changed":
                        css = static / CHANGED_CSS
                        css.write_text(css.read_text("utf-8") + "\n.bench-cost-changed { color: #123456; }\n", "utf-8")
                    times.setdefault((side, run), []).append(sum(cpu_run(c, env, cwd=Path(tmp)) for c in cmds))
            print(f"trial {trial + 1}: {side} done", file=sys.stderr, flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    wn = med[("collectstatic, whitenoise Compressed", "cold")]
    print("## Build cost: CLI, collectstatic hook and the peers, CPU seconds\n")
    print(
        f"{date.today().isoformat()}, `python bench/bench_cost.py build --trials {args.trials}`: median of {args.trials} trials "
        "(sides interleaved, order reversed every other trial), CPU time (user+system, worker processes included) "
        "of each command; the example's static files, base.html's runs wrapped as in bench_build.py.\n"
    )
    print("| side | cold CPU s | cold / whitenoise | no change CPU s | no change / own cold | one CSS changed CPU s | one CSS / own cold |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for side in SIDES:
        cold, same, one = (med[(side, r)] for r in RUNS)
        print(f"| {side} | {cold:.2f} | {cold / wn:.2f} | {same:.2f} | {same / cold:.2f} | {one:.2f} | {one / cold:.2f} |")
    hook, cli = med[("collectstatic, assetopt hook", "cold")], med[("CLI", "cold")]
    print(f"\nHook / CLI, cold: {hook / cli:.2f}. All trials (cold, no change, one CSS):")
    for side in SIDES:
        print(f"- {side}: " + "; ".join(", ".join(f"{t:.2f}" for t in times[(side, r)]) for r in RUNS))


if __name__ == "__main__":
    main()
