"""``{% bundle "css" %}`` with critical CSS in the manifest, rendered by Django's real template engine
against a real ``assetopt build`` output: the ``<style>``, the non-blocking loader, the CSP nonce from
where Django 6 and django-csp put it, and the rollback setting. Expected HTML is written out by hand."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import django_settings
import pytest

from assetopt.build import BuildOptions, build
from assetopt.build.critical import LOADER_JS, Observation, probes_of, select_critical, write_critical
from assetopt.build.manifest import MANIFEST_NAME
from assetopt.config import load_config
from assetopt.io.project import Project

LOAD = "{% load static assetopt %}\n"
PAGE = LOAD + '{% bundle "css" %}\n<link rel="stylesheet" href="{% static \'css/a.css\' %}">\n{% endbundle %}'
# the same bundle (attributes are not part of its key), its tag carrying a nonce and crossorigin
PAGE_ATTRS = (
    LOAD
    + '{% bundle "css" %}\n<link rel="stylesheet" href="{% static \'css/a.css\' %}" nonce="{{ tag_nonce }}" crossorigin="anonymous">\n{% endbundle %}'
)
A_CSS = ".top { background: url(../img/x.png); }\n.below { margin: 0; }\n"


@pytest.fixture(scope="module", autouse=True)
def django_configured() -> None:
    django_settings.configure()


@dataclass
class Built:
    root: Path
    name: str  # the built file's name under the output root
    integrity: str


@pytest.fixture
def built(tmp_path: Path) -> Iterator[Built]:
    from django.test.utils import override_settings

    (tmp_path / "templates").mkdir()
    (tmp_path / "static/css").mkdir(parents=True)
    (tmp_path / "templates/page.html").write_text(PAGE)
    (tmp_path / "templates/attrs.html").write_text(PAGE_ATTRS)
    (tmp_path / "static/css/a.css").write_text(A_CSS)
    config = load_config(tmp_path, {"templates": (str(tmp_path / "templates"),), "static": (str(tmp_path / "static"),)}, cwd=tmp_path)
    result = build(Project(config), BuildOptions(out=tmp_path / "out"))
    ((key, entry),) = result.manifest.bundles.items()
    data = (tmp_path / "out" / entry.files[0].name).read_bytes()
    assert data == b".top{background:url(../img/x.png)}.below{margin:0}"  # rcssmin, url() relative to out/assetopt/
    critical = select_critical(probes_of(data.decode()), [Observation("/", "mobile", frozenset({".top"}))])
    write_critical(result.manifest, tmp_path / "out" / MANIFEST_NAME, {key: (critical, ("/",), ("mobile",))})
    templates = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [str(tmp_path / "templates")]}]
    integrity = "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
    with override_settings(TEMPLATES=templates, STATIC_ROOT=str(tmp_path / "out"), DEBUG=False, ASSETOPT={"BUNDLES": True}):
        yield Built(tmp_path, entry.files[0].name, integrity)


def render(context: dict[str, object] | None = None, name: str = "page.html") -> str:
    from django.template import engines

    return engines["django"].get_template(name).render(context or {})


def expected(b: Built, nonce: str | None = None, attrs: str = "") -> str:
    n = f' nonce="{nonce}"' if nonce else ""
    link = f'href="/static/{b.name}" integrity="{b.integrity}"{attrs}{n}'
    return (
        f"\n<style{n}>.top{{background:url(/static/img/x.png)}}</style>\n"
        f'<link rel="preload" as="style" fetchpriority="low" {link}>\n'
        f"<script{n}>{LOADER_JS}</script>\n"
        f'<noscript><link rel="stylesheet" {link}></noscript>'
    )


def test_critical_css_is_inlined_and_the_bundle_preloaded_with_the_loader(built: Built):
    assert render() == expected(built)


class _Request:
    """What django-csp's middleware leaves on the request: ``csp_nonce``."""

    csp_nonce = "fr0m-django-csp"


@pytest.mark.parametrize(
    ("context", "nonce"),
    [
        pytest.param({"csp_nonce": "fr0m-django-6"}, "fr0m-django-6", id="django6_context_processor"),
        pytest.param({"request": _Request()}, "fr0m-django-csp", id="django_csp_request_attribute"),
    ],
)
def test_the_request_nonce_goes_on_the_style_and_the_loader_script(built: Built, context, nonce):
    assert render(context) == expected(built, nonce)


def test_the_inner_tags_nonce_comes_first_and_crossorigin_is_carried_to_both_links(built: Built):
    rendered = render({"tag_nonce": "0n-the-tag", "csp_nonce": "not-this-one"}, "attrs.html")
    assert rendered == expected(built, "0n-the-tag", attrs=' crossorigin="anonymous"')


@pytest.mark.parametrize("assetopt", [{"BUNDLES": True, "CRITICAL_CSS": False}], ids=["critical_css_off"])
def test_rollback_setting_prints_the_plain_link_again(built: Built, assetopt):
    from django.test.utils import override_settings

    with override_settings(ASSETOPT=assetopt):
        assert render() == f'\n<link rel="stylesheet" href="/static/{built.name}" integrity="{built.integrity}">'


def test_an_invalid_critical_css_setting_is_refused_and_the_tag_falls_back(built: Built):
    from django.core.exceptions import ImproperlyConfigured
    from django.test.utils import override_settings

    from assetopt.contrib.django import conf

    with override_settings(ASSETOPT={"BUNDLES": True, "CRITICAL_CSS": "no"}):
        with pytest.raises(ImproperlyConfigured, match="CRITICAL_CSS"):
            conf.options()
        assert render() == '\n\n<link rel="stylesheet" href="/static/css/a.css">\n'  # the original tag: the rollback


def test_bundling_off_prints_the_original_tag_even_with_critical_css(built: Built):
    from django.test.utils import override_settings

    with override_settings(ASSETOPT={"BUNDLES": False}):
        assert render() == '\n\n<link rel="stylesheet" href="/static/css/a.css">\n'
