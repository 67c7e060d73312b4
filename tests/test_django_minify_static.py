"""``ASSETOPT["MINIFY_STATIC"]`` under a real ``collectstatic``: the collected CSS/JS/SVG files are
minified before Django hashes them, with the bytes ``assetopt build`` ships, incrementally.

The sites, settings and ``Site`` helper are those of ``test_django_storage.py``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import brotli
import django_settings
import pytest
from test_django_storage import DJANGO_TEMPLATES, HASHED_RE, LOAD, STORAGE, Site, settings, sri, write

UTIL_JS = "function util(x) {\n  // add one\n  return x + 1;\n}\n"
UTIL_JS_MIN = "function util(x){return x+1;}"  # written by hand: whitespace and the comment go
APP_JS = "/* the app */\nvar app = {};\n" + "".join(f"app.f{i} = function () {{\n  return {i};\n}};\n" for i in range(80))
SITE_CSS = (
    '/* site */\n@font-face {\n  font-family: Icons;\n  src: url("../fonts/icons.woff2") format("woff2");\n}\n'
    ".dot { background: url(../img/dot.svg) no-repeat; }\n"
)
PLAIN_CSS = "/* plain */\nbody {\n  color : red ;\n}\n" + "".join(f".r{i} {{ margin: {i}px; }}\n" for i in range(60))
DOT_SVG = '<?xml version="1.0"?>\n<!-- dot -->\n<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">\n  <circle cx="4" cy="4" r="4" fill="#ff0000"/>\n</svg>\n'
DOT_SVG_MIN = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><circle cx="4" cy="4" r="4" fill="#ff0000"/></svg>'
DAMAGED_JS = 'var b = 1;\nvar m = `x.${b ? ` Use "${b}" now.` : ""}`;\n'  # rjsmin 1.3 changes the inner literal
LIB_MIN_JS = "var  keep = 1;\n"

STATIC: dict[str, str | bytes] = {
    "css/site.css": SITE_CSS,
    "css/plain.css": PLAIN_CSS,
    "css/bundled.css": ".bundled {\n  display: grid;\n}\n",
    "fonts/icons.woff2": bytes(range(256)) * 4,
    "img/dot.svg": DOT_SVG,
    "js/util.js": UTIL_JS,
    "js/app.js": APP_JS,
    "js/lib.min.js": LIB_MIN_JS,
    "js/tpl.js": DAMAGED_JS,
}
PAGE = (
    LOAD + '<html><head>{% bundle "css" %}<link rel="stylesheet" href="{% static \'css/bundled.css\' %}">{% endbundle %}'
    '<link rel="stylesheet" href="{% static \'css/site.css\' %}"></head>'
    "<body><script src=\"{% static 'js/app.js' %}\"></script></body></html>\n"
)


@pytest.fixture(scope="module", autouse=True)
def django_configured() -> None:
    django_settings.configure()


def site_settings(s: Site, minify: bool | None, js_minifier: str | None = None):
    assetopt: dict[str, object] = {"BUNDLES": True, "STRICT": True}
    if minify is not None:
        assetopt["MINIFY_STATIC"] = minify
    if js_minifier is not None:
        assetopt["JS_MINIFIER"] = js_minifier
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": {"BACKEND": STORAGE}}
    return settings(
        TEMPLATES=[{"BACKEND": DJANGO_TEMPLATES, "DIRS": [str(s.templates)], "APP_DIRS": False}],
        STATICFILES_DIRS=[str(s.static)],
        STATIC_ROOT=str(s.root),
        STORAGES=storages,
        DEBUG=False,
        ASSETOPT=assetopt,
    )


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """The site with ``MINIFY_STATIC`` on."""
    s = Site(tmp_path / "templates", tmp_path / "static", tmp_path / "static_root")
    write(s.templates, {"page.html": PAGE})
    write(s.static, STATIC)
    with site_settings(s, True):
        yield s


def staticfiles(s: Site) -> dict[str, str]:
    return json.loads((s.root / "staticfiles.json").read_text())["paths"]


def served(s: Site, name: str) -> bytes:
    """The bytes of the hashed file Django serves for ``name``."""
    return (s.root / staticfiles(s)[name]).read_bytes()


def md5_name(name: str, data: bytes) -> str:
    """Django's hashed name for content ``data``: the first 12 hex digits of its MD5."""
    stem, ext = name.rsplit(".", 1)
    return f"{stem}.{hashlib.md5(data).hexdigest()[:12]}.{ext}"


def test_minify_static_is_off_by_default_and_the_sources_bytes_ship(tmp_path: Path):
    s = Site(tmp_path / "templates", tmp_path / "static", tmp_path / "static_root")
    write(s.templates, {"page.html": PAGE})
    write(s.static, STATIC)
    with site_settings(s, None):
        s.collect()
        for name in ("js/util.js", "js/app.js", "css/plain.css", "img/dot.svg"):
            source = (s.static / name).read_bytes()
            assert (s.root / name).read_bytes() == source, name
            assert staticfiles(s)[name] == md5_name(name, source), name


def test_collected_files_ship_minified_under_the_hash_of_the_minified_bytes(site: Site):
    site.collect()
    expected = {"js/util.js": UTIL_JS_MIN.encode(), "img/dot.svg": DOT_SVG_MIN.encode()}
    for name, data in expected.items():
        assert (site.root / name).read_bytes() == data, name
        assert staticfiles(site)[name] == md5_name(name, data), name
        assert served(site, name) == data, name
    assert served(site, "js/lib.min.js") == LIB_MIN_JS.encode()  # already minified: as it is


