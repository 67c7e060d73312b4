"""``settings.ASSETOPT``, read when used so ``override_settings`` works.

Keys of the Django edge itself (all optional):

- ``BUNDLES``: render ``{% bundle %}`` blocks as one built file (default: ``not DEBUG``). ``False`` renders
  the original tags: the rollback, no template edit needed.
- ``STRICT``: a bundle that was not built raises (default ``False``: original tags + one warning).
- ``MANIFEST``: path of ``assetopt-manifest.json`` (default: ``assetopt-manifest.json`` in the static
  root, ``static_root()``; a relative path is relative to ``BASE_DIR``). ``manifest_path()`` is the one answer: collectstatic
  writes there, the tags and the system checks read there, and ``manage.py assetopt`` hands it to the
  command line as its ``manifest`` (``project.config_from_settings``).
- ``CRITICAL_CSS``: print a CSS bundle's critical CSS inline and load the bundle without blocking
  render, when the manifest has it (default ``True``; ``False`` prints the plain ``<link>``: the rollback).
  See ``docs/critical-css.md``.
- ``EMIT``: ``"bundle"`` (default) or ``"compressor"`` (the rewrite wraps runs in ``{% compress %}``;
  needs ``COMPRESS_OFFLINE = True``, system check ``assetopt.E003``).
- ``OFFLINE_COMPRESS``: when django-compressor is installed with ``COMPRESS_ENABLED`` and
  ``COMPRESS_OFFLINE`` on, ``collectstatic`` also runs its offline compression and checks its manifest
  (default ``True``; ``False`` leaves it to your own ``manage.py compress``). See ``docs/compressor.md``.

Keys mapped to the ``Config`` the CLI uses (``[tool.assetopt]``; same types, same checks):

============================  ===========================  =============================================
``ASSETOPT`` key              ``Config`` field             note
============================  ===========================  =============================================
``CACHE_DIR``                 ``cache_dir``                default ``BASE_DIR/.assetopt-cache`` (never a served dir: W004)
``INCLUDE_APP_TEMPLATES``     ``include_app_templates``    also audit/rewrite installed apps' templates
``CACHE_ALIAS``               ``cache_alias``              must be in ``CACHES`` (check ``assetopt.E002``)
``DECLARED_BUNDLES``          ``bundles``                  ``BUNDLES`` is the on/off switch in Django
``PAGE_TEMPLATES``            ``pages``                    template names audited as pages
``PAGES``                     ``urls``                     ``--browser`` pages without ``--url``: URL paths or names
``USER``                      ``user``                     ``--browser`` renders as this username without ``--user``
``EXCLUDE``                   ``exclude``
``MINIFY_STATIC``             ``minify_static``            collectstatic minifies CSS/JS/SVG before hashing
``JS_MINIFIER``               ``js_minifier``              ``"auto"`` (minify-go where rjsmin would damage), ``"rjsmin"``, ``"minify-go"``
``REWRITE``                   ``rewrite``
``CACHE``                     ``cache``                    ``{% cache %}`` fragments: list of dicts
``EAGER_SELECTORS``           ``eager_selectors``
``USER_CONTEXT``              ``user_context``
``STATIC_TAGS``               ``static_tags``              your tags that print a static URL, e.g. ``versioned_static``
``BUNDLE_SELF_LOCATING``      ``bundle_self_locating``     globs of self-locating scripts bundled anyway
``CONSTANTS``                 ``constants``                names the same for every request
``USERS``                     ``users``                    ``verify --cache`` renders as these users
``IMAGES``                    ``images``                   collectstatic optimizes images, writes variants
``IMAGE_QUALITY``             ``image_quality``
``IMAGE_WIDTHS``              ``image_widths``             e.g. ``[480, 960, 1440]``; ``[]`` for none
``CRITICAL_CSS_MAX``          ``critical_css_max``         gzip bytes; ``CRITICAL_CSS`` is the tag's on/off switch
``CRITICAL_CSS_URLS``         ``critical_css_urls``        ``--browser`` pages critical CSS is measured on
``CRITICAL_CSS_STATES``       ``critical_css_states``      scripts: visitor states also measured (a saved theme)
============================  ===========================  =============================================

``MINIFY_STATIC`` (default ``False``) under collectstatic: each collected CSS/JS/SVG file that is not
``*.min.*`` nor a bundle is replaced in ``STATIC_ROOT`` by what ``assetopt build`` ships for it, before
Django hashes it (so the hashed file, its ``url()`` rewriting and its ``.gz``/``.br`` are the minified
bytes); a file the minifier would damage ships unminified with a warning naming it. Turning it off
puts the sources' bytes back on the next collectstatic.

Never set here, always derived from Django's own settings (``project.py``): ``templates`` (the
template engines' dirs and app dirs), ``static`` (what ``STATICFILES_FINDERS`` find), ``static_url``
(``STATIC_URL``) and ``out`` (``static_root()``).

``static_root()`` is the one answer to "where does the static output live": Django's own rule, the
staticfiles storage's ``location`` (``STORAGES["staticfiles"]["OPTIONS"]["location"]``, or whatever a
storage subclass passes), which defaults to ``STATIC_ROOT``. collectstatic writes there, so the
manifest default, ``manage.py assetopt``'s ``out``, the system checks and the served folders all read
it here; a reader of ``STATIC_ROOT`` alone would look in a folder collectstatic never wrote. A relative ``CACHE_DIR`` is relative to ``BASE_DIR``
(or the current directory). An unknown key or a value of the wrong type is an ``ImproperlyConfigured``
naming it (system check ``assetopt.E004``). At request time the template tags read ``tag_settings()``,
which never raises: an invalid ``ASSETOPT`` logs one warning per process and the tags render their
original markup (the rollback), so a typo can never take the site (or its 500 page) down.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, InvalidStorageError
from django.core.signals import setting_changed

from ...build.manifest import MANIFEST_NAME

# ASSETOPT key -> Config field
CONFIG_FIELDS = {
    "CACHE_DIR": "cache_dir",
    "INCLUDE_APP_TEMPLATES": "include_app_templates",
    "CACHE_ALIAS": "cache_alias",
    "DECLARED_BUNDLES": "bundles",
    "PAGE_TEMPLATES": "pages",
    "PAGES": "urls",
    "USER": "user",
    "EXCLUDE": "exclude",
    "MINIFY_STATIC": "minify_static",
    "JS_MINIFIER": "js_minifier",
    "REWRITE": "rewrite",
    "CACHE": "cache",
    "EAGER_SELECTORS": "eager_selectors",
    "USER_CONTEXT": "user_context",
    "STATIC_TAGS": "static_tags",
    "BUNDLE_SELF_LOCATING": "bundle_self_locating",
    "CONSTANTS": "constants",
    "USERS": "users",
    "IMAGES": "images",
    "IMAGE_QUALITY": "image_quality",
    "IMAGE_WIDTHS": "image_widths",
    "CRITICAL_CSS_MAX": "critical_css_max",
    "CRITICAL_CSS_URLS": "critical_css_urls",
    "CRITICAL_CSS_STATES": "critical_css_states",
}
EMIT_MODES = ("bundle", "compressor")
KNOWN = {"BUNDLES", "STRICT", "MANIFEST", "EMIT", "OFFLINE_COMPRESS", "CRITICAL_CSS"} | set(CONFIG_FIELDS)
_DERIVED = {
    "TEMPLATES": "settings.TEMPLATES",
    "STATIC": "STATICFILES_FINDERS and STATICFILES_DIRS",
    "STATIC_URL": "settings.STATIC_URL",
    "OUT": "the staticfiles storage's location (STATIC_ROOT by default)",
}
logger = logging.getLogger("assetopt")
_warned_invalid: set[str] = set()


def options() -> dict[str, Any]:
    raw = getattr(settings, "ASSETOPT", {}) or {}
    if not isinstance(raw, dict):
        raise ImproperlyConfigured(f"ASSETOPT must be a dict, got {type(raw).__name__}")
    derived = sorted(set(raw) & set(_DERIVED))
    if derived:
        raise ImproperlyConfigured("; ".join(f"ASSETOPT[{k!r}] is not a setting: it comes from {_DERIVED[k]}" for k in derived))
    unknown = set(raw) - KNOWN
    if unknown:
        raise ImproperlyConfigured(f"ASSETOPT has unknown key(s) {sorted(unknown)}; known: {sorted(KNOWN)}")
    emit = raw.get("EMIT", "bundle")
    if emit not in EMIT_MODES:
        raise ImproperlyConfigured(f"ASSETOPT['EMIT'] must be one of {EMIT_MODES}, got {emit!r}")
    for key in ("OFFLINE_COMPRESS", "STRICT", "BUNDLES", "CRITICAL_CSS"):
        # "False" or "no" would read as True: only real booleans (BUNDLES may be None: DEBUG decides)
        value = raw.get(key)
        if value is not None and not isinstance(value, bool):
            raise ImproperlyConfigured(f"ASSETOPT[{key!r}] must be True or False, got {value!r}")
    manifest = raw.get("MANIFEST")
    if manifest is not None and not isinstance(manifest, (str, os.PathLike)):
        raise ImproperlyConfigured(f"ASSETOPT['MANIFEST'] must be a path string, got {manifest!r}")
    return raw


@dataclass(frozen=True)
class TagSettings:
    """What ``{% bundle %}`` and ``{% picture %}`` read on each render."""

    bundles: bool
    strict: bool
    manifest: Path | None
    critical_css: bool = True


_ROLLBACK = TagSettings(bundles=False, strict=False, manifest=None, critical_css=False)
# tag_settings() as last computed, until a setting changes (None: compute it again). Computing it asks
# the staticfiles storage for its location and resolve()s it: lstat calls on every render otherwise.
_tag_settings: TagSettings | None = None


def _forget_tag_settings(**_kwargs: Any) -> None:
    """Any ``setting_changed`` (``override_settings``, either way): Django resets its staticfiles storage
    on the same signal, so the next render asks the new one. Any setting, not a list: ``BASE_DIR``
    (a relative ``MANIFEST``), a storage's own options and ``ASSETOPT`` all feed the answer, and the
    signal is only sent by tests."""
    global _tag_settings
    _tag_settings = None


setting_changed.connect(_forget_tag_settings)


def tag_settings() -> TagSettings:
    """The settings the template tags use; never raises. Memoized until a setting changes (the
    manifest's own contents are not: ``tag_memo.read_manifest`` stats it on each render and reads a
    rebuilt one again). An invalid ``ASSETOPT`` (``manage.py check`` reports it as E004), or a staticfiles
    storage that cannot start when asked for its location, logs one warning per distinct problem per
    process and gives the rollback: the tags print their inner markup, as with ``BUNDLES = False``. The
    rollback is never memoized: a fixed ``staticfiles.json`` (collectstatic again) is seen on the next render."""
    global _tag_settings
    hit = _tag_settings
    if hit is not None:
        return hit
    try:
        hit = TagSettings(bundles=bundles_enabled(), strict=strict(), manifest=manifest_path(), critical_css=critical_css())
    except (ImproperlyConfigured, ValueError, OSError) as exc:
        # ValueError/OSError: the staticfiles storage, asked where its output lives, could not start
        # (Django's manifest storage raises ValueError on a corrupt staticfiles.json)
        what = "settings.ASSETOPT is invalid" if isinstance(exc, ImproperlyConfigured) else "the staticfiles storage cannot start"
        problem = f"{what} ({exc})"
        if problem not in _warned_invalid:
            _warned_invalid.add(problem)
            logger.warning(
                "assetopt: %s: {%% bundle %%} and {%% picture %%} render their original tags until it is fixed (see `manage.py check`)",
                problem,
            )
        return _ROLLBACK
    _tag_settings = hit
    return hit


def bundles_enabled() -> bool:
    value = options().get("BUNDLES")
    return (not settings.DEBUG) if value is None else bool(value)


def strict() -> bool:
    return bool(options().get("STRICT", False))


def critical_css() -> bool:
    """Whether ``{% bundle "css" %}`` inlines the critical CSS the manifest has (``CRITICAL_CSS``)."""
    return bool(options().get("CRITICAL_CSS", True))


def emit() -> str:
    return str(options().get("EMIT", "bundle"))


def offline_compress() -> bool:
    """Whether collectstatic runs django-compressor's offline compression (when the project uses it)."""
    return bool(options().get("OFFLINE_COMPRESS", True))


