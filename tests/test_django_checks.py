"""assetopt's system checks: each fires in its situation and stays silent otherwise.

Django is configured once (``tests/django_settings.py``); each test layers its settings on top with
``override_settings``. Checks are called directly and through Django's ``run_checks`` (registration).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import django_settings
import pytest

from assetopt.build import BuildOptions, build
from assetopt.config import load_config
from assetopt.io.project import Project

LOAD = "{% load static assetopt %}\n"
CSS_BLOCK = LOAD + '\n{% bundle "css" %}<link rel="stylesheet" href="{% static \'css/a.css\' %}">{% endbundle %}\n'
JS_BLOCK = LOAD + '{% bundle "js" %}<script src="{% static \'js/a.js\' %}"></script>{% endbundle %}\n'
ASSETOPT_STORAGE = "assetopt.contrib.django.storage.AssetoptManifestStaticFilesStorage"
PLAIN_STORAGE = "django.contrib.staticfiles.storage.StaticFilesStorage"


@pytest.fixture(scope="module", autouse=True)
def django_configured() -> None:
    django_settings.configure()


def settings(**kwargs: object):
    from django.test.utils import override_settings

    return override_settings(**kwargs)


def storages(backend: str) -> dict[str, dict[str, str]]:
    return {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": {"BACKEND": backend}}


@dataclass
class Site:
    root: Path
    templates: Path
    static: Path
    out: Path

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            path = (self.templates if name.endswith(".html") else self.static) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)

    def build(self) -> None:
        cfg = load_config(self.root, {"templates": (str(self.templates),), "static": (str(self.static),)}, cwd=self.root)
        build(Project(cfg), BuildOptions(out=self.out))


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    s = Site(tmp_path, tmp_path / "templates", tmp_path / "static", tmp_path / "out")
    s.templates.mkdir()
    s.static.mkdir()
    s.write({"css/a.css": "a { color: red; }\n", "js/a.js": "var a = 1;\n"})
    templates = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [str(s.templates)]}]
    with settings(
        TEMPLATES=templates, STATIC_ROOT=str(s.out), STATICFILES_DIRS=[str(s.static)], DEBUG=False, ASSETOPT={}, STORAGES=storages(ASSETOPT_STORAGE)
    ):
        yield s


def ids(messages: list[object]) -> list[str]:
    return [m.id for m in messages]  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------- E001


@pytest.mark.parametrize(
    "overrides, built, fires",
    [
        pytest.param({}, False, True, id="debug_off_not_built"),
        pytest.param({"ASSETOPT": {"BUNDLES": True}, "DEBUG": True}, False, True, id="forced_on_not_built"),
        pytest.param({}, True, False, id="built"),
        pytest.param({"ASSETOPT": {"BUNDLES": False}}, False, False, id="rolled_back"),
        pytest.param({"DEBUG": True}, False, False, id="debug_default_off"),
    ],
)
def test_e001_bundling_on_without_a_manifest(site: Site, overrides: dict[str, object], built: bool, fires: bool):
    from assetopt.contrib.django.checks import check_manifest_built

    site.write({"page.html": CSS_BLOCK})
    if built:
        site.build()
    with settings(**overrides):
        messages = check_manifest_built()
    assert ids(messages) == (["assetopt.E001"] if fires else [])
    if fires:
        assert str(site.out / "assetopt-manifest.json") in messages[0].msg and "collectstatic" in messages[0].hint


def test_e001_names_an_unusable_manifest(site: Site):
    from assetopt.contrib.django.checks import check_manifest_built

    site.out.mkdir()
    (site.out / "assetopt-manifest.json").write_text("{not json")
    (message,) = check_manifest_built()
    assert message.id == "assetopt.E001" and "unusable manifest" in message.msg


# ---------------------------------------------------------------------------------------- W001


@pytest.mark.parametrize(
    "backend, template, built, fires",
    [
        pytest.param(PLAIN_STORAGE, CSS_BLOCK, False, True, id="plain_storage_blocks_no_manifest"),
        pytest.param(ASSETOPT_STORAGE, CSS_BLOCK, False, False, id="assetopt_storage"),
        pytest.param(PLAIN_STORAGE, "<p>no bundles</p>", False, False, id="no_blocks"),
        pytest.param(PLAIN_STORAGE, CSS_BLOCK, True, False, id="built_by_the_cli"),
    ],
)
def test_w001_blocks_that_nothing_builds(site: Site, backend: str, template: str, built: bool, fires: bool):
    from assetopt.contrib.django.checks import check_storage

    site.write({"page.html": template})
    if built:
        site.build()
    with settings(STORAGES=storages(backend)):
        messages = check_storage()
    assert ids(messages) == (["assetopt.W001"] if fires else [])
    if fires:
        assert "page.html:3" in messages[0].msg and ASSETOPT_STORAGE in messages[0].hint


# ---------------------------------------------------------------------------------------- E002


@pytest.mark.parametrize(
    "assetopt, fires",
    [
        pytest.param({"CACHE_ALIAS": "fragments"}, True, id="alias_missing"),
        pytest.param({"CACHE_ALIAS": "default"}, False, id="alias_present"),
        pytest.param({}, False, id="no_alias"),
    ],
)
def test_e002_cache_alias_not_in_caches(site: Site, assetopt: dict[str, object], fires: bool):
    from assetopt.contrib.django.checks import check_cache_alias

    caches = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with settings(ASSETOPT=assetopt, CACHES=caches):
        messages = check_cache_alias()
    assert ids(messages) == (["assetopt.E002"] if fires else [])
    if fires:
        assert "'fragments'" in messages[0].msg


# ---------------------------------------------------------------------------------------- W002


def test_w002_a_block_with_no_manifest_entry_names_template_and_line(site: Site):
    from assetopt.contrib.django.checks import check_manifest_entries

    site.write({"page.html": CSS_BLOCK})
    site.build()
    site.write({"later.html": JS_BLOCK})  # added after the build
    (message,) = check_manifest_entries()
    assert message.id == "assetopt.W002"
    assert message.msg.startswith('later.html:2: {% bundle "js" %} has no entry in ') and "js/a.js" in message.msg


def test_w002_names_the_variant_of_an_if_that_was_not_built(site: Site):
    from assetopt.contrib.django.checks import check_manifest_entries

    site.write({"css/b.css": "b{}", "page.html": CSS_BLOCK})
    site.build()
    site.write({"page.html": CSS_BLOCK.replace("<link", '{% if x %}<link rel="stylesheet" href="{% static \'css/b.css\' %}">{% endif %}<link')})
    (message,) = check_manifest_entries()
    assert "page.html:3:" in message.msg and "(1 of its 2 variants)" in message.msg


@pytest.mark.parametrize("built", [pytest.param(True, id="all_built"), pytest.param(False, id="no_manifest_left_to_e001")])
def test_w002_silent_when_every_block_is_built_or_nothing_is(site: Site, built: bool):
    from assetopt.contrib.django.checks import check_manifest_entries

    site.write({"page.html": CSS_BLOCK, "other.html": JS_BLOCK})
    if built:
        site.build()
    assert check_manifest_entries() == []


# ---------------------------------------------------------------------------------------- E003


@pytest.mark.parametrize(
    "overrides, fires",
    [
        pytest.param({"ASSETOPT": {"EMIT": "compressor"}}, True, id="compressor_online"),
        pytest.param({"ASSETOPT": {"EMIT": "compressor"}, "COMPRESS_OFFLINE": True}, False, id="compressor_offline"),
        pytest.param({"ASSETOPT": {"EMIT": "bundle"}}, False, id="bundle_mode"),
    ],
)
def test_e003_compressor_mode_without_offline(site: Site, overrides: dict[str, object], fires: bool):
    from assetopt.contrib.django.checks import check_compressor_mode

    with settings(**overrides):
        messages = check_compressor_mode()
    assert ids(messages) == (["assetopt.E003"] if fires else [])


# ------------------------------------------------------------------------------ E004, registration


def test_e004_invalid_assetopt_settings_and_the_other_checks_stay_silent(site: Site):
    from django.core.checks import run_checks

    site.write({"page.html": CSS_BLOCK})
    with settings(ASSETOPT={"BUNDLE": True}, STORAGES=storages(PLAIN_STORAGE)):
        messages = run_checks(tags=["assetopt"], include_deployment_checks=True)
    assert ids(messages) == ["assetopt.E004"] and "'BUNDLE'" in messages[0].msg


def test_e004_a_bad_value_not_only_a_bad_key(site: Site):
    from django.core.checks import run_checks

    site.write({"page.html": CSS_BLOCK})
    with settings(ASSETOPT={"IMAGE_QUALITY": "high"}, STORAGES=storages(PLAIN_STORAGE)):
        messages = run_checks(tags=["assetopt"])
    assert ids(messages) == ["assetopt.E004"] and "ASSETOPT['IMAGE_QUALITY']" in messages[0].msg


@pytest.mark.parametrize(
    "assetopt, words",
    [
        pytest.param({"BUNDLES": "False"}, "ASSETOPT['BUNDLES'] must be True or False", id="bundles_a_string_reads_as_true"),
        pytest.param({"STRICT": "no"}, "ASSETOPT['STRICT'] must be True or False", id="strict_a_string_reads_as_true"),
        pytest.param({"BUNDLES": 1}, "ASSETOPT['BUNDLES'] must be True or False", id="bundles_a_number"),
        pytest.param({"MANIFEST": 5}, "ASSETOPT['MANIFEST'] must be a path string", id="manifest_a_number_was_a_type_error"),
        pytest.param({"CACHE_DIR": "/dev/null"}, "ASSETOPT['CACHE_DIR']: cache_dir '/dev/null' is a file", id="cache_dir_a_file"),
        pytest.param({"CACHE_DIR": "/dev/null/cache"}, "is below the file '/dev/null'", id="cache_dir_below_a_file"),
    ],
)
def test_e004_a_value_of_the_wrong_type_is_reported_not_misread_or_raised(site: Site, assetopt: dict[str, object], words: str):
    from django.core.checks import run_checks

    site.write({"page.html": CSS_BLOCK})
    with settings(ASSETOPT=assetopt, STORAGES=storages(PLAIN_STORAGE)):
        messages = run_checks(tags=["assetopt"], include_deployment_checks=True)
    assert ids(messages) == ["assetopt.E004"]
    assert words in messages[0].msg


def test_checks_are_registered_and_build_output_checks_run_with_deploy_only(site: Site):
    from django.core.checks import run_checks

    site.write({"page.html": CSS_BLOCK})
    with settings(ASSETOPT={"EMIT": "compressor", "CACHE_ALIAS": "nope"}, STORAGES=storages(PLAIN_STORAGE)):
        everyday = run_checks(tags=["assetopt"])
        deploy = run_checks(tags=["assetopt"], include_deployment_checks=True)
    assert sorted(ids(everyday)) == ["assetopt.E002", "assetopt.E003"]
    assert sorted(ids(deploy)) == ["assetopt.E001", "assetopt.E002", "assetopt.E003", "assetopt.W001"]
