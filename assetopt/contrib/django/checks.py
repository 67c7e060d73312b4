"""System checks (``manage.py check``), registered by the app's ``ready()`` under the tag ``assetopt``.

- ``assetopt.E001`` bundling is on but no manifest was built at the manifest path (or it is unusable).
- ``assetopt.W001`` templates hold ``{% bundle %}`` blocks, no manifest exists, and the staticfiles
  storage is not assetopt's: nothing will ever build them.
- ``assetopt.E002`` ``ASSETOPT["CACHE_ALIAS"]`` is not in ``CACHES``.
- ``assetopt.W002`` a ``{% bundle %}`` block (template and line) with no entry in the built manifest.
- ``assetopt.E003`` compressor mode (``ASSETOPT["EMIT"] = "compressor"``) without ``COMPRESS_OFFLINE``.
- ``assetopt.E004`` ``settings.ASSETOPT`` itself is invalid (the other checks then stay silent).
- ``assetopt.W004`` the cache dir (``ASSETOPT["CACHE_DIR"]``: undo patches, build cache) is inside a
  folder a web server serves (``STATIC_ROOT``, the staticfiles storage's location, ``MEDIA_ROOT``, ``STATICFILES_DIRS``): the public could
  download template sources, and ``collectstatic --clear`` would delete it.
- ``assetopt.E005`` django-compressor offline: a ``{% compress %}`` block (template and line) whose key is
  not in compressor's offline manifest, or no manifest at all: it would raise ``OfflineGenerationError``.
- ``assetopt.W003`` django-compressor offline: a ``{% compress %}`` block that reads a variable
  ``COMPRESS_OFFLINE_CONTEXT`` lacks: a request where it renders something else misses the manifest.
- ``assetopt.W005`` a literal ``{% static 'path' %}`` in any template Django can load (an installed
  app's too) names a folder, which a strict manifest storage (assetopt's, Django's) has no entry for:
  every page rendering it raises ``ValueError``, a server error when ``DEBUG`` is off (django-jazzmin's
  ``{% static 'vendor/bootswatch' %}`` on every admin page). Also a path that raises whatever exists:
  absolute (``'/css/a.css'``), not normalised (``'css/../a.css'``, ``'./a.css'``, ``'css//a.css'``,
  ``'css\\a.css'``), outside the static dirs (``'../x'``) or empty: the hint names the path to write, its
  ``?query``/``#fragment`` kept (``'css/../a.css?v=2'``: ``'a.css?v=2'``).
  And spaces around a path (``' css/a.css '``), in the audit's ``static-spaces`` words: a manifest storage
  strips them, but with DEBUG on or ``StaticFilesStorage`` the URL keeps them, a 404. Not a missing file
  (the audit's).

E001, W001, W002, E005, W003 and W005 look at build output, which exists only after ``collectstatic``: they are deploy
checks (``manage.py check --deploy``), so ``migrate`` on a fresh checkout is never blocked by a
missing build. The others run with every command. Checks read; they never build or write.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import STATICFILES_STORAGE_ALIAS
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages
from django.utils.module_loading import import_string

from ...build import find_bundle_blocks
from ...build.manifest import Manifest, load_manifest
from ...config import Config
from ...errors import ManifestError, TemplateError
from ...io.project import Project
from ...templates.bundle_blocks import BundleBlock
from ...templates.refs import strip_static_path
from ...templates.static_literals import has_spaces, manifest_key, normal_static_path, spaces_problem, static_literals, unnormal_shape
from . import conf
from .project import _project_dir, config_from_settings, config_values, served_dirs, template_dirs

__all__ = [
    "register_checks",
    "check_settings",
    "check_manifest_built",
    "check_storage",
    "check_cache_alias",
    "check_internal_dirs",
    "check_manifest_entries",
    "check_compressor_mode",
    "check_compress_manifest",
    "check_static_names",
]

TAG = "assetopt"
_BUILD_HINT = "run `python manage.py collectstatic` with STORAGES['staticfiles'] set to assetopt's storage, or `assetopt build`"
_STORAGE = "assetopt.contrib.django.storage.AssetoptManifestStaticFilesStorage"


def register_checks() -> None:
    checks.register(check_settings, TAG)
    checks.register(check_cache_alias, TAG)
    checks.register(check_internal_dirs, TAG)
    checks.register(check_compressor_mode, TAG)
    checks.register(check_manifest_built, TAG, deploy=True)
    checks.register(check_storage, TAG, deploy=True)
    checks.register(check_manifest_entries, TAG, deploy=True)
    checks.register(check_compress_manifest, TAG, deploy=True)
    checks.register(check_static_names, TAG, deploy=True)


def _valid() -> bool:
    try:
        config_values(conf.options(), _project_dir())  # as E004 reads it: the values too
    except ImproperlyConfigured:
        return False
    return True


def check_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        config_values(conf.options(), _project_dir())  # the values too, not only the key names
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), hint="see assetopt/contrib/django/conf.py for the keys", id="assetopt.E004")]
    return []


def check_internal_dirs(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not _valid():
        return []
    try:
        values = config_values(conf.options(), _project_dir())
    except ImproperlyConfigured:
        return []  # E004 says so
    cache = values.get("cache_dir")
    if cache is None:
        return []  # the default, BASE_DIR/.assetopt-cache (STATIC_ROOT inside BASE_DIR/.assetopt-cache would be odd)
    cache = Path(cache).resolve()
    out: list[checks.CheckMessage] = []
    for setting, folder in served_dirs():
        if cache == folder or cache.is_relative_to(folder):
            out.append(
                checks.Warning(
                    f"ASSETOPT['CACHE_DIR'] ({cache}) is inside {setting} ({folder}): a web server would publish assetopt's cache and undo patches (template sources)"
                    + (", and collectstatic --clear deletes it" if folder == _static_root() else ""),
                    hint="remove CACHE_DIR (default: BASE_DIR/.assetopt-cache) or point it outside every served folder",
                    id="assetopt.W004",
                )
            )
    return out


def _static_root() -> Path | None:
    try:
        return conf.static_root()
    except ImproperlyConfigured:
        return None


def _manifest() -> tuple[Path | None, Manifest | None, str]:
    """(path, manifest or None, why it is None)."""
    try:
        path = conf.manifest_path()
    except ImproperlyConfigured as exc:  # the staticfiles storage cannot be made: no folder to look in
        return None, None, f"no manifest path ({exc})"
    if path is None:
        return None, None, "no manifest path: set STATIC_ROOT (or the staticfiles storage's location) or ASSETOPT['MANIFEST']"
    try:
        return path, load_manifest(path), ""
    except FileNotFoundError:
        return path, None, f"no manifest at {path}"
    except (ManifestError, OSError) as exc:
        return path, None, f"unusable manifest: {exc}"


def check_manifest_built(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not _valid() or not conf.bundles_enabled():
        return []
    _, manifest, why = _manifest()
    if manifest is not None:
        return []
    return [
        checks.Error(
            f"{{% bundle %}} bundling is on (ASSETOPT['BUNDLES'] or DEBUG off) but {why}: every block renders its original tags",
            hint=_BUILD_HINT,
            id="assetopt.E001",
        )
    ]


def _scan_config() -> Config:
    try:
        return config_from_settings()
    except ImproperlyConfigured:  # no static root (STATIC_ROOT, storage location) or a prefixed static dir: the scan needs only templates
        return Config(project=Path(os.getcwd()), templates=template_dirs(), static_url=settings.STATIC_URL or "/static/")


def _bundle_blocks() -> list[BundleBlock]:
    """Every ``{% bundle %}`` block of the project's templates (a block the build cannot read is left
    to the build, which fails naming it)."""
    return find_bundle_blocks(Project(_scan_config()))[0]


def _storage_is_assetopts() -> bool:
    from .storage import AssetoptManifestStaticFilesStorage

    backend = storages.backends.get(STATICFILES_STORAGE_ALIAS, {}).get("BACKEND", "")
    try:
        cls = import_string(backend)
    except ImportError:
        return False
    return isinstance(cls, type) and issubclass(cls, AssetoptManifestStaticFilesStorage)


def check_storage(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not _valid() or _storage_is_assetopts():
        return []
    _, manifest, _why = _manifest()
    if manifest is not None:
        return []  # built some other way (`assetopt build`): fine
    blocks = _bundle_blocks()
    if not blocks:
        return []
    where = ", ".join(f"{b.name}:{b.lineno}" for b in blocks[:3]) + (f" and {len(blocks) - 3} more" if len(blocks) > 3 else "")
    return [
        checks.Warning(
            f"templates hold {{% bundle %}} blocks ({where}) but nothing builds them: the staticfiles storage is not assetopt's and no manifest exists",
            hint=f"STORAGES = {{'staticfiles': {{'BACKEND': '{_STORAGE}'}}, ...}}",
            id="assetopt.W001",
        )
    ]


def check_cache_alias(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not _valid():
        return []
    alias = conf.options().get("CACHE_ALIAS") or ""
    if not alias or alias in settings.CACHES:
        return []
    return [
        checks.Error(
            f"ASSETOPT['CACHE_ALIAS'] is {alias!r}, which is not in CACHES ({', '.join(sorted(settings.CACHES))}): {{% cache ... using=\"{alias}\" %}} fragments would fail",
            hint=f"add CACHES[{alias!r}] (a DummyCache backend turns fragment caching off)",
            id="assetopt.E002",
        )
    ]


def check_manifest_entries(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not _valid():
        return []
    path, manifest, _why = _manifest()
    if manifest is None:
        return []  # E001 / W001 say so
    out: list[checks.CheckMessage] = []
    for block in _bundle_blocks():
        missing = [v for v in block.variants if v.key not in manifest.bundles]
        if missing:
            some = "" if len(missing) == len(block.variants) else f" ({len(missing)} of its {len(block.variants)} variants)"
            files = ", ".join(missing[0].paths)
            out.append(
                checks.Warning(
                    f'{block.name}:{block.lineno}: {{% bundle "{block.kind}" %}}{some} has no entry in {path} (first missing: {files}): it renders its original tags',
                    hint=_BUILD_HINT,
                    id="assetopt.W002",
                )
            )
    return out


def check_compressor_mode(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not _valid() or conf.emit() != "compressor" or getattr(settings, "COMPRESS_OFFLINE", False):
        return []
    return [
        checks.Error(
            "ASSETOPT['EMIT'] is 'compressor' but COMPRESS_OFFLINE is off: django-compressor would compress on requests, keyed on rendered HTML",
            hint="set COMPRESS_OFFLINE = True (and COMPRESS_ENABLED = True); collectstatic then runs the offline compression",
            id="assetopt.E003",
        )
    ]


def check_compress_manifest(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The collectstatic hook's offline-manifest check, for a deploy that built elsewhere (or long ago)."""
    from . import compress

    if not _valid() or not compress.compressor_active():
        return []
    storage, name = compress.manifest_location()
    manifest = compress.read_manifest()
    if manifest is None:
        return [
            checks.Error(
                f"COMPRESS_OFFLINE is on but there is no readable offline manifest ({name} in {getattr(storage, 'location', storage)}): every {{% compress %}} block raises OfflineGenerationError",
                hint=_BUILD_HINT.replace("`assetopt build`", "`manage.py compress`"),
                id="assetopt.E005",
            )
        ]
    project = Project(_scan_config())
    templates = compress.templates_of(project)
    out: list[checks.CheckMessage] = []
    for block in compress.missing_blocks(templates, manifest):
        if block.certain:
            out.append(
                checks.Error(
                    f"{block.message()}: it would raise OfflineGenerationError on the request",
                    hint="run `python manage.py collectstatic` (it runs the offline compression) and fix what it names",
                    id="assetopt.E005",
                )
            )
        else:
            out.append(
                checks.Warning(
                    block.message(),
                    hint="add the variable to COMPRESS_OFFLINE_CONTEXT, or move what depends on it out of the {% compress %} block",
                    id="assetopt.W003",
                )
            )
    return out


