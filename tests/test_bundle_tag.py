"""The ``{% bundle %}`` tag rendered by Django's real template engine, against real ``assetopt build`` output.

Django is configured once for this module (``tests/django_settings.py``); each test layers its
template dir, ``STATIC_ROOT`` and ``ASSETOPT`` on top with ``override_settings``. Expected HTML is
written out by hand; URLs are ``STATIC_URL`` + the built file's name, and ``integrity`` is the
SHA-384 of the built file's bytes, computed here.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import django_settings
import pytest
import rcssmin

from assetopt.build import BuildOptions, BuildResult, build
from assetopt.build.manifest import MANIFEST_NAME
from assetopt.config import load_config
from assetopt.io.project import Project

LOAD = "{% load static assetopt %}\n"


@pytest.fixture(scope="module", autouse=True)
def django_configured() -> None:
    django_settings.configure()


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


@dataclass
class Site:
    root: Path
    templates: Path
    static: Path
    out: Path
    prefix: str  # unique per test: the tag warns once per template and line, per process

    def write(self, files: dict[str, str | bytes]) -> None:
        for name, content in files.items():
            base = self.templates if name.endswith(".html") else self.static
            path = base / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))

    def page(self, source: str, suffix: str = "") -> str:
        name = f"{self.prefix}{suffix}.html"
        self.write({name: source})
        return name

    def build(self) -> BuildResult:
        config = load_config(self.root, {"templates": (str(self.templates),), "static": (str(self.static),)}, cwd=self.root)
        return build(Project(config), BuildOptions(out=self.out))

    def render(self, name: str, context: dict[str, object] | None = None, request: object = None) -> str:
        from django.template import engines

        return engines["django"].get_template(name).render(context or {}, request)

    def built(self, result: BuildResult, sources: tuple[str, ...]) -> list[tuple[str, bytes]]:
        """(name, bytes) of each built file of the bundle of ``sources``, read from the output dir."""
        (entry,) = [b for b in result.manifest.bundles.values() if b.sources == sources]
        return [(f.name, (self.out / f.name).read_bytes()) for f in entry.files]


@pytest.fixture
def site(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Site]:
    from django.test.utils import override_settings

    s = Site(tmp_path, tmp_path / "templates", tmp_path / "static", tmp_path / "out", re.sub(r"\W+", "_", request.node.name))
    s.templates.mkdir()
    s.static.mkdir()
    templates = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [str(s.templates)],
            "OPTIONS": {"context_processors": ["django.template.context_processors.i18n"]},
        }
    ]
    with override_settings(TEMPLATES=templates, STATIC_ROOT=str(s.out), DEBUG=False, ASSETOPT={"BUNDLES": True}):
        yield s


def settings(**kwargs: object):
    from django.test.utils import override_settings

    return override_settings(**kwargs)


CSS_INNER = (
    '\n<link rel="stylesheet" href="{% static \'css/a.css\' %}" nonce="{{ csp_nonce }}" crossorigin="anonymous">'
    '\n<link rel="stylesheet" href="{% if LANGUAGE_BIDI %}{% static \'css/b.rtl.css\' %}{% else %}{% static \'css/b.css\' %}{% endif %}" nonce="{{ csp_nonce }}" crossorigin="anonymous">'
    "\n"
)
CSS_ORIGINAL_LTR = (
    '\n\n<link rel="stylesheet" href="/static/css/a.css" nonce="n0nce" crossorigin="anonymous">'
    '\n<link rel="stylesheet" href="/static/css/b.css" nonce="n0nce" crossorigin="anonymous">'
    "\n\n"
)
CSS_STATIC = {"css/a.css": "body { margin: 0; }\n", "css/b.css": ".x { margin-left: 1px; }\n", "css/b.rtl.css": ".x { margin-right: 1px; }\n"}


def css_page(site: Site) -> str:
    site.write(CSS_STATIC)
    return site.page(LOAD + '{% bundle "css" %}' + CSS_INNER + "{% endbundle %}\n")


# ------------------------------------------------------------------------------------ bundling off


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"ASSETOPT": {"BUNDLES": False}}, id="setting_off"),
        pytest.param({"ASSETOPT": {}, "DEBUG": True}, id="debug_default"),
        pytest.param({"ASSETOPT": {"BUNDLES": False, "STRICT": True}}, id="off_beats_strict"),
    ],
)
def test_bundling_off_renders_the_inner_tags_unchanged(site: Site, overrides: dict[str, object]):
    name = css_page(site)
    plain = site.page(LOAD + CSS_INNER + "\n", "-plain")  # the same markup without the tag
    site.build()  # even with a build present: off is the rollback
    with settings(**overrides):
        rendered = site.render(name, {"csp_nonce": "n0nce"})
        assert rendered == site.render(plain, {"csp_nonce": "n0nce"})
    assert rendered == CSS_ORIGINAL_LTR


@pytest.mark.parametrize(
    "assetopt, words",
    [
        pytest.param({"BUNDLE": False}, "'BUNDLE'", id="typo_of_the_rollback_switch"),
        pytest.param({"BUNDLES": "False"}, "ASSETOPT['BUNDLES'] must be True or False", id="bundles_a_string"),
        pytest.param({"BUNDLES": True, "STRICT": "no"}, "ASSETOPT['STRICT'] must be True or False", id="strict_a_string"),
        pytest.param({"BUNDLES": True, "MANIFEST": 5}, "ASSETOPT['MANIFEST'] must be a path string", id="manifest_a_number"),
        pytest.param(["BUNDLES"], "ASSETOPT must be a dict", id="not_a_dict"),
    ],
)
def test_an_invalid_setting_renders_the_inner_tags_and_warns_once_per_process(
    site: Site, assetopt: object, words: str, caplog: pytest.LogCaptureFixture
):
    """A bad ASSETOPT must never take the site down: a 500.html using {% bundle %} would fail too."""
    name = css_page(site)
    picture = site.page(LOAD + '{% picture %}<img src="{% static \'css/a.css\' %}" alt="">{% endpicture %}', "-picture")
    site.build()
    caplog.set_level(logging.WARNING, logger="assetopt")
    with settings(ASSETOPT=assetopt):
        rendered = [site.render(name, {"csp_nonce": "n0nce"}) for _ in range(3)]
        pictured = site.render(picture)
    assert rendered == [CSS_ORIGINAL_LTR] * 3
    assert pictured == '\n<img src="/static/css/a.css" alt="">'
    (record,) = [r for r in caplog.records if r.name == "assetopt"]
    assert words in record.getMessage() and "manage.py check" in record.getMessage()


# --------------------------------------------------------------------------------- on and built


def test_built_css_bundle_is_one_link_with_sri_and_carried_attributes(site: Site):
    name = css_page(site)
    result = site.build()
    ((built, data),) = site.built(result, ("css/a.css", "css/b.css"))
    assert data == rcssmin.cssmin(CSS_STATIC["css/a.css"] + "\n" + CSS_STATIC["css/b.css"]).encode()
    rendered = site.render(name, {"csp_nonce": "n0nce"})
    assert rendered == f'\n<link rel="stylesheet" href="/static/{built}" integrity="{sri(data)}" nonce="n0nce" crossorigin="anonymous">\n'


def test_built_css_bundle_keeps_a_media_other_than_all(site: Site):
    site.write({"css/p.css": ".p { color: black; }\n", "css/q.css": ".q { display: none; }\n"})
    name = site.page(
        LOAD + '{% bundle "css" %}\n'
        '<link rel="stylesheet" href="{% static \'css/p.css\' %}" media="print">\n'
        '<link rel="stylesheet" href="{% static \'css/q.css\' %}" media="print">\n'
        "{% endbundle %}"
    )
    ((built, data),) = site.built(site.build(), ("css/p.css", "css/q.css"))
    assert site.render(name) == f'\n<link rel="stylesheet" href="/static/{built}" integrity="{sri(data)}" media="print">'


def test_built_js_bundle_keeps_defer_and_a_nonce_from_the_context(site: Site):
    site.write({"js/a.js": "var a = 1;\n", "js/b.js": "var b = a + 1;\n"})
    name = site.page(
        LOAD + '{% bundle "js" %}\n'
        '<script src="{% static \'js/a.js\' %}" defer nonce="{{ request_nonce }}"></script>\n'
        '<script src="{% static \'js/b.js\' %}" defer nonce="{{ request_nonce }}"></script>\n'
        "{% endbundle %}"
    )
    ((built, data),) = site.built(site.build(), ("js/a.js", "js/b.js"))
    assert data == b"var a=1;\n;\nvar b=a+1;"
    assert site.render(name, {"request_nonce": "r4nd0m"}) == f'\n<script src="/static/{built}" integrity="{sri(data)}" defer nonce="r4nd0m"></script>'


def test_a_bundle_split_into_two_files_renders_one_tag_per_file_in_order(site: Site):
    # An external @import after a rule cannot be hoisted: the bundler starts a second file there.
    site.write({"css/a.css": ".a { color: red; }\n", "css/b.css": '@import url("https://fonts.example.com/f.css");\n.b { color: blue; }\n'})
    name = site.page(
        LOAD
        + '{% bundle "css" %}<link rel="stylesheet" href="{% static \'css/a.css\' %}"><link rel="stylesheet" href="{% static \'css/b.css\' %}">{% endbundle %}'
    )
    files = site.built(site.build(), ("css/a.css", "css/b.css"))
    assert [data for _, data in files] == [b".a{color:red}", b'@import url("https://fonts.example.com/f.css");.b{color:blue}']
    expected = "\n".join(f'<link rel="stylesheet" href="/static/{n}" integrity="{sri(d)}">' for n, d in files)
    assert site.render(name) == "\n" + expected


# ------------------------------------------------------------------------------------ RTL and LTR


@pytest.mark.parametrize("bidi, rule", [pytest.param(True, ".x{margin-right:1px}", id="rtl"), pytest.param(False, ".x{margin-left:1px}", id="ltr")])
def test_language_bidi_from_the_context_links_the_matching_variant(site: Site, bidi: bool, rule: str):
    name = css_page(site)
    result = site.build()
    assert len(result.manifest.bundles) == 2
    rendered = site.render(name, {"LANGUAGE_BIDI": bidi, "csp_nonce": "n"})
    (href,) = re.findall(r'href="/static/([^"]+)"', rendered)
    assert (site.out / href).read_text() == "body{margin:0}" + rule


@pytest.mark.parametrize("language, rule", [pytest.param("ar", ".x{margin-right:1px}", id="ar"), pytest.param("en", ".x{margin-left:1px}", id="en")])
def test_active_language_through_the_i18n_context_processor_links_the_matching_variant(site: Site, language: str, rule: str):
    from django.test import RequestFactory
    from django.utils import translation

    name = css_page(site)
    site.build()
    with translation.override(language):
        rendered = site.render(name, {"csp_nonce": "n"}, RequestFactory().get("/"))
    (href,) = re.findall(r'href="/static/([^"]+)"', rendered)
    assert (site.out / href).read_text() == "body{margin:0}" + rule


@pytest.mark.parametrize(
    "context, sources",
    [
        pytest.param({"admin": True}, ("css/admin.css", "css/site.css"), id="if"),
        pytest.param({"staff": True}, ("css/staff.css", "css/site.css"), id="elif"),
        pytest.param({}, ("css/site.css",), id="neither"),
    ],
)
def test_whole_tags_chosen_by_if_elif_link_the_variant_built_for_them(site: Site, context: dict[str, object], sources: tuple[str, ...]):
    site.write(
        {"css/admin.css": ".admin { color: red; }\n", "css/staff.css": ".staff { color: green; }\n", "css/site.css": ".site { color: blue; }\n"}
    )
    name = site.page(
        LOAD + '{% bundle "css" %}\n'
        '{% if admin %}<link rel="stylesheet" href="{% static \'css/admin.css\' %}">'
        '{% elif staff %}<link rel="stylesheet" href="{% static \'css/staff.css\' %}">{% endif %}\n'
        '<link rel="stylesheet" href="{% static \'css/site.css\' %}">\n'
        "{% endbundle %}"
    )
    result = site.build()
    assert len(result.manifest.bundles) == 3
    ((built, data),) = site.built(result, sources)
    with settings(ASSETOPT={"BUNDLES": True, "STRICT": True}):
        assert site.render(name, context) == f'\n<link rel="stylesheet" href="/static/{built}" integrity="{sri(data)}">'


def test_a_condition_with_a_failed_lookup_picks_the_branch_django_picks(site: Site):
    # Django's IfNode treats VariableDoesNotExist (here from a filter argument) as false.
    site.write(CSS_STATIC)
    inner = "<link rel=\"stylesheet\" href=\"{% if LANGUAGE_BIDI|default:missing %}{% static 'css/b.rtl.css' %}{% else %}{% static 'css/b.css' %}{% endif %}\">"
    name = site.page(LOAD + '{% bundle "css" %}' + inner + "{% endbundle %}")
    ((built, data),) = site.built(site.build(), ("css/b.css",))
    with settings(ASSETOPT={"BUNDLES": False}):
        assert site.render(name) == '\n<link rel="stylesheet" href="/static/css/b.css">'
    assert site.render(name) == f'\n<link rel="stylesheet" href="/static/{built}" integrity="{sri(data)}">'


BIDI_STATIC = {
    "css/bootstrap.css": ".x { margin-left: 1px; }\n",
    "css/bootstrap.rtl.css": ".x { margin-right: 1px; }\n",
    "css/app.css": ".app { float: left; }\n",
    "css/app.rtl.css": ".app { float: right; }\n",
    "css/rtl.css": "body { direction: rtl; }\n",
    "css/site.css": ".site { color: blue; }\n",
    "css/staff.css": ".staff { color: red; }\n",
}


def _bidi(first: str, second: str) -> str:
    return "{% if LANGUAGE_BIDI %}{% static '" + first + "' %}{% else %}{% static '" + second + "' %}{% endif %}"


@pytest.mark.parametrize(
    "inner, ltr, rtl",
    [
        pytest.param(
            f'<link rel="stylesheet" href="{_bidi("css/bootstrap.rtl.css", "css/bootstrap.css")}">\n'
            f'<link rel="stylesheet" href="{_bidi("css/app.rtl.css", "css/app.css")}">\n',
            ("css/bootstrap.css", "css/app.css"),
            ("css/bootstrap.rtl.css", "css/app.rtl.css"),
            id="two_paths_chosen_in_their_values",
        ),
        pytest.param(
            # Django admin's base.html: base.css, then {% if LANGUAGE_BIDI %}<link rtl.css>{% endif %}
            f'<link rel="stylesheet" href="{_bidi("css/bootstrap.rtl.css", "css/bootstrap.css")}">\n'
            '{% if  LANGUAGE_BIDI %}<link rel="stylesheet" href="{% static \'css/rtl.css\' %}">{% endif %}\n'
            '<link rel="stylesheet" href="{% static \'css/site.css\' %}">\n',
            ("css/bootstrap.css", "css/site.css"),
            ("css/bootstrap.rtl.css", "css/rtl.css", "css/site.css"),
            id="a_path_in_a_value_and_a_whole_tag",
        ),
    ],
)
def test_choices_made_by_the_same_condition_build_only_the_variants_a_render_can_link(site: Site, inner: str, ltr: tuple, rtl: tuple):
    """Two {% if LANGUAGE_BIDI %} in one block were four variants: the two a page renders and two no page
    ever links (Bootstrap's RTL file with the app's LTR one, and the reverse), each built, minified and
    compressed for nothing, and each named by `critical` as a variant no measured page links."""
    site.write(BIDI_STATIC)
    name = site.page(LOAD + '{% bundle "css" %}\n' + inner + "{% endbundle %}")
    result = site.build()
    assert sorted(b.sources for b in result.manifest.bundles.values()) == sorted([ltr, rtl])
    with settings(ASSETOPT={"BUNDLES": True, "STRICT": True}):  # a variant not built raises
        for bidi, sources in ((False, ltr), (True, rtl)):
            ((built, data),) = site.built(result, sources)
            assert site.render(name, {"LANGUAGE_BIDI": bidi}) == f'\n<link rel="stylesheet" href="/static/{built}" integrity="{sri(data)}">'


def test_choices_made_by_different_conditions_still_build_every_combination(site: Site):
    site.write(BIDI_STATIC)
    name = site.page(
        LOAD + '{% bundle "css" %}\n'
        f'<link rel="stylesheet" href="{_bidi("css/bootstrap.rtl.css", "css/bootstrap.css")}">\n'
        '{% if staff %}<link rel="stylesheet" href="{% static \'css/staff.css\' %}">{% endif %}\n'
        f'<link rel="stylesheet" href="{_bidi("css/app.rtl.css", "css/app.css")}">\n'
        "{% endbundle %}"
    )
    result = site.build()
    assert sorted(b.sources for b in result.manifest.bundles.values()) == [
        ("css/bootstrap.css", "css/app.css"),
        ("css/bootstrap.css", "css/staff.css", "css/app.css"),
        ("css/bootstrap.rtl.css", "css/app.rtl.css"),
        ("css/bootstrap.rtl.css", "css/staff.css", "css/app.rtl.css"),
    ]
    with settings(ASSETOPT={"BUNDLES": True, "STRICT": True}):
        ((built, data),) = site.built(result, ("css/bootstrap.rtl.css", "css/staff.css", "css/app.rtl.css"))
        assert (
            site.render(name, {"LANGUAGE_BIDI": True, "staff": True}) == f'\n<link rel="stylesheet" href="/static/{built}" integrity="{sri(data)}">'
        )


def test_nonces_and_csrf_tokens_never_change_the_bundle(site: Site):
    from django.test import RequestFactory

    site.write({"js/a.js": "var a = 1;\n"})
    name = site.page(
        LOAD + '{% bundle "js" %}<script src="{% static \'js/a.js\' %}" nonce="{{ csp_nonce }}" data-csrf="{{ csrf_token }}"></script>{% endbundle %}'
    )
    ((built, data),) = site.built(site.build(), ("js/a.js",))
    one = site.render(name, {"csp_nonce": "first"}, RequestFactory().get("/"))
    two = site.render(name, {"csp_nonce": "second"}, RequestFactory().get("/"))
    assert one == f'\n<script src="/static/{built}" integrity="{sri(data)}" nonce="first"></script>'
    with settings(ASSETOPT={"BUNDLES": False}):  # the token really differs from request to request
        tokens = {re.search(r'data-csrf="([^"]+)"', site.render(name, {}, RequestFactory().get("/"))).group(1) for _ in range(2)}
    assert len(tokens) == 2
    assert two == f'\n<script src="/static/{built}" integrity="{sri(data)}" nonce="second"></script>'


def test_static_url_variable_inside_a_block_compiles_and_is_bundled(site: Site):
    site.write({"css/a.css": ".a { color: red; }\n", "css/b.css": ".b { color: blue; }\n"})
    name = site.page(
        LOAD + '{% bundle "css" %}\n'
        '<link rel="stylesheet" href="{{ STATIC_URL }}css/a.css">\n'
        '<link rel="stylesheet" href="{% static \'css/b.css\' %}">\n'
        "{% endbundle %}"
    )
    ((built, data),) = site.built(site.build(), ("css/a.css", "css/b.css"))
    assert data == b".a{color:red}.b{color:blue}"
    with settings(ASSETOPT={"BUNDLES": True, "STRICT": True}):
        assert site.render(name, {"STATIC_URL": "/static/"}) == f'\n<link rel="stylesheet" href="/static/{built}" integrity="{sri(data)}">'


def _bundles_a_then_b(site: Site, a_link: str) -> None:
    """A hand-written block of ``a_link`` (css/a.css, however written) then css/b.css: the build joins
    both, and the tag, strict, renders that bundle (it computed the build's key, not a fallback)."""
    site.write({"css/a.css": ".a { color: red; }\n", "css/b.css": ".b { color: blue; }\n"})
    name = site.page(LOAD + '{% bundle "css" %}\n' + a_link + '\n<link rel="stylesheet" href="{% static \'css/b.css\' %}">\n{% endbundle %}')
    ((built, data),) = site.built(site.build(), ("css/a.css", "css/b.css"))
    assert data == b".a{color:red}.b{color:blue}"
    with settings(ASSETOPT={"BUNDLES": True, "STRICT": True}):
        assert site.render(name) == f'\n<link rel="stylesheet" href="/static/{built}" integrity="{sri(data)}">'


def test_a_literal_static_url_inside_a_block_is_read_like_the_build_reads_it(site: Site):
    _bundles_a_then_b(site, '<link rel="stylesheet" href="/static/css/a.css">')


# ----------------------------------------------------------------------------------- not built


def test_not_built_renders_the_original_tags_and_warns_once(site: Site, caplog: pytest.LogCaptureFixture):
    name = css_page(site)
    caplog.set_level(logging.WARNING, logger="assetopt")
    first = site.render(name, {"csp_nonce": "n0nce"})
    second = site.render(name, {"csp_nonce": "n0nce"})
    assert first == second == CSS_ORIGINAL_LTR
    (record,) = [r for r in caplog.records if r.name == "assetopt"]
    assert record.levelno == logging.WARNING
    assert f"{name}:2: " in record.getMessage() and "`assetopt build`" in record.getMessage()


def test_strict_not_built_raises_naming_template_line_and_command(site: Site):
    from django.template import TemplateSyntaxError

    name = css_page(site)
    with settings(ASSETOPT={"BUNDLES": True, "STRICT": True}):
        with pytest.raises(TemplateSyntaxError) as info:
            site.render(name, {"csp_nonce": "n0nce"})
    message = str(info.value)
    assert message.startswith(f"{name}:2: ") and "`assetopt build`" in message


VALID_ENTRY = '"kind": "css", "semantics": "all", "sources": ["css/a.css", "css/b.css"], "templates": []'


@pytest.mark.parametrize(
    "manifest",
    [
        pytest.param("{not json", id="malformed_json"),
        pytest.param("", id="empty_file"),
        pytest.param("[" * 100_000, id="nested_too_deep"),
        pytest.param('{"schema": "something.else", "version": 1, "bundles": {}}', id="wrong_schema"),
        pytest.param('{"schema": "assetopt.manifest", "version": 99, "bundles": {}}', id="wrong_version"),
        pytest.param('{"schema": "assetopt.manifest", "version": 1, "bundles": []}', id="bundles_not_a_mapping"),
        pytest.param('{"schema": "assetopt.manifest", "version": 1, "bundles": {"KEY": {"kind": "css"}}}', id="entry_missing_fields"),
        pytest.param(
            '{"schema": "assetopt.manifest", "version": 1, "bundles": {"KEY": {' + VALID_ENTRY + ', "files": [{"name": "x.css"}]}}}',
            id="file_missing_fields",
        ),
        pytest.param(
            '{"schema": "assetopt.manifest", "version": 1, "bundles": {"KEY": {'
            + VALID_ENTRY
            + ', "files": [{"name": "x.css", "integrity": "sha256-abc", "sources": [], "size": 3}]}}}',
            id="bad_integrity_prefix",
        ),
        pytest.param(
            '{"schema": "assetopt.manifest", "version": 1, "bundles": {"KEY": {'
            + VALID_ENTRY
            + ', "files": [{"name": "x.css", "integrity": "sha384-abc", "sources": [], "size": Infinity}]}}}',
            id="infinite_size",
        ),
        pytest.param('{"schema": "assetopt.manifest", "version": 1, "bundles": {"KEY": {' + VALID_ENTRY + ', "files": []}}}', id="no_files"),
        pytest.param('{"schema": "assetopt.manifest", "version": 1, "static_url": "/static/", "bundles": {}}', id="entry_missing"),
    ],
)
def test_a_tampered_or_incomplete_manifest_renders_the_original_tags(site: Site, manifest: str, caplog: pytest.LogCaptureFixture):
    name = css_page(site)
    site.build()
    (site.out / MANIFEST_NAME).write_text(manifest)
    caplog.set_level(logging.WARNING, logger="assetopt")
    assert site.render(name, {"csp_nonce": "n0nce"}) == CSS_ORIGINAL_LTR
    assert site.render(name, {"csp_nonce": "n0nce"}) == CSS_ORIGINAL_LTR
    messages = [r.getMessage() for r in caplog.records if r.name == "assetopt"]
    assert any(f"{name}:2: " in m for m in messages)


def test_a_manifest_entry_of_the_wrong_kind_renders_the_original_tags(site: Site):
    name = css_page(site)
    result = site.build()
    text = (site.out / MANIFEST_NAME).read_text()
    (site.out / MANIFEST_NAME).write_text(text.replace('"kind": "css"', '"kind": "js"'))
    assert len(result.manifest.bundles) == 2 and '"kind": "js"' in (site.out / MANIFEST_NAME).read_text()
    assert site.render(name, {"csp_nonce": "n0nce"}) == CSS_ORIGINAL_LTR


def test_a_rebuilt_manifest_is_read_again_even_with_the_same_mtime(site: Site):
    site.write({"css/a.css": ".a { color: red; }\n"})
    name = site.page(LOAD + '{% bundle "css" %}<link rel="stylesheet" href="{% static \'css/a.css\' %}">{% endbundle %}')
    site.build()
    manifest = site.out / MANIFEST_NAME
    mtime = manifest.stat().st_mtime_ns
    first = site.render(name)
    site.write({"css/a.css": ".a { color: blue; }\n"})
    ((built, data),) = site.built(site.build(), ("css/a.css",))
    os.utime(manifest, ns=(mtime, mtime))  # coarse clocks, or a copy that preserves mtimes
    assert data == b".a{color:blue}"
    assert site.render(name) == f'\n<link rel="stylesheet" href="/static/{built}" integrity="{sri(data)}">' != first


def test_a_bundle_missing_from_a_hashed_static_storage_falls_back_instead_of_failing(site: Site, caplog: pytest.LogCaptureFixture):
    # ManifestStaticFilesStorage raises for a name its staticfiles.json lacks: that must not become a 500.
    site.write({"css/a.css": ".a { color: red; }\n"})
    name = site.page(LOAD + '{% bundle "css" %}<link rel="stylesheet" href="{% static \'css/a.css\' %}">{% endbundle %}')
    site.build()
    (site.out / "staticfiles.json").write_text('{"paths": {"css/a.css": "css/a.0123456789ab.css"}, "version": "1.1", "hash": "x"}')
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    caplog.set_level(logging.WARNING, logger="assetopt")
    with settings(STORAGES=storages):
        assert site.render(name) == '\n<link rel="stylesheet" href="/static/css/a.0123456789ab.css">'
    (message,) = [r.getMessage() for r in caplog.records if r.name == "assetopt"]
    assert f"{name}:2: " in message and "assetopt/" in message


# ------------------------------------------------------------------------- refused when compiled


@pytest.mark.parametrize(
    "source, lineno, words",
    [
        pytest.param(
            LOAD + '{% bundle "css" %}\n{% for p in paths %}\n<link rel="stylesheet" href="{% static p %}">\n{% endfor %}\n{% endbundle %}\n',
            3,
            "{% for %}",
            id="for_loop",
        ),
        pytest.param(
            LOAD + '{% bundle "css" %}\n\n<link rel="stylesheet" href="{% static path_var %}">\n{% endbundle %}\n',
            4,
            "computed path",
            id="static_variable",
        ),
        pytest.param(
            LOAD + '{% bundle "css" %}\n<link rel="stylesheet" href="{{ x }}">\n{% endbundle %}\n', 3, "computed at run time", id="variable_href"
        ),
        pytest.param(
            LOAD + '{% bundle "js" %}\n{% if a %}\n\n<script src="{% static \'a.js\' %}{{ v }}"></script>{% endif %}\n{% endbundle %}\n',
            5,
            "computed at run time",
            id="variable_src_inside_if",
        ),
        pytest.param(
            LOAD + '\n{% bundle "png" %}\n<link rel="stylesheet" href="{% static \'a.css\' %}">\n{% endbundle %}\n',
            3,
            'expected {% bundle "css" %}',
            id="bad_kind",
        ),
    ],
)
def test_what_the_build_refuses_is_a_template_syntax_error_naming_the_line(site: Site, source: str, lineno: int, words: str):
    from django.template import TemplateSyntaxError

    name = site.page(source)
    with pytest.raises(TemplateSyntaxError) as info:
        site.render(name, {"paths": ["a.css"], "path_var": "a.css", "x": "/static/a.css"})
    message = str(info.value)
    assert message.startswith(f"{name}:{lineno}: ") and words in message


def test_a_carried_nonce_is_escaped_once_not_twice(site: Site):
    # The inner tag's rendered value is HTML text already ("a&amp;b"); printing it must not give "a&amp;amp;b".
    site.write({"js/a.js": "var a = 1;\n", "js/b.js": "var b = 2;\n"})
    name = site.page(
        LOAD + '{% bundle "js" %}'
        '<script src="{% static \'js/a.js\' %}" nonce="{{ n }}"></script><script src="{% static \'js/b.js\' %}" nonce="{{ n }}"></script>'
        "{% endbundle %}"
    )
    ((built, data),) = site.built(site.build(), ("js/a.js", "js/b.js"))
    assert site.render(name, {"n": "a&b"}) == f'\n<script src="/static/{built}" integrity="{sri(data)}" nonce="a&amp;b"></script>'


def test_a_bundle_on_another_origin_gets_crossorigin_so_sri_does_not_block_it(site: Site):
    site.write({"js/a.js": "var a = 1;\n", "js/b.js": "var b = 2;\n"})
    name = site.page(
        LOAD + '{% bundle "js" %}<script src="{% static \'js/a.js\' %}"></script><script src="{% static \'js/b.js\' %}"></script>{% endbundle %}'
    )
    ((built, data),) = site.built(site.build(), ("js/a.js", "js/b.js"))
    with settings(STATIC_URL="https://cdn.example.com/static/"):
        assert (
            site.render(name) == f'\n<script src="https://cdn.example.com/static/{built}" integrity="{sri(data)}" crossorigin="anonymous"></script>'
        )


def test_value_tags_inside_an_attribute_of_a_bundled_tag_compile(site: Site):
    # A {% bundle %} block written by hand may hold <link ... title="{% url 'x' %}"> (the build accepts it; the rewrite
    # leaves such a tag out, test_bundle_dropped_attrs.py): the tag must compile it too.
    site.write({"css/a.css": "a{}", "css/b.css": "b{}"})
    name = site.page(
        LOAD + '{% bundle "css" %}'
        '<link rel="stylesheet" href="{% static \'css/a.css\' %}" title="{% firstof \'x\' %}">'
        '<link rel="stylesheet" href="{% static \'css/b.css\' %}">{% endbundle %}'
    )
    ((built, data),) = site.built(site.build(), ("css/a.css", "css/b.css"))
    assert site.render(name) == f'\n<link rel="stylesheet" href="/static/{built}" integrity="{sri(data)}">'


def test_include_inside_a_bundle_is_refused_at_compile_time(site: Site):
    from django.template import TemplateSyntaxError

    site.write({"css/a.css": "a{}"})
    with pytest.raises(TemplateSyntaxError, match=r":3: \{% include %\} is not allowed inside \{% bundle %\}"):
        site.render(site.page(LOAD + '{% bundle "css" %}\n{% include "x.html" %}{% endbundle %}'))


@pytest.mark.parametrize("path", [" css/a.css ", " css/a.css", "css/a.css "], ids=["both", "leading", "trailing"])
def test_spaces_around_a_static_path_in_a_block_give_the_key_the_build_built(site: Site, path: str):
    """A hand-written block with {% static ' css/a.css ' %}: the build keys it on css/a.css (a manifest
    storage strips the spaces before its look-up, as the audit reads it); the tag must compute the same
    key, else it falls back to the original tags with a warning (strict: raises) on every page."""
    _bundles_a_then_b(site, f'<link rel="stylesheet" href="{{% static \'{path}\' %}}">')


def test_the_tag_library_registers_the_bundle_and_picture_tags_from_their_own_modules():
    """``{% load assetopt %}`` is a registry only: each tag lives in its own module (the library passed
    the house limit of 400 lines), and the names imported from the library still work."""
    from django.template import engines

    from assetopt.contrib.django import bundle_tag, picture_tag
    from assetopt.contrib.django.templatetags import assetopt as library

    assert library.register.tags == {"bundle": bundle_tag.do_bundle, "picture": picture_tag.do_picture}
    assert (library.BundleNode, library.BundleNotBuilt, library.PictureNode) == (
        bundle_tag.BundleNode,
        bundle_tag.BundleNotBuilt,
        picture_tag.PictureNode,
    )
    engine = engines["django"].engine
    assert engine.template_libraries["assetopt"] is library.register


# --------------------------------------------------------------------------- settings per render


def test_repeated_renders_do_not_resolve_the_static_location_again(site: Site, monkeypatch: pytest.MonkeyPatch):
    """The tags' settings (the manifest path: the staticfiles storage's location, resolve()d, lstat
    calls) are worked out once per settings change, not on every production render. The counter
    wraps pathlib's own resolve and returns its answer, so the renders are the real ones."""
    site.write({"css/a.css": ".a { color: red; }\n"})
    name = site.page(LOAD + '{% bundle "css" %}<link rel="stylesheet" href="{% static \'css/a.css\' %}">{% endbundle %}')
    ((built, data),) = site.built(site.build(), ("css/a.css",))
    expected = f'\n<link rel="stylesheet" href="/static/{built}" integrity="{sri(data)}">'
    assert site.render(name) == expected
    calls: list[Path] = []
    resolve = Path.resolve

    def counted(self: Path, strict: bool = False) -> Path:
        calls.append(self)
        return resolve(self, strict)

    monkeypatch.setattr(Path, "resolve", counted)
    assert [site.render(name) for _ in range(20)] == [expected] * 20
    assert calls == []


def test_a_changed_static_root_is_seen_by_the_next_render(site: Site):
    """The memo of the tags' settings is dropped by setting_changed (override_settings, both ways): the
    render under another STATIC_ROOT reads that folder's manifest, and the one after it the first again."""
    site.write({"css/a.css": ".a { color: red; }\n"})
    name = site.page(LOAD + '{% bundle "css" %}<link rel="stylesheet" href="{% static \'css/a.css\' %}">{% endbundle %}')
    ((first, first_data),) = site.built(site.build(), ("css/a.css",))
    assert site.render(name) == f'\n<link rel="stylesheet" href="/static/{first}" integrity="{sri(first_data)}">'
    other = Site(site.root, site.templates, site.static, site.root / "other", site.prefix)
    site.write({"css/a.css": ".a { color: blue; }\n"})
    ((second, second_data),) = other.built(other.build(), ("css/a.css",))
    assert second != first and second_data == b".a{color:blue}"
    with settings(STATIC_ROOT=str(other.out)):
        assert site.render(name) == f'\n<link rel="stylesheet" href="/static/{second}" integrity="{sri(second_data)}">'
    assert site.render(name) == f'\n<link rel="stylesheet" href="/static/{first}" integrity="{sri(first_data)}">'
