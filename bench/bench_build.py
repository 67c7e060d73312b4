"""`assetopt build` vs django-compressor offline + whitenoise, side by side, on the example's dashboard assets.

Run: python bench/bench_build.py [--trials N] [--keep]
     (needs the example's vendor files: python example/prepare.py; and whitenoise: pip install -e '.[bench]')

What it does, in one run, all in a temp dir (nothing in the repository is touched):
1. Two copies of example/templates/. In base.html the eligible runs (the 22 stylesheets in <head>,
   the print stylesheet left out; the 3 scripts before the {% if LANGUAGE_CODE == "ar" %} script; the
   6 scripts after the inline CSRF script) are wrapped, by exact edits on known lines, in
   {% bundle "css"/"js" %} (copy A) or {% compress css/js %} (copy B).
2. assetopt: `assetopt build --project <empty tmp> --templates A --static static_src --out <tmp>`,
   cold (empty cache), then again with nothing changed.
3. The peers: a minimal settings module (staticfiles + compressor, whitenoise's
   CompressedManifestStaticFilesStorage, COMPRESS_OFFLINE with LANGUAGE_BIDI False and True):
   `python -m django compress --force` + `python -m django collectstatic --noinput`, cold, then both
   again with nothing changed. Same minifiers on both sides (rcssmin/rjsmin); peer defaults otherwise.
4. Each side's blocks are then rendered the way a request would render them (LTR and RTL): the
   built files they point at are what the dashboard is served; their bytes are summed raw, gzip 9,
   brotli 11. Plausibility checks: every source file's content is in the output, both variants render.
5. Prints a markdown table with ratios and says which of the issue's goals are met. Never asserts on
   the numbers; it asserts only that its own template edits hit the lines it expects.

Each timing is the median of --trials independent trials (fresh temp dirs; the order of the two tools
alternates between trials). Wall times include each command's Python start-up, as a deploy sees it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path

import brotli
import rcssmin
import rjsmin

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "example" / "templates"
STATIC = REPO / "static_src"
STATIC_URL = "/static/"

GOAL_TIME = 0.5  # assetopt cold build at most half the peers' time
GOAL_REBUILD = 0.10  # no-change rebuild at most 10 % of the full build

# ---------------------------------------------------------------------------------------------------
# 1. template copies, by exact edits on known lines of base.html
# ---------------------------------------------------------------------------------------------------

LOAD_PREFIX = "{% load i18n static %}"
BOOTSTRAP_CSS = (
    """  <link rel="stylesheet" href="{% if LANGUAGE_BIDI %}{% static 'vendor/bootstrap/css/bootstrap.rtl.css' %}"""
    """{% else %}{% static 'vendor/bootstrap/css/bootstrap.css' %}{% endif %}">"""
)
# (kind, first line of the run, last line of the run, the line right before it or None, the line right after it)
RUNS = [
    (
        "css",
        BOOTSTRAP_CSS,
        """  <link rel="stylesheet" href="{% static 'css/rtl.css' %}">""",
        None,
        """  <link rel="stylesheet" href="{% static 'css/print.css' %}" media="print">""",  # different media: stays out
    ),
    (
        "js",
        """  <script src="{% static 'vendor/jquery/jquery.js' %}"></script>""",
        """  <script src="{% static 'vendor/select2/js/select2.full.js' %}"></script>""",
        None,
        """  {% if LANGUAGE_CODE == "ar" %}<script src="{% static 'vendor/select2/js/i18n/ar.js' %}"></script>{% endif %}""",
    ),
    (
        "js",
        """  <script src="{% static 'js/core/i18n.js' %}"></script>""",
        """  <script src="{% static 'js/core/forms.js' %}"></script>""",
        "  </script>",  # the end of the inline CSRF/DataTables script: it stays out
        "  {% block extra_js %}{% endblock %}",
    ),
]
CSS_LINE = re.compile(r"""^  <link rel="stylesheet" href="[^"]*">$""")
JS_LINE = re.compile(r"""^  <script src="\{% static '[^']+' %\}"></script>$""")
STATIC_PATH = re.compile(r"""\{% static '([^']+)' %\}""")


@dataclass
class Block:
    kind: str
    text: str  # the wrapped block as it appears in the edited base.html (open tag .. close tag)
    ltr: list[str]  # logical static paths in the LTR variant, in order
    rtl: list[str]


