"""The ``Config`` of a Django project, read from its settings when called (``override_settings`` works).

Template dirs are what Django's template loaders search, in their order; static dirs are what
``STATICFILES_FINDERS`` collect, in their order: the build reads exactly the files Django serves.

The project boundary: a template dir is the project's own when it is configured (an engine's
``DIRS``, a filesystem loader's dirs) or an app's ``templates/`` inside ``BASE_DIR``, and not inside an installed package (a ``site-packages``/``dist-packages``
folder, a virtualenv under ``BASE_DIR`` included). The others (``django.contrib.admin``'s...) become
``library_templates``: read to resolve names, never audited nor rewritten, unless
``ASSETOPT["INCLUDE_APP_TEMPLATES"]``. The cache defaults to ``BASE_DIR/.assetopt-cache``: never a
served folder, and ``collectstatic --clear`` leaves it alone. Never writes anything; never imports the CLI.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.finders import AppDirectoriesFinder, FileSystemFinder
from django.core.exceptions import ImproperlyConfigured
from django.template.utils import get_app_template_dirs
from django.utils.module_loading import import_string

from ...config import Config, coerce_value, with_app_templates
from ...errors import ConfigError
from . import conf

__all__ = ["config_from_settings", "template_dirs", "own_template_dirs", "static_dirs", "served_dirs", "is_installed_package"]

_DJANGO_BACKEND = "django.template.backends.django.DjangoTemplates"
_FS_LOADER = "django.template.loaders.filesystem.Loader"
_APP_LOADER = "django.template.loaders.app_directories.Loader"
_CACHED_LOADER = "django.template.loaders.cached.Loader"


def _unique(paths: Iterator[Path]) -> tuple[Path, ...]:
    seen: dict[Path, None] = {}
    for p in paths:
        seen.setdefault(Path(p).resolve(), None)
    return tuple(seen)


def _loader_dirs(loader: Any, engine_dirs: list[Any]) -> Iterator[Path]:
    """Dirs one entry of ``OPTIONS["loaders"]`` searches: ``"path"`` or ``("path", arg, ...)``."""
    name, args = (loader, ()) if isinstance(loader, str) else (loader[0], tuple(loader[1:]))
    if name == _CACHED_LOADER:
        for inner in args[0] if args else ():
            yield from _loader_dirs(inner, engine_dirs)
    elif name == _FS_LOADER:
        yield from map(Path, args[0] if args else engine_dirs)
    elif name == _APP_LOADER:
        yield from get_app_template_dirs("templates")
    # Other loaders (database, locmem, custom) have no directory assetopt could scan.


def is_installed_package(path: Path) -> bool:
    """Whether ``path`` lies in an installed package (``site-packages``, ``dist-packages``)."""
    return any(part in ("site-packages", "dist-packages") for part in Path(path).resolve().parts)


def own_template_dirs(dirs: tuple[Path, ...], project: Path) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """``(own, library)``: ``dirs`` split at the project boundary, each in its order."""
    app_dirs = {Path(d).resolve() for d in get_app_template_dirs("templates")}  # the others: DIRS, loader args
    own = tuple(d for d in dirs if (d not in app_dirs or d.is_relative_to(project)) and not is_installed_package(d))
    return own, tuple(d for d in dirs if d not in own)


def served_dirs() -> tuple[tuple[str, Path], ...]:
    """``(setting, folder)`` of every folder a web server may serve: STATIC_ROOT, the staticfiles
    storage's location when it is another folder (collectstatic writes there), MEDIA_ROOT, STATICFILES_DIRS."""
    out: list[tuple[str, Path]] = []
    for name in ("STATIC_ROOT", "MEDIA_ROOT"):
        value = getattr(settings, name, None)
        if value:
            out.append((name, Path(value).resolve()))
    try:
        location = conf.static_root()
    except ImproperlyConfigured:
        location = None  # a storage that cannot be made: collectstatic and Django's checks say so
    if location is not None and location not in {folder for _, folder in out}:
        out.insert(0, ("STORAGES['staticfiles'] location", location))
    for entry in getattr(settings, "STATICFILES_DIRS", ()):
        folder = entry[1] if isinstance(entry, (list, tuple)) else entry
        out.append(("STATICFILES_DIRS", Path(folder).resolve()))
    return tuple(out)