def check_static_names(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """W005: a literal ``{% static %}`` path naming a folder, or not written as collectstatic names a file
    (absolute, ``..``, ``.``, ``//``, ``\\``, empty), which a strict manifest storage cannot serve (read after collectstatic);
    or one with spaces around it, which only a manifest storage with DEBUG off serves."""
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

    if not _valid() or not isinstance(staticfiles_storage, ManifestFilesMixin) or not staticfiles_storage.manifest_strict:
        return []
    if not staticfiles_storage.hashed_files:
        return []  # nothing collected yet: nothing to compare with
    cls = staticfiles_storage.__class__
    storage = f"{cls.__module__}.{cls.__qualname__}"
    project = Project(_scan_config())
    out: list[checks.CheckMessage] = []
    seen: set[tuple[str, int, str]] = set()
    for name in project.all_template_names():
        try:
            template = project.load(name)
        except TemplateError:
            continue  # the audit and the build name it
        for lineno, path in static_literals(template):
            where = (template.path or name, lineno, path)
            if where in seen:
                continue
            seen.add(where)
            try:
                staticfiles_storage.url(path, force=True)  # as a request with DEBUG off does
            except ValueError:
                key = manifest_key(path)
                shape = unnormal_shape(key) if key is not None else None
                if shape is not None:  # raises whether or not the file exists: never a false alarm
                    norm = normal_static_path(path)  # its ?query/#fragment kept: {% static %} prints them after the name
                    out.append(
                        checks.Warning(
                            f"{where[0]}:{lineno}: {{% static '{path}' %}} {shape}: {storage} has no entry for it in"
                            " staticfiles.json, so every page that renders it raises ValueError (a server error when DEBUG is off)",
                            hint=f"write {{% static '{norm}' %}}, the name collectstatic gives the file"
                            if norm is not None
                            else "name a file inside a static dir, relative to it; for the static URL prefix use {% get_static_prefix %}",
                            id="assetopt.W005",
                        )
                    )
                    continue
                # A missing file is left to the audit (missing-file, the project's templates): an app's
                # template may serve an optional app not installed here, and is then never rendered
                # (django-jazzmin's filer pages). A folder is never a file: every page rendering it fails.
                found = finders.find(path)
                if isinstance(found, str) and os.path.isdir(found):
                    out.append(
                        checks.Warning(
                            f"{where[0]}:{lineno}: {{% static '{path}' %}} names a folder, not a file: {storage} has no entry for it in"
                            " staticfiles.json, so every page that renders it raises ValueError (a server error when DEBUG is off)",
                            hint="end the folder's path with '/' (Django then leaves it unhashed) or point it at a file; in an installed app's"
                            " template, override the template in your own templates, or subclass the storage with manifest_strict = False",
                            id="assetopt.W005",
                        )
                    )
                    continue
            if manifest_key(path) is not None and has_spaces(path):  # served here; a 404 with DEBUG on (the audit's static-spaces)
                out.append(
                    checks.Warning(
                        f"{where[0]}:{lineno}: {spaces_problem(path, settings.STATIC_URL or '/static/')}",
                        hint=f"write {{% static '{strip_static_path(path)}' %}}",
                        id="assetopt.W005",
                    )
                )
    return out