def wrap_base(source: str, tool: str) -> tuple[str, list[Block]]:
    """base.html with the eligible runs wrapped for ``tool`` ("assetopt" or "compressor")."""
    lines = source.split("\n")
    assert lines[0].startswith(LOAD_PREFIX), f"base.html line 1 does not start with {LOAD_PREFIX!r}"
    load = "{% load assetopt %}" if tool == "assetopt" else "{% load compress %}"
    lines[0] = LOAD_PREFIX + load + lines[0][len(LOAD_PREFIX) :]
    spans = []
    for kind, first, last, before, after in RUNS:
        assert lines.count(first) == 1, f"edit point not found exactly once: {first!r}"
        assert lines.count(last) == 1, f"edit point not found exactly once: {last!r}"
        i, j = lines.index(first), lines.index(last)
        assert i < j, (first, last)
        assert lines[j + 1] == after, f"expected {after!r} after {last!r}, found {lines[j + 1]!r}"
        if before is not None:
            assert lines[i - 1] == before, f"expected {before!r} before {first!r}, found {lines[i - 1]!r}"
        pattern = CSS_LINE if kind == "css" else JS_LINE
        for k in range(i, j + 1):
            assert lines[k] == "" or pattern.match(lines[k]), f"unexpected line {k + 1} in the {kind} run: {lines[k]!r}"
        spans.append((kind, i, j))
    blocks: list[Block] = []
    for kind, i, j in sorted(spans, key=lambda s: -s[1]):  # bottom-up so indexes stay valid
        if tool == "assetopt":
            open_, close = f'  {{% bundle "{kind}" %}}', "  {% endbundle %}"
        else:
            open_, close = f"  {{% compress {kind} %}}", "  {% endcompress %}"
        inner = lines[i : j + 1]
        ltr, rtl = [], []
        for line in inner:
            paths = STATIC_PATH.findall(line)
            if "{% if LANGUAGE_BIDI %}" in line:
                assert len(paths) == 2, line
                rtl.append(paths[0])
                ltr.append(paths[1])
            elif paths:
                assert len(paths) == 1, line
                ltr.append(paths[0])
                rtl.append(paths[0])
        lines[i : j + 1] = [open_, *inner, close]
        blocks.insert(0, Block(kind, "\n".join([open_, *inner, close]), ltr, rtl))
    return "\n".join(lines), blocks


def prepare_templates(dest: Path, tool: str) -> list[Block]:
    shutil.copytree(TEMPLATES, dest)
    base = dest / "base.html"
    text, blocks = wrap_base(base.read_text("utf-8"), tool)
    base.write_text(text, "utf-8")
    return blocks


# ---------------------------------------------------------------------------------------------------
# 2./3. running the tools
# ---------------------------------------------------------------------------------------------------


class StepFailed(Exception):
    def __init__(self, what: str, proc: subprocess.CompletedProcess[str]) -> None:
        self.what, self.proc = what, proc
        super().__init__(f"{what} failed (exit {proc.returncode})")

    def details(self) -> str:
        tail = lambda s: "\n".join(s.strip().splitlines()[-25:])  # noqa: E731
        return f"$ {' '.join(map(str, self.proc.args))}\nexit {self.proc.returncode}\n--- stdout (tail)\n{tail(self.proc.stdout)}\n--- stderr (tail)\n{tail(self.proc.stderr)}"


def timed(what: str, cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess[str]]:
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
    dt = time.perf_counter() - t
    if proc.returncode != 0:
        raise StepFailed(what, proc)
    return dt, proc


def assetopt_cmd() -> list[str]:
    script = Path(sys.executable).parent / "assetopt"
    return [str(script)] if script.exists() else [sys.executable, "-m", "assetopt.cli"]


PEER_SETTINGS = '''\
"""Minimal settings for the django-compressor (offline) + whitenoise side of bench/bench_build.py."""
SECRET_KEY = "bench-only"
DEBUG = False
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ar", "Arabic")]
INSTALLED_APPS = ["django.contrib.staticfiles", "compressor"]
TEMPLATES = [{{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [{templates!r}],
    "APP_DIRS": True,  # compressor renders its output tags with its own templates (compressor/css_file.html)
    "OPTIONS": {{"context_processors": ["django.template.context_processors.i18n"]}},
}}]
STATIC_URL = "/static/"
STATIC_ROOT = {static_root!r}
STATICFILES_DIRS = [{static_src!r}]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "compressor.finders.CompressorFinder",
]
STORAGES = {{
    "default": {{"BACKEND": "django.core.files.storage.FileSystemStorage"}},
    "staticfiles": {{"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}},
}}
COMPRESS_ENABLED = True
COMPRESS_OFFLINE = True
COMPRESS_FILTERS = {{
    "css": ["compressor.filters.css_default.CssAbsoluteFilter", "compressor.filters.cssmin.rCSSMinFilter"],
    "js": ["compressor.filters.jsmin.rJSMinFilter"],
}}
# What the i18n context processor gives at request time: both Bootstrap variants get built.
COMPRESS_OFFLINE_CONTEXT = [{{"LANGUAGE_BIDI": False}}, {{"LANGUAGE_BIDI": True}}]
'''

