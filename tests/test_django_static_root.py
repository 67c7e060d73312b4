"""``conf.static_root()``, the one answer to "where does collectstatic write": Django's own rule, the
staticfiles storage's ``location``, which defaults to ``STATIC_ROOT``. The manifest default, the
``Config`` of ``manage.py assetopt`` and the served folders follow it (``tests/test_django_static_location.py``
runs collectstatic, the checks, the tag and the commands on a real site)."""

from __future__ import annotations

from pathlib import Path

import django_settings
import pytest

STORAGE = "assetopt.contrib.django.storage.AssetoptManifestStaticFilesStorage"


@pytest.fixture(scope="module", autouse=True)
def django_configured() -> None:
    django_settings.configure()


def settings(**kwargs: object):
    from django.test.utils import override_settings

    return override_settings(**kwargs)


def storages(location: Path | None = None, backend: str = STORAGE) -> dict[str, object]:
    staticfiles: dict[str, object] = {"BACKEND": backend}
    if location is not None:
        staticfiles["OPTIONS"] = {"location": str(location)}
    return {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": staticfiles}


@pytest.mark.parametrize(
    ("static_root", "location", "expected"),
    [
        pytest.param("root", None, "root", id="static_root_alone"),
        pytest.param(None, "public", "public", id="location_alone"),
        pytest.param("root", "public", "public", id="location_over_static_root"),
        pytest.param(None, None, None, id="neither"),
    ],
)
def test_static_root_is_the_staticfiles_storages_location(tmp_path: Path, static_root: str | None, location: str | None, expected: str | None):
    from assetopt.contrib.django import conf

    with settings(STATIC_ROOT=static_root and str(tmp_path / static_root), STORAGES=storages(location and tmp_path / location)):
        assert conf.static_root() == (expected and (tmp_path / expected).resolve())
        assert conf.manifest_path() == (expected and (tmp_path / expected).resolve() / "assetopt-manifest.json")


def test_a_storage_that_is_no_local_folder_keeps_static_root(tmp_path: Path):
    from assetopt.contrib.django import conf

    # InMemoryStorage's location is not a folder on this machine: STATIC_ROOT stays the answer
    memory = "django.core.files.storage.InMemoryStorage"
    with settings(STATIC_ROOT=str(tmp_path / "root"), STORAGES=storages(tmp_path / "public", backend=memory)):
        assert conf.static_root() == (tmp_path / "root").resolve()


def test_config_out_and_served_dirs_follow_the_storage_location(tmp_path: Path):
    from assetopt.contrib.django.project import config_from_settings, served_dirs

    with settings(STATIC_ROOT=str(tmp_path / "root"), STORAGES=storages(tmp_path / "public")):
        assert config_from_settings().out == (tmp_path / "public").resolve()
        served = dict((folder, setting) for setting, folder in served_dirs())
        # both are refused for anything of ours: the location is what collectstatic fills, and STATIC_ROOT may still be served
        assert served[(tmp_path / "public").resolve()] == "STORAGES['staticfiles'] location"
        assert served[(tmp_path / "root").resolve()] == "STATIC_ROOT"


def test_without_static_root_or_location_the_config_says_what_to_set(tmp_path: Path):
    from django.core.exceptions import ImproperlyConfigured

    from assetopt.contrib.django.project import config_from_settings

    with settings(STATIC_ROOT=None, STORAGES=storages()):
        with pytest.raises(
            ImproperlyConfigured,
            match=r"set STATIC_ROOT to a folder \(or the staticfiles storage's location, STORAGES\['staticfiles'\]\['OPTIONS'\]\['location'\]\)",
        ):
            config_from_settings()


def test_a_cache_dir_inside_the_storage_location_is_warned_about(tmp_path: Path):
    from assetopt.contrib.django.checks import check_internal_dirs

    public = tmp_path / "public"
    with settings(STATIC_ROOT=None, STORAGES=storages(public), ASSETOPT={"CACHE_DIR": str(public / "cache")}):
        (warning,) = check_internal_dirs()
    assert warning.id == "assetopt.W004"
    assert f"is inside STORAGES['staticfiles'] location ({public.resolve()})" in warning.msg
    assert "collectstatic --clear deletes it" in warning.msg


def test_the_tags_never_raise_when_the_storage_cannot_load_its_manifest(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    """The tags ask the storage where its output lives; a storage that raises while it starts (here a
    corrupt staticfiles.json: Django's manifest storage raises ValueError) gives the rollback, the
    inner markup, with one warning naming the problem, not a server error on every page."""
    from django.template import Context, Engine

    from assetopt.contrib.django import conf

    public = tmp_path / "public"
    public.mkdir()
    (public / "staticfiles.json").write_text("{not json", encoding="utf-8")
    engine = Engine(libraries={"assetopt": "assetopt.contrib.django.templatetags.assetopt"})
    page = engine.from_string('{% load assetopt %}{% bundle "css" %}<link rel="stylesheet" href="/static/a.css">{% endbundle %}')
    with settings(STATIC_ROOT=None, STORAGES=storages(public), DEBUG=False, ASSETOPT={"BUNDLES": True}):
        assert conf.tag_settings() == conf.TagSettings(bundles=False, strict=False, manifest=None, critical_css=False)
        assert page.render(Context()) == '<link rel="stylesheet" href="/static/a.css">'
    warned = [r.getMessage() for r in caplog.records if r.name.startswith("assetopt")]
    assert any("the staticfiles storage cannot start (Couldn't load manifest 'staticfiles.json'" in m for m in warned), warned


def test_a_storage_that_could_not_start_is_asked_again_once_its_manifest_is_fixed(tmp_path: Path):
    """The tags' settings are memoized until a setting changes, but never the rollback: a corrupt
    staticfiles.json warns and rolls back, and once collectstatic has written a good one (no setting
    changed, Django's lazy storage starts on the next access) the next render bundles again."""
    from django.template import Context, Engine

    from assetopt.contrib.django import conf
    from assetopt.contrib.django.bundle_tag import BundleNotBuilt

    public = tmp_path / "public"
    public.mkdir()
    manifest = public / "staticfiles.json"
    manifest.write_text("{not json", encoding="utf-8")
    engine = Engine(libraries={"assetopt": "assetopt.contrib.django.templatetags.assetopt"})
    page = engine.from_string('{% load assetopt %}{% bundle "css" %}<link rel="stylesheet" href="/static/a.css">{% endbundle %}')
    with settings(STATIC_ROOT=None, STORAGES=storages(public), DEBUG=False, ASSETOPT={"BUNDLES": True, "STRICT": True}):
        assert page.render(Context()) == '<link rel="stylesheet" href="/static/a.css">'
        assert conf.tag_settings() == conf.TagSettings(bundles=False, strict=False, manifest=None, critical_css=False)
        manifest.write_text('{"version": "1.1", "paths": {}}', encoding="utf-8")  # what collectstatic writes, no file collected
        assert conf.tag_settings() == conf.TagSettings(bundles=True, strict=True, manifest=public.resolve() / "assetopt-manifest.json")
        # STRICT on and no assetopt manifest: the block now raises, as a block that was not built does
        with pytest.raises(BundleNotBuilt, match=r"renders its original tags because it has not been built"):
            page.render(Context())