def template_dirs() -> tuple[Path, ...]:
    """Every Django engine's dirs in its loaders' order: ``DIRS``, then app ``templates/`` dirs."""
    out: list[Path] = []
    for engine in settings.TEMPLATES:
        if engine.get("BACKEND") != _DJANGO_BACKEND:
            continue
        dirs = list(engine.get("DIRS", []))
        loaders = (engine.get("OPTIONS") or {}).get("loaders")
        if loaders is None:  # Django's default: filesystem, then app_directories when APP_DIRS
            loaders = [_FS_LOADER] + ([_APP_LOADER] if engine.get("APP_DIRS") else [])
        for loader in loaders:
            out.extend(_loader_dirs(loader, dirs))
    return _unique(iter(out))


def static_dirs() -> tuple[Path, ...]:
    """What ``STATICFILES_FINDERS`` collect, in order. A ``(prefix, path)`` entry is refused for now:
    a logical path ``prefix/x.css`` does not map to ``path/prefix/x.css``, and the build reads by path."""
    out: list[Path] = []
    for dotted in settings.STATICFILES_FINDERS:
        finder = import_string(dotted)
        if isinstance(finder, type) and issubclass(finder, FileSystemFinder):
            for entry in settings.STATICFILES_DIRS:
                if isinstance(entry, (list, tuple)):
                    prefix, root = entry
                    raise ImproperlyConfigured(
                        f"STATICFILES_DIRS entry ({prefix!r}, {str(root)!r}): assetopt does not support prefixes yet; "
                        "list the folder without a prefix, or move its files under a folder of that name"
                    )
                out.append(Path(entry))
        elif isinstance(finder, type) and issubclass(finder, AppDirectoriesFinder):
            for app in apps.get_app_configs():
                folder = Path(app.path) / str(getattr(finder, "source_dir", "static"))
                if app.path and folder.is_dir():
                    out.append(folder)
        # Other finders (django-compressor's lists nothing) cannot be read as folders: a bundle
        # naming one of their files fails the build with "not in the static dirs", never silently.
    return _unique(iter(out))


def _project_dir() -> Path:
    base = getattr(settings, "BASE_DIR", None)
    return Path(base).resolve() if base else Path(os.getcwd()).resolve()


def config_from_settings() -> Config:
    """The ``Config`` for this Django project (see ``conf.py`` for the ``ASSETOPT`` key mapping)."""
    raw = conf.options()
    static_root = conf.static_root()  # where collectstatic writes: the storage's location, STATIC_ROOT by default
    if static_root is None:
        raise ImproperlyConfigured(
            "assetopt builds into STATIC_ROOT: set STATIC_ROOT to a folder (or the staticfiles storage's location, STORAGES['staticfiles']['OPTIONS']['location'])"
        )
    project = _project_dir()
    values = config_values(raw, project)
    values.setdefault("cache_dir", project / ".assetopt-cache")  # not under STATIC_ROOT: served, and --clear deletes it
    dirs = template_dirs()
    # INCLUDE_APP_TEMPLATES: every dir is the project's, in the loaders' order
    own, library = (dirs, ()) if values.get("include_app_templates") else own_template_dirs(dirs, project)
    return with_app_templates(
        Config(
            project=project,
            templates=own,
            library_templates=library,
            static=static_dirs(),
            static_url=settings.STATIC_URL,
            out=static_root,
            manifest=conf.manifest_path(),  # ASSETOPT["MANIFEST"]: the file collectstatic writes and the tags read
            settings=getattr(settings, "SETTINGS_MODULE", None) or os.environ.get("DJANGO_SETTINGS_MODULE", ""),
            source="settings.ASSETOPT",
            **values,
        )
    )


def config_values(raw: dict[str, Any], project: Path) -> dict[str, Any]:
    """The ``Config`` fields ``ASSETOPT`` sets, checked and converted as a config file's are; a bad
    value is ``ImproperlyConfigured`` naming its key (the system check E004 reports the same)."""
    values: dict[str, Any] = {}
    for key, field in conf.CONFIG_FIELDS.items():
        if key not in raw:
            continue
        value = raw[key]
        if isinstance(value, Path):
            value = str(value)
        elif isinstance(value, tuple):
            value = list(value)
        try:
            values[field] = coerce_value(field, value, project, "settings.ASSETOPT")
        except ConfigError as exc:
            raise ImproperlyConfigured(f"ASSETOPT[{key!r}]: {exc.message}" + (f" ({exc.hint})" if exc.hint else "")) from None
    return values
