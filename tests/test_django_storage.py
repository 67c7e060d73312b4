"""Django integration: ``config_from_settings`` and a real ``collectstatic`` through assetopt's storage.

Django is configured once (``tests/django_settings.py``); each test layers its template dirs, static
dirs, ``STATIC_ROOT``, ``STORAGES`` and ``ASSETOPT`` on top with ``override_settings``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import django_settings
import pytest

LOAD = "{% load static assetopt %}\n"
STORAGE = "assetopt.contrib.django.storage.AssetoptManifestStaticFilesStorage"
DJANGO_TEMPLATES = "django.template.backends.django.DjangoTemplates"
HASHED_RE = re.compile(r"\.[0-9a-f]{12}\.")
WITH_ADMIN = ["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.staticfiles", "django.contrib.admin", "assetopt.contrib.django"]


@pytest.fixture(scope="module", autouse=True)
def django_configured() -> None:
    django_settings.configure()


def settings(**kwargs: object):
    from django.test.utils import override_settings

    return override_settings(**kwargs)


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


# --------------------------------------------------------------------------- config_from_settings


def test_config_reads_template_dirs_in_the_loaders_order_and_app_dirs(tmp_path: Path):
    from django.apps import apps

    from assetopt.contrib.django.project import config_from_settings

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    engines = [
        {"BACKEND": DJANGO_TEMPLATES, "DIRS": [tmp_path / "a"], "APP_DIRS": True},
        {"BACKEND": "django.template.backends.jinja2.Jinja2", "DIRS": [tmp_path / "jinja"]},
        {"BACKEND": DJANGO_TEMPLATES, "DIRS": [str(tmp_path / "b")]},
    ]
    with settings(TEMPLATES=engines, INSTALLED_APPS=WITH_ADMIN, STATIC_ROOT=str(tmp_path / "out")):
        app_templates = [(Path(apps.get_app_config(a).path) / "templates").resolve() for a in ("auth", "admin")]
        cfg = config_from_settings()
        with settings(ASSETOPT={"INCLUDE_APP_TEMPLATES": True}):
            included = config_from_settings()
    # the installed apps' templates are read (library_templates), not the project's own
    assert cfg.templates == ((tmp_path / "a").resolve(), (tmp_path / "b").resolve())
    assert cfg.library_templates == tuple(app_templates)
    assert included.templates == ((tmp_path / "a").resolve(), *app_templates, (tmp_path / "b").resolve())
    assert included.library_templates == ()


def test_config_follows_explicit_loaders_including_the_cached_loader(tmp_path: Path):
    from assetopt.contrib.django.project import config_from_settings

    loaders = [
        ("django.template.loaders.cached.Loader", ["django.template.loaders.filesystem.Loader"]),
        ("django.template.loaders.filesystem.Loader", [tmp_path / "x"]),
    ]
    engines = [{"BACKEND": DJANGO_TEMPLATES, "DIRS": [tmp_path / "d"], "OPTIONS": {"loaders": loaders}}]
    with settings(TEMPLATES=engines, STATIC_ROOT=str(tmp_path / "out")):
        assert config_from_settings().templates == ((tmp_path / "d").resolve(), (tmp_path / "x").resolve())


def test_config_reads_static_dirs_from_the_finders_in_order(tmp_path: Path):
    from django.apps import apps

    from assetopt.contrib.django.project import config_from_settings

    finders = ["django.contrib.staticfiles.finders.AppDirectoriesFinder", "django.contrib.staticfiles.finders.FileSystemFinder"]
    with settings(
        STATICFILES_FINDERS=finders,
        STATICFILES_DIRS=[tmp_path / "s1", str(tmp_path / "s2")],
        INSTALLED_APPS=WITH_ADMIN,
        STATIC_ROOT=str(tmp_path / "out"),
        STATIC_URL="/assets/",
        BASE_DIR=tmp_path / "site",
    ):
        admin_static = Path(apps.get_app_config("admin").path) / "static"
        cfg = config_from_settings()
    assert cfg.static == (admin_static.resolve(), (tmp_path / "s1").resolve(), (tmp_path / "s2").resolve())
    assert cfg.static_url == "/assets/"
    assert cfg.out == (tmp_path / "out").resolve()
    # with the project (BASE_DIR), never in STATIC_ROOT: served, and collectstatic --clear deletes it
    assert cfg.cache_dir == (tmp_path / "site" / ".assetopt-cache").resolve()


def test_a_prefixed_staticfiles_dir_is_refused_with_a_clear_message(tmp_path: Path):
    from django.core.exceptions import ImproperlyConfigured

    from assetopt.contrib.django.project import config_from_settings

    with settings(STATICFILES_DIRS=[("vendor", str(tmp_path))], STATIC_ROOT=str(tmp_path / "out")):
        with pytest.raises(ImproperlyConfigured, match=r"\('vendor', .*prefixes"):
            config_from_settings()


def test_assetopt_keys_map_to_config_fields(tmp_path: Path):
    from assetopt.config import DeclaredBundle
    from assetopt.contrib.django.project import config_from_settings

    assetopt = {
        "CACHE_DIR": tmp_path / "c",
        "CACHE_ALIAS": "fragments",
        "EXCLUDE": ["admin/*"],
        "PAGE_TEMPLATES": ("x.html",),
        "MINIFY_STATIC": True,
        "USER_CONTEXT": ["notifications"],
        "DECLARED_BUNDLES": {"vendor": {"kind": "js", "files": ["a.js"], "defer": True}},
        "BUNDLES": True,
    }
    with settings(ASSETOPT=assetopt, STATIC_ROOT=str(tmp_path / "out")):
        cfg = config_from_settings()
    assert (cfg.cache_dir, cfg.cache_alias, cfg.exclude, cfg.pages, cfg.minify_static, cfg.user_context) == (
        tmp_path / "c",
        "fragments",
        ("admin/*",),
        ("x.html",),
        True,
        ("notifications",),
    )
    assert cfg.bundles == (DeclaredBundle("vendor", "js", ("a.js",), "defer"),)


@pytest.mark.parametrize(
    "assetopt, words",
    [
        pytest.param({"CACHEDIR": "x"}, "unknown key(s) ['CACHEDIR']", id="unknown_key"),
        pytest.param({"TEMPLATES": ["t"]}, "comes from settings.TEMPLATES", id="derived_key"),
        pytest.param({"MINIFY_STATIC": "yes"}, "ASSETOPT['MINIFY_STATIC']: minify_static must be true or false", id="bad_type"),
        pytest.param({"EMIT": "webpack"}, "ASSETOPT['EMIT'] must be one of", id="bad_emit"),
        pytest.param({"PAGES": ["en/orders/"]}, "ASSETOPT['PAGES']: urls: 'en/orders/' is neither a URL path", id="page_path_without_slash"),
        pytest.param({"PAGES": [""]}, "is empty", id="page_empty"),
        pytest.param({"PAGES": [1]}, "must be a list of URL paths or URL names", id="pages_not_strings"),
        pytest.param({"USER": ["demo"]}, "ASSETOPT['USER']: user must be a string", id="user_not_a_string"),
    ],
)
def test_a_bad_assetopt_setting_is_improperly_configured_naming_it(tmp_path: Path, assetopt: dict[str, object], words: str):
    from django.core.exceptions import ImproperlyConfigured

    from assetopt.contrib.django.project import config_from_settings

    with settings(ASSETOPT=assetopt, STATIC_ROOT=str(tmp_path / "out")):
        with pytest.raises(ImproperlyConfigured) as info:
            config_from_settings()
    assert words in str(info.value)


def test_config_is_read_when_called(tmp_path: Path):
    from assetopt.contrib.django.project import config_from_settings

    with settings(STATIC_ROOT=str(tmp_path / "one")):
        first = config_from_settings()
    with settings(STATIC_ROOT=str(tmp_path / "two")):
        second = config_from_settings()
    assert (first.out.name, second.out.name) == ("one", "two")


def test_a_relative_manifest_path_is_relative_to_base_dir_not_the_working_dir(tmp_path: Path, monkeypatch):
    from assetopt.contrib.django import conf

    monkeypatch.chdir(tmp_path)  # collectstatic and the web server may start in different folders
    with settings(BASE_DIR=str(tmp_path / "site"), ASSETOPT={"MANIFEST": "build/m.json"}):
        assert conf.manifest_path() == tmp_path / "site" / "build" / "m.json"
    with settings(BASE_DIR=str(tmp_path / "site"), ASSETOPT={"MANIFEST": str(tmp_path / "abs.json")}):
        assert conf.manifest_path() == tmp_path / "abs.json"


# ------------------------------------------------------------------------------ real collectstatic

RULES = "".join(f".rule-{i} {{ margin: {i}px; padding: {i % 7}px; }}\n" for i in range(80))  # big enough to compress
SITE_STATIC: dict[str, str | bytes] = {
    "css/base.css": '@font-face { font-family: Icons; src: url("../fonts/icons.woff2") format("woff2"); }\nbody { font-family: Icons; }\n' + RULES,
    "css/layout.css": ".layout { display: grid; }\n" + RULES.replace("rule", "layout"),
    "fonts/icons.woff2": bytes(range(256)) * 4,
    "js/app.js": "var app = {};\n" + "".join(f"app.f{i} = function () {{ return {i}; }};\n" for i in range(80)),
    "js/util.js": "function util(x) {\n  return x + 1;\n}\n",
    "img/logo.png": b"\x89PNG\r\n\x1a\n" + bytes(64),
}
CSS_BLOCK = (
    '{% bundle "css" %}\n'
    '<link rel="stylesheet" href="{% static \'css/base.css\' %}">\n'
    '<link rel="stylesheet" href="{% static \'css/layout.css\' %}">\n'
    "{% endbundle %}"
)
JS_BLOCK = (
    '{% bundle "js" %}\n'
    '<script src="{% static \'js/app.js\' %}" nonce="{{ nonce }}"></script>\n'
    '<script src="{% static \'js/util.js\' %}" nonce="{{ nonce }}"></script>\n'
    "{% endbundle %}"
)
PAGE = LOAD + "<html><head>" + CSS_BLOCK + "</head><body><img src=\"{% static 'img/logo.png' %}\">" + JS_BLOCK + "</body></html>\n"


@dataclass
class Site:
    templates: Path
    static: Path
    root: Path  # STATIC_ROOT

    def collect(self) -> object:
        from django.contrib.staticfiles.storage import staticfiles_storage
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        return staticfiles_storage._wrapped

    def render(self, name: str = "page.html", context: dict[str, object] | None = None) -> str:
        from django.template import engines

        return engines["django"].get_template(name).render(context or {"nonce": "n0"})

    def snapshot(self) -> dict[str, tuple[int, bytes]]:
        """Every file of STATIC_ROOT outside the cache: (mtime, bytes)."""
        return {
            p.relative_to(self.root).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(self.root.rglob("*"))
            if p.is_file() and ".assetopt-cache" not in p.parts
        }


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    s = Site(tmp_path / "templates", tmp_path / "static", tmp_path / "static_root")
    write(s.templates, {"page.html": PAGE})
    write(s.static, SITE_STATIC)
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": {"BACKEND": STORAGE}}
    templates = [{"BACKEND": DJANGO_TEMPLATES, "DIRS": [str(s.templates)], "APP_DIRS": False}]
    with settings(
        TEMPLATES=templates,
        STATICFILES_DIRS=[str(s.static)],
        STATIC_ROOT=str(s.root),
        STORAGES=storages,
        DEBUG=False,
        # its own cache: the default (BASE_DIR, else the working dir) would be shared by every test
        ASSETOPT={"BUNDLES": True, "STRICT": True, "CACHE_DIR": str(tmp_path / ".assetopt-cache")},
    ):
        yield s


def test_collectstatic_builds_the_bundles_and_django_hashes_them_once(site: Site):
    site.collect()
    staticfiles = json.loads((site.root / "staticfiles.json").read_text())["paths"]
    bundles = sorted(n for n in staticfiles if n.startswith("assetopt/"))
    assert sorted(n.rsplit(".", 1)[1] for n in bundles) == ["css", "js"]
    for name in bundles:
        hashed = staticfiles[name]
        assert HASHED_RE.search(name) is None and len(HASHED_RE.findall(hashed)) == 1, hashed
        assert (site.root / hashed).is_file()
    for path in site.root.rglob("*"):
        assert len(HASHED_RE.findall(path.name)) <= 1, path  # never x.<hash>.<hash>.css
    for name, hashed in staticfiles.items():  # staticfiles.json consistent with the disk
        assert (site.root / name).is_file() and (site.root / hashed).is_file(), name


def test_collectstatic_precompresses_text_assets(site: Site):
    site.collect()
    staticfiles = json.loads((site.root / "staticfiles.json").read_text())["paths"]
    texts = [h for n, h in staticfiles.items() if n.endswith((".css", ".js")) and n != "js/util.js"]  # util.js is too small to gain
    assert len(texts) == 5  # two bundles, base.css, layout.css, app.js
    for hashed in texts:
        for ext in (".gz", ".br"):
            assert (site.root / (hashed + ext)).is_file(), hashed + ext
    assert not (site.root / (staticfiles["img/logo.png"] + ".gz")).exists()


def _compressible_served(root: Path) -> dict[str, bytes]:
    """The served (hashed) names of STATIC_ROOT that precompression considers, with their bytes."""
    from assetopt.text.compress import COMPRESSIBLE

    staticfiles = json.loads((root / "staticfiles.json").read_text())["paths"]
    return {h: (root / h).read_bytes() for h in sorted(set(staticfiles.values())) if Path(h).suffix.lower() in COMPRESSIBLE}


def test_collectstatic_precompresses_the_served_hashed_names_only(site: Site):
    storage = site.collect()
    staticfiles = json.loads((site.root / "staticfiles.json").read_text())["paths"]
    siblings = sorted(
        p.relative_to(site.root).as_posix() for p in site.root.rglob("*.*") if p.suffix in (".gz", ".br") and ".assetopt-cache" not in p.parts
    )
    assert siblings, "nothing was precompressed"
    assert [s for s in siblings if s.rsplit(".", 1)[0] not in set(staticfiles.values())] == []  # none beside an unhashed copy
    served = _compressible_served(site.root)
    unique = {hashlib.sha256(data).hexdigest(): len(data) for data in served.values()}
    # Exactly the served bytes went into gzip/brotli: not the unhashed copies as well (twice the work).
    assert storage.last_precompress.bytes_compressed == sum(unique.values())
    assert storage.last_precompress.compressed == len(unique)


def test_collectstatic_removes_siblings_an_earlier_version_left_beside_unhashed_names(site: Site):
    site.collect()
    stale = site.root / "js" / "app.js.br"
    stale.write_bytes(b"an earlier run's brotli of an older app.js")
    storage = site.collect()
    assert not stale.exists() and storage.last_precompress.removed == 1


def test_collectstatic_gives_a_ttf_with_a_woff2_beside_it_fast_brotli_under_its_hashed_name(site: Site):
    import brotli

    webfonts = Path(__file__).resolve().parents[1] / "static_src/vendor/fontawesome/webfonts"
    ttf = (webfonts / "fa-regular-400.ttf").read_bytes()
    write(site.static, {"fonts/fa.ttf": ttf, "fonts/fa.woff2": (webfonts / "fa-regular-400.woff2").read_bytes(), "solo/fa.ttf": ttf})
    site.collect()
    staticfiles = json.loads((site.root / "staticfiles.json").read_text())["paths"]
    # the hashed names differ (fa.<hash>.ttf, fa.<hash>.woff2): the pair is found by the logical names
    assert (site.root / (staticfiles["fonts/fa.ttf"] + ".br")).read_bytes() == brotli.compress(ttf, quality=5)
    assert (site.root / (staticfiles["solo/fa.ttf"] + ".br")).read_bytes() == brotli.compress(ttf, quality=11)


def test_a_cli_build_with_the_same_cache_warms_collectstatic_precompression(site: Site, tmp_path: Path):
    from assetopt.build import BuildOptions, build
    from assetopt.contrib.django.project import config_from_settings
    from assetopt.io.project import Project

    cli = build(Project(config_from_settings()), BuildOptions(out=tmp_path / "cli_out"))
    assert cli.precompress.compressed > 0
    built = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (tmp_path / "cli_out").rglob("*") if p.is_file()}
    storage = site.collect()
    served = _compressible_served(site.root)
    shared = {n for n, data in served.items() if hashlib.sha256(data).hexdigest() in built}
    new = {hashlib.sha256(data).hexdigest(): len(data) for n, data in served.items() if n not in shared}
    # The JS bundle, app.js and layout.css are byte-identical on both sides (same minifier, same
    # brotli quality, same cache key): only what Django's url() rewriting changed is compressed again.
    assert len(shared) >= 3, sorted(served)
    assert storage.last_precompress.compressed == len(new)
    assert storage.last_precompress.bytes_compressed == sum(new.values())


def test_rendered_tags_point_at_hashed_files_whose_bytes_match_the_integrity(site: Site):
    site.collect()
    rendered = site.render()
    tags = re.findall(r'<(?:link rel="stylesheet" href|script src)="/static/([^"]+)" integrity="([^"]+)"', rendered)
    assert len(tags) == 2, rendered
    for url, integrity in tags:
        assert url.startswith("assetopt/") and len(HASHED_RE.findall(url)) == 1
        assert integrity == sri((site.root / url).read_bytes()), url
    css_url = tags[0][0]
    served = (site.root / css_url).read_text()
    # Django rewrote the font reference to its hashed name, so the served bytes are not the build's:
    assert re.search(r"url\(\"?\.\./fonts/icons\.[0-9a-f]{12}\.woff2", served), served
    assert served != (site.root / css_url.replace(HASHED_RE.search(css_url).group(), ".")).read_text()
    assert 'nonce="n0"' in rendered and '<img src="/static/img/logo.' in rendered


def test_a_second_collectstatic_with_nothing_changed_rewrites_no_file(site: Site):
    site.collect()
    before = site.snapshot()
    storage = site.collect()
    assert site.snapshot() == before
    assert storage.last_build.cache_misses == 0 and storage.last_build.written == []
    assert storage.last_precompress.compressed == 0 and storage.last_precompress.written == 0


def test_a_changed_source_rebuilds_its_bundle_and_keeps_the_previous_hashed_copy(site: Site):
    site.collect()
    first = site.render()
    write(site.static, {"css/layout.css": ".layout { display: flex; }\n" + RULES})
    site.collect()
    second = site.render()
    old_css, new_css = (re.search(r'href="/static/(assetopt/[^"]+)"', html).group(1) for html in (first, second))
    assert old_css != new_css and (site.root / old_css).is_file() and (site.root / new_css).is_file()
    assert b"display:flex" in (site.root / new_css).read_bytes()
    assert re.search(r'src="/static/(assetopt/[^"]+)"', first).group(1) == re.search(r'src="/static/(assetopt/[^"]+)"', second).group(1)


@pytest.mark.parametrize("bundled", [pytest.param(True, id="bundled"), pytest.param(False, id="not_bundled")])
def test_a_broken_reference_fails_collectstatic_naming_the_css_file_and_the_reference(site: Site, bundled: bool):
    write(site.static, {"css/broken.css": ".a { color: red; }\n\n.b { background: url(missing.png); }\n"})
    if bundled:
        write(
            site.templates,
            {
                "page.html": PAGE.replace(
                    "'css/layout.css' %}\">", '\'css/layout.css\' %}">\n<link rel="stylesheet" href="{% static \'css/broken.css\' %}">'
                )
            },
        )
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as info:  # manage.py prints a CommandError as one paragraph, no traceback
        site.collect()
    message = str(info.value)
    assert message.startswith("css/broken.css:3: url(missing.png) points to css/missing.png"), message
    assert "fix the reference or add the file" in message
    assert not (site.root / "assetopt-manifest.json").exists()  # nothing half-published


COMMENTED = (
    "/* Old header, kept for reference:\n"
    "   .header { background: url(../img/old-header-bg.jpg); }\n"
    '   @import url("gone.css"); */\n'
    '.a { content: "url(not-a-file.png)"; }\n'
    ".b { background: url(../img/logo.png); } /* url(missing-too.png) */\n"
)


@pytest.mark.parametrize(
    ("bundled", "minify"),
    [pytest.param(False, False, id="collected_as_is"), pytest.param(True, False, id="bundled"), pytest.param(False, True, id="minify_static")],
)
def test_a_url_inside_a_css_comment_or_string_to_a_missing_file_deploys(site: Site, bundled: bool, minify: bool):
    write(site.static, {"css/commented.css": COMMENTED})
    if bundled:
        write(
            site.templates,
            {
                "page.html": PAGE.replace(
                    "'css/layout.css' %}\">", '\'css/layout.css\' %}">\n<link rel="stylesheet" href="{% static \'css/commented.css\' %}">'
                )
            },
        )
    with settings(ASSETOPT={"BUNDLES": True, "STRICT": True, "MINIFY_STATIC": minify}):
        site.collect()
    staticfiles = json.loads((site.root / "staticfiles.json").read_text())["paths"]
    served = (site.root / staticfiles["css/commented.css"]).read_text()
    assert re.search(r"url\(\"?\.\./img/logo\.[0-9a-f]{12}\.png", served), served  # the live reference is still hashed
    if not minify:
        assert "url(../img/old-header-bg.jpg)" in served and "url(missing-too.png)" in served and '"url(not-a-file.png)"' in served
    assert (site.root / "assetopt-manifest.json").is_file()


def test_a_live_reference_next_to_a_commented_one_is_reported_on_its_own_line(site: Site):
    from django.core.management.base import CommandError

    write(site.static, {"css/broken.css": "/* .x { background: url(missing.png); } */\n.b { background: url(missing.png); }\n"})
    with pytest.raises(CommandError, match=r"^css/broken\.css:2: url\(missing\.png\) points to css/missing\.png"):
        site.collect()


def test_a_bundle_error_fails_collectstatic_naming_the_template(site: Site):
    write(site.templates, {"page.html": PAGE.replace("css/layout.css", "css/nope.css")})
    with pytest.raises(Exception) as info:
        site.collect()
    assert "page.html:2: css/nope.css is not in the static dirs" in str(info.value)


def test_rollback_setting_renders_the_original_markup(site: Site):
    site.collect()
    write(site.templates, {"plain.html": re.sub(r"\{% (?:end)?bundle[^%]*%\}", "", PAGE)})
    assert "bundle" not in (site.templates / "plain.html").read_text()
    with settings(ASSETOPT={"BUNDLES": False}):
        rendered = site.render()
        assert rendered == site.render("plain.html")
    assert "assetopt/" not in rendered and "integrity" not in rendered
    assert '<link rel="stylesheet" href="/static/css/base.' in rendered


def test_dry_run_builds_and_writes_nothing(site: Site):
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0, dry_run=True)
    assert not site.root.exists() or not any(site.root.rglob("*"))


# ------------------------------------------------------------------------------- the example site

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.skipif(not (REPO / "static_src" / "vendor").is_dir(), reason="run `python example/prepare.py` first")
def test_example_collectstatic_serves_its_rewritten_bundles_with_matching_integrity(tmp_path: Path):
    from example_site import deploy_example

    root, _, rendered = deploy_example(tmp_path, frozenset({"bundles"}))
    pages = rendered()
    assert {u: s for u, (s, _) in pages.items() if s != 200} == {}
    for url in ("/en/", "/ar/"):
        tags = re.findall(r'(?:href|src)="/static/(assetopt/[^"]+)" integrity="([^"]+)"', pages[url][1])
        assert len(tags) >= 3, url
        for name, integrity in tags:
            assert len(HASHED_RE.findall(name)) == 1 and integrity == sri((root / name).read_bytes()), name
    assert pages["/en/"][1].count('<link rel="stylesheet"') < 5


# ------------------------------------------------------------------- manage.py collectstatic, as deployed

MINIMAL_SETTINGS = """\
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "test"
INSTALLED_APPS = ["django.contrib.staticfiles", "assetopt.contrib.django"]
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "static_root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "assetopt.contrib.django.storage.AssetoptManifestStaticFilesStorage"},
}
"""


@pytest.mark.parametrize(
    ("css", "code", "words"),
    [
        pytest.param(
            "/* background: url(../img/old-header-bg.jpg); */\n.a { color: red; }\n", 0, "1 static file copied", id="commented_reference_deploys"
        ),
        pytest.param(
            ".a { color: red; }\n.b { background: url(../img/old-header-bg.jpg); }\n",
            1,
            "CommandError: css/site.css:2: url(../img/old-header-bg.jpg) points to img/old-header-bg.jpg",
            id="live_reference_is_one_paragraph",
        ),
    ],
)
def test_manage_py_collectstatic_on_a_missing_reference(tmp_path: Path, css: str, code: int, words: str):
    import os
    import subprocess
    import sys

    write(tmp_path, {"deploy_settings.py": MINIMAL_SETTINGS, "static/css/site.css": css})
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "deploy_settings", "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)])}
    result = subprocess.run(
        [sys.executable, "-m", "django", "collectstatic", "--noinput"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == code, result.stderr
    assert words in result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
