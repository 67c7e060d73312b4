"""django-compressor mode: ``collectstatic`` runs the offline compression, pages render from the offline
manifest, a block the manifest lacks fails the build naming template and line, and assetopt's
``COMPRESS_FILTERS`` join safely.

Real ``call_command("collectstatic")`` into a temp ``STATIC_ROOT``, real rendering with
``COMPRESS_OFFLINE = True`` (where a missing block raises ``OfflineGenerationError``), real files.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import django_settings
import pytest

REPO = Path(__file__).resolve().parent.parent
STORAGE = "assetopt.contrib.django.storage.AssetoptManifestStaticFilesStorage"
APPS = ["django.contrib.staticfiles", "compressor", "assetopt.contrib.django"]
FILTERS = {
    "css": ["assetopt.contrib.django.filters.CssRebaseFilter", "assetopt.contrib.django.filters.CssMinFilter"],
    "js": ["assetopt.contrib.django.filters.JSMinFilter"],
}
LOAD = "{% load static compress %}\n"
CSS_RUN = (
    "{% compress css %}\n"
    '<link rel="stylesheet" href="{% static \'css/a.css\' %}">\n'
    '<link rel="stylesheet" href="{% static \'css/deep/er/b.css\' %}">\n'
    "{% endcompress %}\n"
)
JS_RUN = "{% compress js %}\n<script src=\"{% static 'js/a.js' %}\"></script>\n<script src=\"{% static 'js/b.js' %}\"></script>\n{% endcompress %}\n"
BASE = (
    LOAD + "<html><head>\n" + CSS_RUN + "{% block head %}{% endblock %}</head>\n<body>{% block body %}{% endblock %}\n" + JS_RUN + "</body></html>\n"
)
PAGE = '{% extends "base.html" %}{% load static compress %}\n{% block body %}<p>page</p>{% endblock %}\n'
STATIC: dict[str, str | bytes] = {
    "css/a.css": '.a { background: url(../img/x.png); }\n.i { src: url("../fonts/f.eot?#iefix"); }\n.d { background: url(data:image/gif;base64,R0lGOD==); }\n',
    "css/deep/er/b.css": "@import url(c.css);\n.b { background: url('../../../img/y.png'); }\n.h { behavior: url(#default#VML); }\n",
    "css/deep/er/c.css": ".c { background: url(z.png); }\n",
    "css/deep/er/z.png": b"z-png",
    "img/x.png": b"x-png",
    "img/y.png": b"y-png",
    "fonts/f.eot": b"eot",
    "js/a.js": "var a = 1; // a trailing comment\n",
    "js/b.js": "(function () { window.b = 2; })();\n",
}
FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "compressor.finders.CompressorFinder",
]
HASHED_RE = re.compile(r"\.[0-9a-f]{12}\.")


@pytest.fixture(scope="module", autouse=True)
def compressor_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """compressor's AppConf writes its defaults into settings once, when ``compressor.conf`` is first
    imported, and computes ``COMPRESS_ROOT`` then: give it a root and import it outside any
    ``override_settings`` so the defaults outlive each test's overrides."""
    django_settings.configure()
    from django.conf import settings

    if not hasattr(settings, "COMPRESS_ROOT"):
        settings.COMPRESS_ROOT = str(tmp_path_factory.mktemp("compress-root"))
    import compressor.conf  # noqa: F401


def settings(**kwargs: object):
    from django.test.utils import override_settings

    return override_settings(**kwargs)


def reset_compressor() -> None:
    """compressor caches its storages and the offline manifest per process; each test has its own root."""
    from compressor import storage
    from compressor.cache import flush_offline_manifest
    from django.utils.functional import empty

    for lazy in (storage.default_storage, storage.default_offline_manifest_storage, storage.compressor_file_storage):
        lazy._wrapped = empty
    flush_offline_manifest()


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


