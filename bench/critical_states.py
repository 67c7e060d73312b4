"""What relaxing root states (a saved dark theme) costs the critical CSS, in bytes, on real pages.

Run:
  python bench/critical_states.py --snapshots OUT/snapshots/critical-full --static OUT/static
      (the example: after `assetopt optimize --browser --out OUT`, the pages as the critical pass rendered them)
  python bench/critical_states.py --corpus django-jazzmin   (or django-unfold: its admin pages rendered
      with Django, the corpus installed as an app; corpora fetched as tests/corpora_support.py says)

Every page is loaded in Chromium at the critical pass's two screens and asked the probes of each of its
stylesheets; the critical CSS is then selected three ways from the same answers: as algorithm 2 did
(root states never relaxed: "before"), as assetopt does now (the root states the stylesheet itself puts
on html/:root/body, plus Tailwind's .dark: "after"), and with every leading class/attribute compound
followed by a combinator relaxed ("broad", what a narrower rule avoids). Prints a Markdown table of
raw and gzip bytes per stylesheet (the union over the pages that link it), for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from assetopt.browser.chromium import open_browser  # noqa: E402
from assetopt.browser.critical import VIEWPORTS, observe  # noqa: E402
from assetopt.browser.server import serve  # noqa: E402
from assetopt.build.critical import Observation, Probes, probes_of, select_critical  # noqa: E402
from assetopt.text.css_root_states import relax_root_state  # noqa: E402
from assetopt.text.css_rules import probe_selector, split_selectors, style_rules  # noqa: E402

_KEYS = re.compile(r"\.(-?(?:[\w-]|\\.)+)|\[\s*([\w-]+)")

# the corpus's admin pages: anonymous login, then a superuser's index, changelist and change form
_RENDER = """
import json, os, sys
import django
django.setup()
from django.core.management import call_command
from django.contrib.auth.models import User
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
call_command("migrate", verbosity=0)
user = User.objects.create_superuser("admin", "a@example.com", "pw")
out = {}
for url in ["/admin/login/", "+/admin/", "+/admin/auth/user/", "+/admin/auth/user/%d/change/" % user.pk]:
    c = Client()
    if url.startswith("+"):
        c.force_login(user)
    r = c.get(url.lstrip("+"))
    out[url.lstrip("+")] = [r.status_code, r.content.decode()]
print(json.dumps(out))
"""
_SETTINGS = """
SECRET_KEY = "bench"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [{app!r}, "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
                  "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles"]
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware", "django.middleware.common.CommonMiddleware",
              "django.middleware.csrf.CsrfViewMiddleware", "django.contrib.auth.middleware.AuthenticationMiddleware",
              "django.contrib.messages.middleware.MessageMiddleware"]