ASSETOPT_RENDER_SETTINGS = '''\
"""Settings to render the {{% bundle %}} blocks as a request would (bench/bench_build.py)."""
SECRET_KEY = "bench-only"
DEBUG = False
INSTALLED_APPS = ["django.contrib.staticfiles", "assetopt.contrib.django"]
TEMPLATES = [{{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": False}}]
STATIC_URL = "/static/"
STATIC_ROOT = {static_root!r}
ASSETOPT = {{"BUNDLES": True, "STRICT": True, "MANIFEST": {manifest!r}}}
'''

RENDER_HELPER = '''\
"""Render a template string with a JSON context under DJANGO_SETTINGS_MODULE; print the HTML."""
import json, sys
import django
django.setup()
from django.template import engines
source = open(sys.argv[1], encoding="utf-8").read()
print(engines["django"].from_string(source).render(json.loads(sys.argv[2])))
'''


def django_env(pythonpath: Path, settings: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = settings
    env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


@dataclass
class Side:
    name: str
    cold: list[float] = field(default_factory=list)
    rebuild: list[float] = field(default_factory=list)
    steps: dict[str, list[float]] = field(default_factory=dict)
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    renamed: int | None = None  # built files whose name changed in the no-change rebuild (last trial)

    def step(self, name: str, dt: float) -> None:
        self.steps.setdefault(name, []).append(dt)


@dataclass
class Trial:
    root: Path
    a_templates: Path
    a_project: Path
    a_out: Path
    p_templates: Path
    p_dir: Path
    p_static_root: Path
    blocks_a: list[Block]
    blocks_p: list[Block]


def new_trial(root: Path) -> Trial:
    root.mkdir(parents=True)
    t = Trial(
        root=root,
        a_templates=root / "templates-assetopt",
        a_project=root / "assetopt-project",
        a_out=root / "assetopt-out",
        p_templates=root / "templates-compressor",
        p_dir=root / "peer",
        p_static_root=root / "peer" / "static_root",
        blocks_a=[],
        blocks_p=[],
    )
    t.blocks_a = prepare_templates(t.a_templates, "assetopt")
    t.blocks_p = prepare_templates(t.p_templates, "compressor")
    t.a_project.mkdir()  # empty: no config file, so its cache (.assetopt-cache) starts empty here
    t.p_dir.mkdir()
    (t.p_dir / "bench_settings.py").write_text(
        PEER_SETTINGS.format(templates=str(t.p_templates), static_root=str(t.p_static_root), static_src=str(STATIC)), "utf-8"
    )
    (t.p_dir / "bench_render.py").write_text(RENDER_HELPER, "utf-8")
    (t.p_dir / "assetopt_render_settings.py").write_text(
        ASSETOPT_RENDER_SETTINGS.format(static_root=str(t.a_out), manifest=str(t.a_out / "assetopt-manifest.json")), "utf-8"
    )
    return t


def output_names(t: Trial, tool: str) -> set[str]:
    """The built files each tool's manifest points at (to see if a no-change rebuild renames them)."""
    if tool == "assetopt":
        m = json.loads((t.a_out / "assetopt-manifest.json").read_text("utf-8"))
        return {f["name"] for b in m["bundles"].values() for f in b["files"]}
    m = json.loads((t.p_static_root / "CACHE" / "manifest.json").read_text("utf-8"))
    return {u for html in m.values() for u in URL_ATTR.findall(html)}


def run_assetopt(t: Trial, side: Side) -> None:
    cmd = [*assetopt_cmd(), "build", "--project", str(t.a_project), "--templates", str(t.a_templates), "--static", str(STATIC), "--out", str(t.a_out)]
    dt, proc = timed("assetopt build (cold)", cmd)
    side.cold.append(dt)
    side.notes = [line for line in proc.stdout.splitlines() + proc.stderr.splitlines() if line.strip()]
    names = output_names(t, "assetopt")
    dt, proc = timed("assetopt build (nothing changed)", cmd)
    side.rebuild.append(dt)
    side.renamed = len(names - output_names(t, "assetopt"))
    side.notes.append("rebuild: " + (proc.stdout.strip().splitlines() or ["(no output)"])[-1])


def run_peers(t: Trial, side: Side) -> None:
    """collectstatic, then compress: with a manifest storage and DEBUG off, {% static %} inside a
    {% compress %} block needs staticfiles.json, so compress must come second (see check_peer_order)."""
    env = django_env(t.p_dir, "bench_settings")
    collect = [sys.executable, "-m", "django", "collectstatic", "--noinput"]
    compress = [sys.executable, "-m", "django", "compress", "--force"]
    a, proc_s = timed("manage.py collectstatic --noinput (cold)", collect, env)
    b, proc_c = timed("manage.py compress --force (cold)", compress, env)
    side.cold.append(a + b)
    side.step("collectstatic cold", a)
    side.step("compress cold", b)
    side.notes = ["collectstatic: " + (proc_s.stdout.strip().splitlines() or ["(no output)"])[-1]]
    side.notes += ["compress: " + line for line in (proc_c.stdout + proc_c.stderr).splitlines() if line.strip()]
    names = output_names(t, "compressor")
    a, proc_s2 = timed("manage.py collectstatic --noinput (nothing changed)", collect, env)
    b, proc_c2 = timed("manage.py compress --force (nothing changed)", compress, env)
    side.rebuild.append(a + b)
    side.step("collectstatic rebuild", a)
    side.step("compress rebuild", b)
    side.notes.append("rebuild collectstatic: " + (proc_s2.stdout.strip().splitlines() or ["(no output)"])[-1])
    side.renamed = len(names - output_names(t, "compressor"))


def check_peer_order(root: Path) -> str:
    """compress BEFORE collectstatic (on an empty STATIC_ROOT): what does it do? Reported, not timed."""
    t = new_trial(root)
    env = django_env(t.p_dir, "bench_settings")
    proc = subprocess.run([sys.executable, "-m", "django", "compress", "--force"], capture_output=True, text=True, env=env, cwd=REPO)
    manifest = t.p_static_root / "CACHE" / "manifest.json"
    entries = len(json.loads(manifest.read_text("utf-8"))) if manifest.exists() else None
    out = " ".join((proc.stdout + proc.stderr).split())
    return f"exit {proc.returncode}, output {out[-160:]!r}, offline manifest entries: {entries}"


# ---------------------------------------------------------------------------------------------------
# 4. what a request gets, and its bytes
# ---------------------------------------------------------------------------------------------------

URL_ATTR = re.compile(r"""(?:href|src)="([^"]+)\"""")


def render_blocks(t: Trial, tool: str, bidi: bool) -> list[tuple[str, list[str]]]:
    """Each block rendered as a request would: (kind, [output URLs])."""
    if tool == "assetopt":
        blocks, load, settings = t.blocks_a, "{% load i18n static %}{% load assetopt %}", "assetopt_render_settings"
    else:
        blocks, load, settings = t.blocks_p, "{% load i18n static %}{% load compress %}", "bench_settings"
    out = []
    env = django_env(t.p_dir, settings)
    for i, block in enumerate(blocks):
        src = t.root / f"fragment-{tool}-{i}.html"
        src.write_text(load + "\n" + block.text + "\n", "utf-8")
        _, proc = timed(
            f"render {tool} block {i + 1} ({'RTL' if bidi else 'LTR'})",
            [
                sys.executable,
                str(t.p_dir / "bench_render.py"),
                str(src),
                json.dumps({"LANGUAGE_BIDI": bidi, "LANGUAGE_CODE": "ar" if bidi else "en"}),
            ],
            env,
        )
        urls = URL_ATTR.findall(proc.stdout)
        out.append((block.kind, urls))
    return out


def url_to_file(url: str, root: Path) -> Path:
    assert url.startswith(STATIC_URL), url
    return root / url[len(STATIC_URL) :].split("?")[0]


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def br(data: bytes) -> int:
    return len(brotli.compress(data, quality=11))


@dataclass
class Sizes:
    raw: int = 0
    gzip: int = 0
    brotli: int = 0

    def add(self, data: bytes) -> None:
        self.raw += len(data)
        self.gzip += gz(data)
        self.brotli += br(data)


def static_text(logical: str) -> str:
    return (STATIC / logical).read_bytes().decode("utf-8-sig")


def css_probe(src: str) -> str | None:
    """A 60-char window of the minified file with no url()/@import/@charset (rewritten by the tools)."""
    m = rcssmin.cssmin(src)
    for end in range(len(m), 60, -37):
        w = m[end - 60 : end]
        if "url(" not in w and "@import" not in w and "@charset" not in w:
            return w
    return None


def js_found(src: str, out: str) -> bool:
    for text in (rjsmin.jsmin(src), src):
        text = text.strip()
        probes = [text[:80], text[len(text) // 2 : len(text) // 2 + 80], text[-120:-40]]
        if all(p in out for p in probes):
            return True
    return False


def check_outputs(kind: str, paths: list[str], data: bytes) -> tuple[str, list[str]]:
    """'n/N files found' and the names of files whose content is missing from the output."""
    text = data.decode("utf-8")
    missing = []
    for p in paths:
        src = static_text(p)
        if kind == "css":
            probe = css_probe(src)
            ok = probe is None or probe in text
        else:
            ok = js_found(src, text)
        if not ok:
            missing.append(p)
    return f"{len(paths) - len(missing)}/{len(paths)}", missing


def brace_count(kind: str, paths: list[str]) -> int:
    return sum(rcssmin.cssmin(static_text(p)).count("{") for p in paths) if kind == "css" else 0


@dataclass
class Served:
    sizes: Sizes
    files: list[Path]
    checks: list[str]
    css_bundle: bytes | None
    precompressed: list[str]  # output files that have .gz/.br siblings on disk


def served(t: Trial, tool: str) -> tuple[Served, list[str]]:
    """The LTR variant's built files (their bytes and checks) and notes about the RTL variant."""
    root = t.a_out if tool == "assetopt" else t.p_static_root
    blocks = t.blocks_a if tool == "assetopt" else t.blocks_p
    ltr = render_blocks(t, tool, bidi=False)
    rtl = render_blocks(t, tool, bidi=True)
    sizes, files, checks, pre = Sizes(), [], [], []
    css_bundle = None
    for block, (kind, urls) in zip(blocks, ltr):
        datas = []
        for url in urls:
            f = url_to_file(url, root)
            files.append(f)
            data = f.read_bytes()
            datas.append(data)
            sizes.add(data)
            sib = [s for s in (".gz", ".br") if f.with_name(f.name + s).exists()]
            pre.append(f"{f.name}: {'+'.join(sib) or 'none'}")
        joined = b"\n".join(datas)
        if kind == "css":
            css_bundle = joined
        found, missing = check_outputs(kind, block.ltr, joined)
        line = f"{kind} block ({len(block.ltr)} files) -> {len(urls)} output file(s): content of {found} source files found"
        if missing:
            line += f"; MISSING: {', '.join(missing)}"
        if kind == "css":
            text = joined.decode("utf-8")
            line += f"; rules ('{{' count) {text.count('{')} vs {brace_count(kind, block.ltr)} in the sources minified one by one"
            first_rule = text.find("{")
            late = [m.start() for m in re.finditer(r"@import\b", text) if first_rule != -1 and m.start() > first_rule]
            line += f"; @import after a rule (ignored by browsers): {len(late)}"
            if late:
                line += f" ({text[late[0] : late[0] + 60].split(';')[0]})"
        checks.append(line)
    notes = []
    for (kind, urls_l), (_, urls_r) in zip(ltr, rtl):
        if kind == "css":
            notes.append(f"RTL css renders {len(urls_r)} file(s), {'different from' if urls_r != urls_l else 'SAME AS'} LTR")
    return Served(sizes, files, checks, css_bundle, pre), notes


# ---------------------------------------------------------------------------------------------------
# 5. report
# ---------------------------------------------------------------------------------------------------


def kb(n: float) -> str:
    return f"{n / 1024:.1f}"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_facts() -> str:
    return (
        f"{date.today().isoformat()}, {platform.system()} {platform.machine()}, nproc {os.cpu_count()}, "
        f"Python {platform.python_version()}, Django {version('Django')}, django-compressor {version('django-compressor')}, "
        f"whitenoise {version('whitenoise')}, rcssmin {version('rcssmin')}, rjsmin {version('rjsmin')}, brotli {version('brotli')}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trials", type=int, default=3, help="independent trials; timings are medians (default 3)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (its path is printed)")
    args = ap.parse_args()
    for needed in (STATIC / "vendor" / "bootstrap" / "css" / "bootstrap.css", STATIC / "vendor" / "jquery" / "jquery.js"):
        if not needed.exists():
            print(f"missing {needed}: run python example/prepare.py first", file=sys.stderr)
            return 2
    try:
        import whitenoise  # noqa: F401
    except ImportError:
        print("whitenoise is not installed: pip install -e '.[bench]'", file=sys.stderr)
        return 2

    tmp = Path(tempfile.mkdtemp(prefix="assetopt-bench-build-"))
    a_side, p_side = Side("assetopt build"), Side("compressor offline + whitenoise")
    last: Trial | None = None
    try:
        for n in range(args.trials):
            t = new_trial(tmp / f"trial-{n + 1}")
            last = t
            order = [("a", run_assetopt, a_side), ("p", run_peers, p_side)]
            if n % 2:
                order.reverse()
            for _, fn, side in order:
                if side.error is not None:
                    continue
                try:
                    fn(t, side)
                except StepFailed as exc:
                    side.error = exc.details()
            print(
                f"trial {n + 1}/{args.trials}: assetopt cold {a_side.cold[-1] if a_side.cold else float('nan'):.2f} s, "
                f"peers cold {p_side.cold[-1] if p_side.cold else float('nan'):.2f} s",
                file=sys.stderr,
            )
        assert last is not None
        order_note = check_peer_order(tmp / "peer-order-check")
        report(last, a_side, p_side, args.trials, order_note)
    finally:
        if args.keep:
            print(f"\n(kept {tmp})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


def report(t: Trial, a_side: Side, p_side: Side, trials: int, order_note: str) -> None:
    results: dict[str, Served | None] = {}
    render_notes: dict[str, list[str]] = {}
    for tool, side in (("assetopt", a_side), ("compressor", p_side)):
        if side.error is not None:
            results[tool] = None
            continue
        try:
            results[tool], render_notes[tool] = served(t, tool)
        except StepFailed as exc:
            side.error = f"rendering its blocks as a request would: {exc.details()}"
            results[tool] = None

    # The same dashboard CSS+JS today: the 31 source files, one request each.
    blocks = t.blocks_a
    src_paths = [p for b in blocks for p in b.ltr]
    before = Sizes()
    for p in src_paths:
        before.add((STATIC / p).read_bytes())

    print("\n## `assetopt build` vs django-compressor offline + whitenoise\n")
    print(f"{machine_facts()}. `python bench/bench_build.py --trials {trials}`: median of {trials} trials.\n")
    n_css = len(blocks[0].ltr)
    n_js = sum(len(b.ltr) for b in blocks[1:])
    print(
        f"Dashboard assets: {n_css} stylesheets of `base.html` (print stylesheet left out) and {n_js} scripts in "
        f"{len(blocks) - 1} runs (split at the inline scripts and at the `{{% if %}}` Arabic select2 file); "
        f"the LTR variant, as a request renders the blocks.\n"
    )
    print("| tool | cold wall s | no-change rebuild s | rebuild/cold | CSS+JS raw KB | gzip KB | brotli KB | requests |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    rows = [("assetopt build", a_side, results.get("assetopt")), ("compressor offline + whitenoise", p_side, results.get("compressor"))]
    med: dict[str, tuple[float, float] | None] = {}
    for name, side, res in rows:
        if side.error is not None or not side.cold:
            print(f"| {name} | FAILED | | | | | | |")
            med[name] = None
            continue
        c, r = statistics.median(side.cold), statistics.median(side.rebuild)
        med[name] = (c, r)
        s = res.sizes if res else None
        print(
            f"| {name} | {c:.2f} | {r:.2f} | {r / c:.2f} | "
            + (f"{kb(s.raw)} | {kb(s.gzip)} | {kb(s.brotli)} | {len(res.files)} |" if s and res else "| | | |")
        )
    print(f"| (the same files unbundled, as served today) | | | | {kb(before.raw)} | {kb(before.gzip)} | {kb(before.brotli)} | {len(src_paths)} |")
    a, p = med.get("assetopt build"), med.get("compressor offline + whitenoise")
    ra, rp = results.get("assetopt"), results.get("compressor")
    goals: list[str] = []
    if a and p:
        print(
            f"| **assetopt / peers** | **{ratio(a[0], p[0])}** | **{ratio(a[1], p[1])}** | | "
            + (
                f"**{ratio(ra.sizes.raw, rp.sizes.raw)}** | **{ratio(ra.sizes.gzip, rp.sizes.gzip)}** | **{ratio(ra.sizes.brotli, rp.sizes.brotli)}** | |"
                if ra and rp
                else "| | | |"
            )
        )
        goals.append(
            ("MET" if a[0] <= GOAL_TIME * p[0] else "NOT MET")
            + f": full build at most half the peers' time (assetopt/peers = {a[0] / p[0]:.2f}, goal <= {GOAL_TIME})"
        )
        if ra and rp:
            worse = [k for k in ("raw", "gzip", "brotli") if getattr(ra.sizes, k) > getattr(rp.sizes, k)]
            goals.append(
                ("MET" if not worse else "NOT MET")
                + f": no more bytes than the peers (raw {ratio(ra.sizes.raw, rp.sizes.raw)}, gzip {ratio(ra.sizes.gzip, rp.sizes.gzip)}, brotli {ratio(ra.sizes.brotli, rp.sizes.brotli)}"
                + (f"; more bytes in: {', '.join(worse)})" if worse else ")")
            )
    if a:
        goals.append(
            ("MET" if a[1] <= GOAL_REBUILD * a[0] else "NOT MET") + f": no-change rebuild at most 10 % of the full build (assetopt {a[1] / a[0]:.1%})"
        )
    if a_side.error is not None:
        goals.append("NOT MEASURED: assetopt build failed (see below)")
    print("\nGoals of the issue:\n")
    for g in goals:
        print(f"- {g}")

    print("\nDetails:\n")
    for name, side in ((a_side.name, a_side), (p_side.name, p_side)):
        if side.steps:
            parts = ", ".join(f"{k} {statistics.median(v):.2f} s" for k, v in side.steps.items())
            print(f"- {name} steps (medians): {parts}")
        if side.cold:
            print(f"- {name} all trials: cold {', '.join(f'{x:.2f}' for x in side.cold)} s; rebuild {', '.join(f'{x:.2f}' for x in side.rebuild)} s")
        if side.renamed is not None:
            print(f"- {name}: built files renamed by the no-change rebuild (browser caches busted for nothing): {side.renamed}")
    for tool, res in (("assetopt", ra), ("compressor", rp)):
        if res is None:
            continue
        for line in res.checks:
            print(f"- {tool}: {line}")
        for line in render_notes.get(tool, []):
            print(f"- {tool}: {line}")
        line = f"- {tool}: precompressed siblings on disk: {'; '.join(res.precompressed)}"
        if all(x.endswith(": none") for x in res.precompressed):
            line += (
                " (whitenoise only serves siblings that exist, so these go out uncompressed; the gzip/brotli "
                "columns are what an on-the-fly compressing proxy would send)"
            )
        print(line)
        if res.css_bundle is not None:
            css_paths = t.blocks_a[0].ltr
            one_by_one_min = sum(br(rcssmin.cssmin(static_text(p)).encode("utf-8")) for p in css_paths)
            one_by_one_raw = sum(br((STATIC / p).read_bytes()) for p in css_paths)
            b = br(res.css_bundle)
            print(
                f"- {tool}: bundling gain, CSS brotli: bundle {kb(b)} KB vs the same {len(css_paths)} files minified one by one "
                f"{kb(one_by_one_min)} KB ({(1 - b / one_by_one_min):.1%} smaller) and as served today {kb(one_by_one_raw)} KB "
                f"({(1 - b / one_by_one_raw):.1%} smaller)"
            )
    for name, side in ((a_side.name, a_side), (p_side.name, p_side)):
        if side.notes and side.error is None:
            text = " | ".join(n.strip() for n in side.notes[-6:]).replace(str(t.root), "<tmp>")
            print(f"- {name} output: {text}")
    print(
        "- compressor: the peers run `collectstatic` then `compress --force` (each timed, both summed). The other "
        "order, `compress` first on an empty STATIC_ROOT, gives: " + order_note
    )
    for name, side in ((a_side.name, a_side), (p_side.name, p_side)):
        if side.error is not None:
            print(f"\n**{name} FAILED**:\n\n```text\n{side.error}\n```")


if __name__ == "__main__":
    sys.exit(main())