@dataclass
class Site:
    templates: Path
    static: Path
    root: Path

    def collect(self) -> None:
        from django.core.management import call_command

        reset_compressor()
        call_command("collectstatic", interactive=False, verbosity=0)
        reset_compressor()

    def render(self, name: str = "page.html", context: dict[str, object] | None = None) -> str:
        from django.template import engines

        return engines["django"].get_template(name).render(context or {})

    def urls(self, html: str) -> list[str]:
        return re.findall(r'(?:href|src)="/static/([^"]+)"', html)

    def snapshot(self) -> dict[str, tuple[int, bytes]]:
        return {
            p.relative_to(self.root).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(self.root.rglob("*"))
            if p.is_file() and ".assetopt-cache" not in p.parts
        }


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    s = Site(tmp_path / "templates", tmp_path / "static", tmp_path / "static_root")
    write(s.templates, {"base.html": BASE, "page.html": PAGE})
    write(s.static, STATIC)
    templates = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [str(s.templates)], "APP_DIRS": True}]
    with settings(
        INSTALLED_APPS=APPS,
        TEMPLATES=templates,
        STATICFILES_DIRS=[str(s.static)],
        STATICFILES_FINDERS=FINDERS,
        STATIC_ROOT=str(s.root),
        COMPRESS_ROOT=str(s.root),
        COMPRESS_URL="/static/",
        COMPRESS_ENABLED=True,
        COMPRESS_OFFLINE=True,
        COMPRESS_FILTERS=FILTERS,
        COMPRESS_STORAGE="assetopt.contrib.django.compressor_storage.UnchangedFileStorage",
        STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": {"BACKEND": STORAGE}},
        DEBUG=False,
        ASSETOPT={"EMIT": "compressor"},
    ):
        reset_compressor()
        yield s
    reset_compressor()