ROOT_URLCONF = "benchurls"
TEMPLATES = [{{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True,
              "OPTIONS": {{"context_processors": ["django.template.context_processors.request",
              "django.contrib.auth.context_processors.auth", "django.contrib.messages.context_processors.messages"]}}}}]
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": {db!r}}}}}
STATIC_URL = "/static/"
USE_TZ = True
"""
_URLS = 'from django.contrib import admin\nfrom django.urls import path\nurlpatterns = [path("admin/", admin.site.urls)]\n'


def render_corpus(name: str, work: Path) -> tuple[Path, list[Path], list[str]]:
    """The corpus's admin pages rendered by Django into ``work/pages`` (one ``index.html`` per URL), the
    static dirs that serve them, and the URL paths."""
    from corpora_support import DJANGO_ADMIN, corpora_root, corpus_dirs

    root, why = corpora_root()
    if root is None:
        sys.exit(f"corpora unavailable: {why}")
    app = {"django-jazzmin": "jazzmin", "django-unfold": "unfold"}[name]
    (work / "benchsettings.py").write_text(_SETTINGS.format(app=app, db=str(work / "db.sqlite3")))
    (work / "benchurls.py").write_text(_URLS)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchsettings", "PYTHONPATH": os.pathsep.join([str(work), str(root / name), *sys.path])}
    proc = subprocess.run([sys.executable, "-c", _RENDER], env=env, capture_output=True, text=True, check=True, timeout=600)
    pages = json.loads(proc.stdout)
    urls = []
    for url, (status, html) in pages.items():
        if status != 200:
            sys.exit(f"{name} {url}: HTTP {status}")
        target = work / "pages" / url.strip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html)
        urls.append(url)
    _, static = corpus_dirs(root / name)
    return work / "pages", [*static, DJANGO_ADMIN / "static"], urls


def _broad(probes: Probes) -> tuple[dict[str, str | bool], list[str]]:
    """selector -> probe with its leading class/attribute compound relaxed whenever a combinator follows
    (every class and attribute of the sheet counted as a root state), and the probes to ask."""
    every = frozenset(("." + a) if a else ("[" + b.lower()) for r in style_rules(probes.rules) for a, b in _KEYS.findall(r.prelude))
    out: dict[str, str | bool] = {}
    for rule in style_rules(probes.rules):
        for s in split_selectors(rule.prelude):
            relaxed = relax_root_state(s, every)
            if relaxed is not None and relaxed != ":is(html,body)":
                out[s] = probe_selector(relaxed)
    return out, [p for p in out.values() if isinstance(p, str)]


def _select_broad(probes: Probes, broad: dict[str, str | bool], seen: list[Observation]) -> tuple[int, int]:
    matched = set().union(*(o.matched for o in seen))
    extra = {s for s, p in broad.items() if p is True or p in matched}
    # a selector whose broad probe matched counts as matched itself (its own probe, as the selection asks it)
    more = {p for s in extra if isinstance(p := probe_selector(s), str)}
    widened = [replace(o, matched=o.matched | more) for o in seen]
    result = select_critical(probes, widened, max_bytes=10**9)
    return result.raw_bytes, result.gzip_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshots", type=Path, help="rendered pages (OUT/snapshots/critical-full)")
    parser.add_argument("--static", type=Path, action="append", default=[], help="static root(s) served at /static/")
    parser.add_argument("--corpus", choices=["django-jazzmin", "django-unfold"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.corpus:
            pages_dir, static, urls = render_corpus(args.corpus, Path(tmp))
        else:
            pages_dir, static = args.snapshots, args.static
            urls = ["/" + str(p.parent.relative_to(pages_dir)).strip(".") + "/" for p in sorted(pages_dir.rglob("index.html"))]
            urls = [u.replace("//", "/") for u in urls]
        seen: dict[str, list[Observation]] = {}
        probes: dict[str, Probes] = {}
        broad: dict[str, tuple[dict[str, str | bool], list[str]]] = {}
        used: dict[str, set[str]] = {}
        with open_browser() as session, serve({"/": pages_dir, "/static/": static}) as base:
            # every stylesheet the pages link under /static/, with the broad probes asked too
            for url in urls:
                for viewport in VIEWPORTS:
                    _, sheets = observe(session, base + url, viewport, {})
                    asked: dict[str, Probes] = {}
                    for sheet in sheets:
                        if not sheet.startswith(base + "/static/"):
                            continue
                        if sheet not in probes:
                            rel = sheet.removeprefix(base + "/static/")
                            path = next(d / rel for d in static if (d / rel).is_file())
                            probes[sheet] = probes_of(path.read_text("utf-8"))
                            broad[sheet] = _broad(probes[sheet])
                        p = probes[sheet]
                        asked[sheet] = replace(p, selectors=tuple(dict.fromkeys([*p.selectors, *broad[sheet][1]])))
                    answers, _ = observe(session, base + url, viewport, asked)
                    for sheet, obs in answers.items():
                        seen.setdefault(sheet, []).append(obs)
                        used.setdefault(sheet, set()).add(url)
    print("| stylesheet | pages | before raw / gzip | after raw / gzip | broad raw / gzip |")
    print("|---|---|---|---|---|")
    for sheet, obs in sorted(seen.items()):
        p = probes[sheet]
        before = select_critical(Probes(p.rules, p.selectors), obs, max_bytes=10**9)
        after = select_critical(p, obs, max_bytes=10**9)
        b_raw, b_gz = _select_broad(p, broad[sheet][0], obs)
        name = sheet.split("/static/", 1)[1]
        print(
            f"| {name} | {len(used[sheet])} | {before.raw_bytes:,} / {before.gzip_bytes:,} | {after.raw_bytes:,} / {after.gzip_bytes:,} "
            f"| {b_raw:,} / {b_gz:,} |"
        )


if __name__ == "__main__":
    main()
