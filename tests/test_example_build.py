"""The example's dashboard stylesheets, bundled: the same rules in the same order, every url() resolving.

The oracle is a second, simple implementation: resolve every url() to an absolute static path in each
file, inline the one local @import by hand, join, minify with rcssmin. The bundle, with its url()s
resolved from its own folder, must be exactly that text.
"""

from __future__ import annotations

import posixpath
import re
import shutil
from pathlib import Path

import pytest
import rcssmin

from assetopt.build import BuildOptions, build
from assetopt.config import load_config
from assetopt.io.project import Project

REPO = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not (REPO / "static_src" / "vendor").is_dir(), reason="run `python example/prepare.py` first")]
URL_RE = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""")
FIRST = '  <link rel="stylesheet" href="{% if LANGUAGE_BIDI %}'
PRINT = '  <link rel="stylesheet" href="{% static \'css/print.css\' %}" media="print">'


def absolute_urls(css: str, base: str) -> str:
    def fix(m: re.Match[str]) -> str:
        url = m.group(2)
        if url.startswith(("data:", "#", "/", "http:", "https:")):
            return m.group(0)
        bare = url.split("?")[0].split("#")[0]
        suffix = url[len(bare) :]
        return "url(/" + posixpath.normpath(posixpath.join(posixpath.dirname(base), bare)) + suffix + ")"

    return URL_RE.sub(fix, css)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("example")
    shutil.copytree(REPO / "example" / "templates", tmp / "templates")
    base = tmp / "templates" / "base.html"
    text = base.read_text()
    assert text.count(FIRST) == 1 and text.count(PRINT) == 1
    text = text.replace(FIRST, '  {% bundle "css" %}\n' + FIRST).replace(PRINT, "  {% endbundle %}\n" + PRINT)
    base.write_text(text.replace("{% load i18n static %}", "{% load i18n static assetopt %}", 1))
    config = load_config(tmp, {"templates": (str(tmp / "templates"),), "static": (str(REPO / "static_src"),), "cache_dir": str(tmp / "cache")})
    out = tmp / "out"
    result = build(Project(config), BuildOptions(out=out, images=False))  # CSS is under test here
    return result, out


def sources_of_run() -> list[str]:
    head = (REPO / "example" / "templates" / "base.html").read_text().split("</head>")[0]
    paths = re.findall(r"<link rel=\"stylesheet\" href=\"(.*?)\"(?: media=\"print\")?>", head)
    paths = [p for p in paths if "print.css" not in p]
    ltr = [re.findall(r"\{% static '([^']+)' %\}", p)[-1] for p in paths]  # the {% else %} branch is the LTR file
    assert len(ltr) == 22
    return ltr


def oracle(paths: list[str]) -> str:
    static = REPO / "static_src"
    parts = []
    for p in paths:
        css = (static / p).read_text("utf-8-sig")
        if p == "css/typography.css":  # the one local @import, inlined by hand (same folder)
            assert css.count('@import url("fonts.css");') == 1
            css = css.replace('@import url("fonts.css");', (static / "css/fonts.css").read_text("utf-8-sig"), 1)
        parts.append(absolute_urls(css, p))
    return rcssmin.cssmin("\n".join(parts), keep_bang_comments=True)


def test_dashboard_css_bundle_has_the_same_rules_in_the_same_order(built):
    result, out = built
    paths = sources_of_run()
    (entry,) = [b for b in result.manifest.bundles.values() if b.sources == tuple(paths)]
    (f,) = entry.files
    bundle = absolute_urls((out / f.name).read_text(), f.name)
    assert bundle == oracle(paths)


def test_both_bootstrap_variants_are_built(built):
    result, _ = built
    firsts = sorted(b.sources[0] for b in result.manifest.bundles.values())
    assert firsts == ["vendor/bootstrap/css/bootstrap.css", "vendor/bootstrap/css/bootstrap.rtl.css"]


def test_every_url_in_the_bundles_resolves_to_a_file_in_the_output(built):
    result, out = built
    checked = 0
    for b in result.manifest.bundles.values():
        for f in b.files:
            for m in URL_RE.finditer((out / f.name).read_text()):
                url = m.group(2)
                if url.startswith(("data:", "#")):
                    continue
                target = posixpath.normpath(posixpath.join(posixpath.dirname(f.name), url.split("?")[0].split("#")[0]))
                assert (out / target).is_file(), f"{f.name}: {url}"
                checked += 1
    assert checked >= 10  # Font Awesome's webfonts, DataTables' sort icons, our background pattern


def test_bundle_is_much_smaller_than_its_sources(built):
    result, out = built
    (entry,) = [b for b in result.manifest.bundles.values() if b.sources[0].endswith("bootstrap.css")]
    raw = sum((REPO / "static_src" / p).stat().st_size for p in entry.sources)
    bundle = out / entry.files[0].name
    assert bundle.stat().st_size < 0.85 * raw
    br = bundle.with_name(bundle.name + ".br")
    assert br.is_file() and br.stat().st_size < 0.2 * raw