def manifest_path() -> Path | None:
    value = options().get("MANIFEST")
    if value:  # relative to BASE_DIR, like CACHE_DIR: collectstatic and the server may start in other folders
        path, base = Path(value), getattr(settings, "BASE_DIR", None)
        return path if path.is_absolute() or not base else Path(base) / path
    root = static_root()
    return root / MANIFEST_NAME if root else None


def static_root() -> Path | None:
    """The folder collectstatic writes to: the staticfiles storage's ``location`` (Django's rule; it is
    ``STORAGES["staticfiles"]["OPTIONS"]["location"]`` when set, else ``STATIC_ROOT``), or ``None`` when
    there is none. A storage that is not a folder on this machine (S3 and the like: its ``location`` is
    a key prefix) gives ``STATIC_ROOT``, as before. Raises ``ImproperlyConfigured`` (Django's
    ``InvalidStorageError``) when the storage cannot be made."""
    try:
        is_folder = isinstance(staticfiles_storage, FileSystemStorage)  # the lazy object: the instance collectstatic uses
    except InvalidStorageError:
        raise
    except ImproperlyConfigured:
        if not getattr(settings, "STATIC_ROOT", None):
            return None  # Django's manifest storage refuses to start without a folder: there is none
        raise
    if is_folder:
        location = staticfiles_storage.location
        return Path(location).resolve() if location else None
    root = getattr(settings, "STATIC_ROOT", None)
    return Path(root).resolve() if root else None