def resolve(output: str, url: str) -> str:
    """The static path a relative url() in the file ``output`` names."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(output), url.split("?")[0].split("#")[0]))


# ------------------------------------------------------------------------------ end to end


def test_collectstatic_compresses_offline_and_pages_render_from_the_manifest(site: Site):
    site.collect()
    assert (site.root / "CACHE" / "manifest.json").is_file()
    rendered = site.render()  # COMPRESS_OFFLINE: a block missing from the manifest would raise here
    urls = site.urls(rendered)
    assert len(urls) == 2 and all(u.startswith("CACHE/") for u in urls), rendered
    css, js = urls
    assert css.startswith("CACHE/css/") and css.endswith(".css") and js.startswith("CACHE/js/") and js.endswith(".js")
    for url in urls:
        assert (site.root / url).is_file(), url
        assert (site.root / (url + ".gz")).is_file() or (site.root / url).stat().st_size < 200  # precompressed after compressing
        assert len(HASHED_RE.findall(url)) == 1  # compressor's content hash only: Django never hashed it again
    text = (site.root / css).read_text()
    refs = re.findall(r"url\(['\"]?([^'\")]+)['\"]?\)", text)
    # rebased from css/, css/deep/er/ (and the @import-ed c.css) to CACHE/css/, through Django's hashed names
    targets = [resolve(css, r) for r in refs if not r.startswith(("data:", "#"))]
    assert [HASHED_RE.sub(".", t) for t in targets] == ["img/x.png", "fonts/f.eot", "css/deep/er/z.png", "img/y.png"], refs
    assert all((site.root / t).is_file() for t in targets), targets
    assert "?#iefix" in text and "url(data:image/gif;base64,R0lGOD==)" in text and "url(#default#VML)" in text
    assert "@import" not in text  # the local import was inlined
    assert (site.root / js).read_text() == "var a=1;\n;\n(function(){window.b=2;})();\n;"


def test_compressor_reads_the_hashed_copies_django_wrote(site: Site):
    site.collect()
    manifest = json.loads((site.root / "CACHE" / "manifest.json").read_text())
    staticfiles = json.loads((site.root / "staticfiles.json").read_text())["paths"]
    css = next(u for u in site.urls(site.render()) if u.endswith(".css"))
    assert staticfiles["img/x.png"] in (site.root / css).read_text().replace("../../", "")
    assert len(manifest) == 2  # base.html's two blocks; page.html extends it and adds none


def test_a_second_collectstatic_with_nothing_changed_rewrites_no_file(site: Site):
    site.collect()
    before = site.snapshot()
    site.collect()
    assert site.snapshot() == before


# ------------------------------------------------------------------ blocks missing from the manifest


def test_a_block_compress_does_not_see_fails_collectstatic_naming_template_and_line(site: Site):
    from compressor.exceptions import OfflineGenerationError

    write(
        site.templates,
        {"mail.txt": LOAD + '<p>mail</p>\n{% compress css %}<link rel="stylesheet" href="{% static \'css/deep/er/c.css\' %}">{% endcompress %}\n'},
    )
    with pytest.raises(Exception) as info:
        site.collect()
    message = str(info.value)
    assert message.startswith(f"{site.templates / 'mail.txt'}:3: {{% compress css %}} is not in the offline manifest"), message
    assert "*.html" in message
    with pytest.raises(OfflineGenerationError):  # what production would do with this block
        site.render("mail.txt")
    assert site.render() and not (site.root / "assetopt-manifest.json").exists()


def test_a_template_compress_skips_as_broken_is_named(site: Site):
    write(site.templates, {"broken.html": LOAD + "{% compress js %}<script src=\"{% static 'js/a.js' %}\"></script>{% endcompress %}\n{% if %}\n"})
    with pytest.raises(Exception) as info:
        site.collect()
    assert str(info.value).startswith(
        f"{site.templates / 'broken.html'}:2: {{% compress js %}} is not in the offline manifest: the template does not compile"
    ), str(info.value)


def test_a_block_reading_a_request_variable_is_a_warning_that_rendering_confirms(site: Site, caplog: pytest.LogCaptureFixture):
    from compressor.exceptions import OfflineGenerationError

    write(
        site.templates,
        {"nonce.html": LOAD + '\n{% compress js %}<script src="{% static \'js/a.js\' %}" nonce="{{ nonce }}"></script>{% endcompress %}\n'},
    )
    with caplog.at_level("WARNING", logger="assetopt"):
        site.collect()
    assert f"{site.templates / 'nonce.html'}:3: {{% compress js %}} reads nonce, which COMPRESS_OFFLINE_CONTEXT lacks" in caplog.text
    site.render("nonce.html")  # as compressed offline: found
    with pytest.raises(OfflineGenerationError):
        site.render("nonce.html", {"nonce": "r4nd0m"})  # a request with a nonce: the warned-about miss


def test_a_child_overriding_a_block_inside_compress_is_compressed_too(site: Site):
    write(site.templates, {
        "base.html": BASE.replace(CSS_RUN, CSS_RUN.replace("{% endcompress %}", "{% block extra_css %}{% endblock %}{% endcompress %}")),
        "child.html": '{% extends "base.html" %}{% load static %}{% block extra_css %}<link rel="stylesheet" href="{% static \'css/deep/er/c.css\' %}">{% endblock %}',
    })  # fmt: skip
    site.collect()
    child, page = site.render("child.html"), site.render()
    assert site.urls(child)[0] != site.urls(page)[0] and (site.root / site.urls(child)[0]).is_file()


# ------------------------------------------------------------------------------ system checks


def test_e005_names_a_block_missing_from_the_manifest_and_is_silent_when_all_are_there(site: Site):
    from assetopt.contrib.django.checks import check_compress_manifest

    reset_compressor()
    (message,) = check_compress_manifest()
    assert message.id == "assetopt.E005" and "no readable offline manifest" in message.msg
    site.collect()
    assert check_compress_manifest() == []
    write(
        site.templates, {"late.html": LOAD + '{% compress css %}<link rel="stylesheet" href="{% static \'css/deep/er/c.css\' %}">{% endcompress %}\n'}
    )
    reset_compressor()
    (message,) = check_compress_manifest()
    assert message.id == "assetopt.E005" and message.msg.startswith(
        f"{site.templates / 'late.html'}:2: {{% compress css %}} is not in the offline manifest"
    )


def test_e005_a_damaged_offline_manifest_is_reported_not_a_crash(site: Site):
    from assetopt.contrib.django import compress
    from assetopt.contrib.django.checks import check_compress_manifest

    site.collect()
    storage, name = compress.manifest_location()
    Path(storage.path(name)).write_text('{"truncated": ')  # an interrupted copy
    reset_compressor()
    (message,) = check_compress_manifest()
    assert message.id == "assetopt.E005" and "no readable offline manifest" in message.msg


def test_w003_a_block_that_reads_a_variable_the_offline_context_lacks(site: Site):
    from django.core.checks import run_checks

    write(
        site.templates,
        {
            "u.html": LOAD
            + '{% compress css %}{% if user.is_staff %}<link rel="stylesheet" href="{% static \'css/a.css\' %}">{% endif %}{% endcompress %}\n'
        },
    )
    site.collect()
    reset_compressor()
    messages = run_checks(tags=["assetopt"], include_deployment_checks=True)
    assert [(m.id, m.msg.split(": ", 1)[0]) for m in messages if m.id.startswith(("assetopt.E005", "assetopt.W003"))] == [
        ("assetopt.W003", f"{site.templates / 'u.html'}:2")
    ]
    assert "reads user" in next(m.msg for m in messages if m.id == "assetopt.W003")


@pytest.mark.parametrize(
    "overrides, fires",
    [
        pytest.param({"COMPRESS_OFFLINE": False}, True, id="online"),
        pytest.param({}, False, id="offline"),
    ],
)
def test_e003_compressor_mode_without_offline_still_fires(site: Site, overrides: dict[str, object], fires: bool):
    from django.core.checks import run_checks

    with settings(**overrides):
        messages = run_checks(tags=["assetopt"])
    assert [m.id for m in messages] == (["assetopt.E003"] if fires else [])


def test_offline_compress_false_leaves_compression_to_the_user(site: Site):
    with settings(ASSETOPT={"EMIT": "compressor", "OFFLINE_COMPRESS": False}):
        site.collect()
    assert not (site.root / "CACHE").exists() and (site.root / "staticfiles.json").is_file()


def test_a_compress_root_other_than_static_root_is_refused_with_the_fix(site: Site, tmp_path: Path):
    with settings(COMPRESS_ROOT=str(tmp_path / "elsewhere")):
        with pytest.raises(Exception) as info:
            site.collect()
    assert "COMPRESS_ROOT is" in str(info.value) and "remove COMPRESS_ROOT" in str(info.value)


# ------------------------------------------------------------------------------ the filters


def test_css_rebase_filter_rebases_from_each_files_folder_to_the_output_folder(site: Site):
    from assetopt.contrib.django.filters import CssRebaseFilter

    text = "/* url(keep.png) */\n.a { background: url('../img/x.png'); }\n.b { background: url(/abs.png) url(https://cdn/x.png) url(data:,x) url(#m); }\n"
    out = CssRebaseFilter(text).input(filename=str(site.static / "css/deep/er/b.css"), basename="css/deep/er/b.css", kind="file")
    # css/deep/er/../img/x.png = css/deep/img/x.png; seen from CACHE/css/: ../../css/deep/img/x.png
    assert (
        out
        == "/* url(keep.png) */\n.a { background: url('../../css/deep/img/x.png'); }\n.b { background: url(/abs.png) url(https://cdn/x.png) url(data:,x) url(#m); }\n"
    )
    assert CssRebaseFilter(".x{background:url(a.png)}").input(basename=None, kind="inline") == ".x{background:url(a.png)}"


def test_css_rebase_filter_fails_naming_a_missing_import(site: Site):
    from compressor.exceptions import FilterError

    from assetopt.contrib.django.filters import CssRebaseFilter

    with pytest.raises(FilterError, match=r"css/a\.css:1: @import of missing file css/nope\.css"):
        CssRebaseFilter("@import 'nope.css';\n").input(filename=str(site.static / "css/a.css"), basename="css/a.css", kind="file")


def test_js_filter_keeps_a_trailing_comment_from_swallowing_compressors_semicolon():
    from assetopt.contrib.django.filters import JSMinFilter

    out = JSMinFilter("var a = f() // no semicolon, ends in a comment").input(basename="js/a.js", kind="file")
    assert out == "var a=f()\n"  # compressor appends ";" then joins with "\n": "var a=f()\n;\n(next file)"


# ------------------------------------------------------------------------------ the example site


@pytest.mark.slow
@pytest.mark.skipif(not (REPO / "static_src" / "vendor").is_dir(), reason="run `python example/prepare.py` first")
def test_example_rewritten_for_compressor_deploys_with_collectstatic_alone(tmp_path: Path):
    from example_site import deploy_example

    root, run, rendered = deploy_example(tmp_path, frozenset({"bundles"}), emit="compressor", settings_module="example_compressor_settings")
    rewritten = (tmp_path / "templates" / "base.html").read_text()
    assert "{% compress css %}" in rewritten and "{% bundle" not in rewritten
    manifest = json.loads((root / "CACHE" / "manifest.json").read_text())
    assert len(manifest) >= 3
    pages = rendered()  # COMPRESS_OFFLINE: a missing block would be a 500
    assert {u: s for u, (s, _) in pages.items() if s != 200} == {}
    for url in ("/en/", "/ar/", "/en/sales/orders/new/"):
        html = pages[url][1]
        compressed = re.findall(r'(?:href|src)="/static/(CACHE/[^"]+)"', html)
        assert len(compressed) >= 2, url
        assert all((root / name).is_file() for name in compressed), compressed
    assert pages["/en/"][1].count('<link rel="stylesheet"') < 5
    first_css = {url: re.search(r'href="/static/(CACHE/css/[^"]+)"', pages[url][1]).group(1) for url in ("/en/", "/ar/")}
    assert first_css["/en/"] != first_css["/ar/"]  # the RTL branch of {% if LANGUAGE_BIDI %} has its own file


def test_collectstatic_under_debug_warns_and_production_would_indeed_miss(site: Site, caplog: pytest.LogCaptureFixture):
    from compressor.exceptions import OfflineGenerationError

    with settings(DEBUG=True), caplog.at_level("WARNING", logger="assetopt"):
        site.collect()  # {% static %} gives unhashed URLs under DEBUG
    assert "collectstatic runs with DEBUG on" in caplog.text
    with pytest.raises(OfflineGenerationError):
        site.render()  # DEBUG off, as in production: hashed URLs, other keys