def test_collected_files_equal_what_assetopt_build_ships(site: Site, make_project):
    from assetopt.build import BuildOptions, build

    site.collect()
    project = make_project(minify_static=True)  # the same template and static dirs, its own cache
    assert project.config.static == (site.static.resolve(),)
    out = site.root.parent / "built"
    build(project, BuildOptions(out=out, precompress=False, images=False))
    for name in ("js/util.js", "js/app.js", "js/tpl.js", "css/plain.css", "img/dot.svg"):
        built = (out / name).read_bytes()
        assert built != (site.static / name).read_bytes() or name == "js/tpl.js", name
        assert served(site, name) == built, name


def test_the_precompressed_copies_hold_the_minified_bytes(site: Site):
    site.collect()
    hashed = staticfiles(site)["js/app.js"]
    minified = (site.root / hashed).read_bytes()
    assert b"/* the app */" not in minified and b"\n" not in minified
    assert gzip.decompress((site.root / (hashed + ".gz")).read_bytes()) == minified
    assert brotli.decompress((site.root / (hashed + ".br")).read_bytes()) == minified


def test_url_in_minified_css_is_rewritten_to_hashed_names(site: Site):
    site.collect()
    names = staticfiles(site)
    css = served(site, "css/site.css").decode()
    font = names["fonts/icons.woff2"].rsplit("/", 1)[1]
    dot = names["img/dot.svg"].rsplit("/", 1)[1]
    assert css == f'@font-face{{font-family:Icons;src:url("../fonts/{font}") format("woff2")}}.dot{{background:url("../img/{dot}") no-repeat}}'
    assert (site.root / "fonts" / font).is_file() and (site.root / "img" / dot).is_file()


def test_a_script_rjsmin_would_damage_ships_unminified_with_a_warning_under_js_minifier_rjsmin(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    s = Site(tmp_path / "templates", tmp_path / "static", tmp_path / "static_root")
    write(s.templates, {"page.html": PAGE})
    write(s.static, STATIC)
    with site_settings(s, True, "rjsmin"):
        for run in ("first", "second"):  # not cached away: the warning shows until the file is fixed
            caplog.clear()
            with caplog.at_level("WARNING", logger="assetopt"):
                s.collect()
            assert "assetopt: js/tpl.js:2: rjsmin changed the contents of a template literal: shipped unminified" in caplog.text, run
            assert served(s, "js/tpl.js") == DAMAGED_JS.encode(), run


def test_a_script_rjsmin_would_damage_ships_minified_by_minify_go_with_no_warning(site: Site, caplog: pytest.LogCaptureFixture):
    pytest.importorskip("minify", reason="minify-go is not installed (pip install 'assetopt[modern-js]')")
    with caplog.at_level("WARNING", logger="assetopt"):
        site.collect()
    assert "js/tpl.js" not in caplog.text
    assert served(site, "js/tpl.js") == b'var b=1,m=`x.${b?` Use "${b}" now.`:""}`'


def test_a_second_collectstatic_with_nothing_changed_rewrites_no_file(site: Site):
    first = site.collect()
    assert "js/app.js" in first.last_minified
    before = site.snapshot()
    storage = site.collect()
    assert site.snapshot() == before
    assert storage.last_minified == []


@pytest.mark.parametrize("old_mtime", [pytest.param(False, id="edited_now"), pytest.param(True, id="edited_with_an_old_mtime")])
def test_a_changed_source_is_minified_again_on_the_next_run(site: Site, old_mtime: bool):
    site.collect()
    old_hashed = staticfiles(site)["js/util.js"]
    write(site.static, {"js/util.js": "function util(x) {\n  return x + 2;\n}\n"})
    if old_mtime:  # e.g. unpacked from an archive: collectstatic skips it as "not modified"
        os.utime(site.static / "js/util.js", (1_000_000_000, 1_000_000_000))
    storage = site.collect()
    data = b"function util(x){return x+2;}"
    assert storage.last_minified == ["js/util.js"]
    assert staticfiles(site)["js/util.js"] == md5_name("js/util.js", data) != old_hashed
    assert (site.root / "js/util.js").read_bytes() == data == served(site, "js/util.js")
    assert (site.root / old_hashed).is_file()  # pages served during the deploy still load it


def test_turning_minify_static_off_puts_the_sources_bytes_back(site: Site):
    site.collect()
    assert (site.root / "js/util.js").read_bytes() == UTIL_JS_MIN.encode()
    with site_settings(site, False):
        storage = site.collect()
    assert "js/util.js" in storage.last_minified  # rewritten: Django skipped the newer minified copy
    assert (site.root / "js/util.js").read_bytes() == UTIL_JS.encode() == served(site, "js/util.js")


def test_a_broken_reference_in_a_minified_css_file_names_the_source_line(site: Site):
    write(site.static, {"css/broken.css": ".a { color: red; }\n\n.b { background: url(missing.png); }\n"})
    with pytest.raises(Exception) as info:
        site.collect()
    message = str(info.value)
    assert message.startswith("css/broken.css:3: url(missing.png) points to css/missing.png"), message
    assert not (site.root / "assetopt-manifest.json").exists()


def test_bundles_are_not_minified_again_and_their_integrity_matches(site: Site):
    site.collect()
    rendered = site.render()
    url, integrity = re.search(r'href="/static/(assetopt/[^"]+)" integrity="([^"]+)"', rendered).groups()
    assert len(HASHED_RE.findall(url)) == 1
    assert (site.root / url).read_bytes() == b".bundled{display:grid}"
    assert integrity == sri(b".bundled{display:grid}")
    assert "assetopt/" not in " ".join(site.collect().last_minified)
