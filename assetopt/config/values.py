"""One config value checked and converted (``coerce_value``): types, ranges, directories that must
exist, folders assetopt will write, bundle and cache-fragment tables. Every refusal is a
``ConfigError`` that names the key and where it was set."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..templates.cache_keys import vary_problem, vary_set_problem
from ..text import js_parsed
from .keys import CONFIG_KEYS, JS_MINIFIERS, TRANSFORMS, CacheFragment, DeclaredBundle

__all__ = ["coerce_value"]

_MAX_WIDTH = 16383  # WebP's limit per side; wider copies could never have a WebP variant
_FRAGMENT_KEYS = {"template", "selector", "timeout", "name"}
_FRAGMENT_OPTIONAL = {"vary"}
_FRAGMENT_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_VARY_RE = re.compile(r"[A-Za-z_]\w*(?:\.\w+)*")


def _vary(value: Any, what: str, where: str) -> tuple[str, ...]:
    """A rule's ``vary``: template variables that are ids (``order.pk``, ``request.user.pk``,
    ``customer_id``) or request values whose ``str()`` is their content (``templates.cache_keys``). An
    object (``order``) is refused: its ``str()`` may run a query, and two objects that print the same
    would share one entry; so is a value that prints its address (``request.GET.items``,
    ``request.session``)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'{what}: vary must be a list of template variables, e.g. ["request.user.pk"]', path=where)
    for v in value:
        if not _VARY_RE.fullmatch(v):
            raise ConfigError(f"{what}: vary {v!r} is not a template variable", path=where, hint='e.g. "request.user.pk" or "order.pk"')
        why = vary_problem(v)
        if why:
            raise ConfigError(
                f"{what}: vary {v!r} {why}",
                path=where,
                hint='ids end in .pk, .id or _id; request strings such as "request.GET.q", "request.get_full_path" or "request.GET.urlencode" are fine too',
            )
    if len(set(value)) != len(value):
        raise ConfigError(f"{what}: vary lists {value!r} with a repeat", path=where)
    why = vary_set_problem(value)
    if why:
        raise ConfigError(f"{what}: vary {why}", path=where)
    return tuple(value)


def _fragments(value: Any, where: str) -> tuple[CacheFragment, ...]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError("cache must be an array of tables: [[tool.assetopt.cache]]", path=where)
    out: list[CacheFragment] = []
    for i, spec in enumerate(value, 1):
        what = f"cache #{i}"
        missing = _FRAGMENT_KEYS - set(spec)
        unknown = set(spec) - _FRAGMENT_KEYS - _FRAGMENT_OPTIONAL
        if missing or unknown:
            raise ConfigError(
                f"{what}: missing {sorted(missing)} / unknown {sorted(unknown)}",
                path=where,
                hint=f"keys: {sorted(_FRAGMENT_KEYS)}, optional {sorted(_FRAGMENT_OPTIONAL)}",
            )
        if not all(isinstance(spec[k], str) and spec[k] for k in ("template", "selector", "name")):
            raise ConfigError(f"{what}: template, selector and name must be non-empty strings", path=where)
        if not _FRAGMENT_NAME_RE.fullmatch(spec["name"]):
            raise ConfigError(f"{what}: name {spec['name']!r} must start with a letter or _ and hold only ASCII letters, digits, - or _", path=where)
        if any(f.name == spec["name"] for f in out):
            # Django keys fragments by name (and vary-on) only: two rules sharing a name would serve each other's HTML
            raise ConfigError(f"{what}: name {spec['name']!r} is used by another fragment", path=where, hint="give every fragment its own name")
        if not isinstance(spec["timeout"], int) or isinstance(spec["timeout"], bool) or spec["timeout"] <= 0:
            raise ConfigError(f"{what}: timeout must be a positive number of seconds", path=where)
        vary = _vary(list(spec["vary"]) if isinstance(spec.get("vary"), tuple) else spec["vary"], what, where) if "vary" in spec else None
        out.append(CacheFragment(spec["template"], spec["selector"], spec["timeout"], spec["name"], vary))
    return tuple(out)


_BUNDLE_KEYS = {"kind", "files", "media", "defer"}


def _urls(value: Any, key: str, where: str) -> tuple[str, ...]:
    """Pages as URL paths (``/en/``) or URL names (``core:dashboard``, ``sales:order_detail:1``): a
    value with a ``/`` that does not start with one (``en/``) is a path missing its slash, refused
    here rather than reversed as a name and failing later in a browser run."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key} must be a list of URL paths or URL names", path=where)
    for v in value:
        if not v.strip() or v != v.strip():
            raise ConfigError(f"{key}: {v!r} is empty or has surrounding spaces", path=where, hint='e.g. "/en/" or "core:dashboard"')
        if not v.startswith("/") and "/" in v and ":" not in v:
            raise ConfigError(f"{key}: {v!r} is neither a URL path (starting with /) nor a URL name", path=where, hint=f'did you mean "/{v}"?')
    return tuple(value)


def _bundles(value: Any, where: str) -> tuple[DeclaredBundle, ...]:
    if not isinstance(value, dict):
        raise ConfigError("bundles must be a table of tables: [tool.assetopt.bundles.NAME]", path=where)
    out = []
    for name, spec in sorted(value.items()):
        what = f"bundles.{name}"
        if not isinstance(spec, dict):
            raise ConfigError(f"{what} must be a table", path=where)
        unknown = set(spec) - _BUNDLE_KEYS
        if unknown:
            raise ConfigError(f"{what}: unknown key(s) {sorted(unknown)}", path=where, hint=f"known: {sorted(_BUNDLE_KEYS)}")
        kind = spec.get("kind")
        if kind not in ("css", "js"):
            raise ConfigError(f'{what}.kind must be "css" or "js", got {kind!r}', path=where)
        files = spec.get("files")
        if not isinstance(files, list) or not files or not all(isinstance(f, str) and f for f in files):
            raise ConfigError(f"{what}.files must be a non-empty list of static paths", path=where)
        if kind == "css":
            if "defer" in spec:
                raise ConfigError(f"{what}: defer is for js bundles", path=where)
            semantics = spec.get("media", "all")
            if not isinstance(semantics, str) or not semantics:
                raise ConfigError(f"{what}.media must be a string", path=where)
        else:
            if "media" in spec:
                raise ConfigError(f"{what}: media is for css bundles", path=where)
            defer = spec.get("defer", False)
            if not isinstance(defer, bool):
                raise ConfigError(f"{what}.defer must be true or false", path=where)
            semantics = "defer" if defer else "classic"
        out.append(DeclaredBundle(name, kind, tuple(files), semantics.lower()))
    return tuple(out)


_WRITTEN_DIRS = ("cache_dir", "out")  # folders assetopt creates and writes: checked before any work


def _check_dir_usable(key: str, path: Path, where: str) -> None:
    """``path`` is a folder or can become one: it is not a file, nor below one."""
    for at in (path, *path.parents):
        try:
            is_dir = at.is_dir()
            exists = is_dir or at.exists()
        except OSError as exc:  # a name too long, a loop of links
            raise ConfigError(f"{key} {str(path)!r} is not a usable folder: {exc.strerror or exc}", path=where) from exc
        if not exists:
            continue
        if not is_dir:
            what = "is a file" if at == path else f"is below the file {str(at)!r}"
            raise ConfigError(
                f"{key} {str(path)!r} {what}: it must be a folder assetopt can create and write",
                path=where,
                hint=f"point {key} at a folder (or delete the file)",
            )
        return


def _check_manifest_usable(path: Path, where: str) -> None:
    """``path`` names a file assetopt can write: not a folder, not below a file."""
    if path.is_dir():
        raise ConfigError(f"manifest {str(path)!r} is a folder: it names the file", path=where, hint=f"e.g. {str(path / 'assetopt-manifest.json')!r}")
    for at in path.parents:
        if at.exists():
            if not at.is_dir():
                raise ConfigError(f"manifest {str(path)!r} is below the file {str(at)!r}", path=where, hint="point manifest at a file in a folder")
            return


def coerce_value(key: str, value: Any, base: Path, where: str) -> Any:
    """One value of ``CONFIG_KEYS`` checked and converted as a config file's would be (relative paths
    from ``base``); raises ``ConfigError``. Also used by edges that gather settings elsewhere (Django)."""
    kind = CONFIG_KEYS[key][0]
    if kind == "bundles":
        return _bundles(value, where)
    if kind == "fragments":
        return _fragments(value, where)
    if kind == "transforms":
        names = tuple(value) if isinstance(value, (list, tuple)) else tuple(str(value).split(","))
        bad = [n for n in names if n not in TRANSFORMS]
        if bad:
            raise ConfigError(f"{key}: unknown transform(s) {bad}", path=where, hint=f"choose from {', '.join(TRANSFORMS)}")
        return names
    if kind == "urls":
        return _urls(value, key, where)
    if kind == "js_minifier":
        if value not in JS_MINIFIERS:
            raise ConfigError(
                f"{key} must be one of {', '.join(JS_MINIFIERS)}, got {value!r}",
                path=where,
                hint='"auto" uses minify-go where rjsmin would damage a script',
            )
        if value == "minify-go" and not js_parsed.available():
            raise ConfigError(
                f'{key} = "minify-go" but minify-go is not installed', path=where, hint=f'{js_parsed.INSTALL_HINT}, or js_minifier = "auto"'
            )
        return value
    if kind == "quality":
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100:
            raise ConfigError(f"{key} must be a whole number from 1 to 100, got {value!r}", path=where)
        return value
    if kind == "bytes":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1_000_000:
            raise ConfigError(f"{key} must be a whole number of bytes from 0 to 1000000, got {value!r}", path=where, hint="e.g. 14336")
        return value
    if kind == "widths":
        if isinstance(value, tuple):
            value = list(value)
        if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) and 16 <= v <= _MAX_WIDTH for v in value):
            raise ConfigError(
                f"{key} must be a list of whole numbers of pixels from 16 to {_MAX_WIDTH}, got {value!r}",
                path=where,
                hint="e.g. image_widths = [480, 960, 1440]",
            )
        if len(set(value)) != len(value):
            raise ConfigError(f"{key} lists a width twice: {value!r}", path=where)
        return tuple(sorted(value))
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{key} must be true or false, got {value!r}", path=where)
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise ConfigError(f"{key} must be a string, got {type(value).__name__}", path=where)
        return value
    if kind == "dir":
        if not isinstance(value, str):
            raise ConfigError(f"{key} must be a path string, got {type(value).__name__}", path=where)
        p = Path(value) if Path(value).is_absolute() else base / value
        if not p.is_dir():
            raise ConfigError(f"{key}: directory {value!r} does not exist (looked for {p})", path=where, hint="fix the path")
        return p.resolve()
    if kind == "path":
        if not isinstance(value, str):
            raise ConfigError(f"{key} must be a path string, got {type(value).__name__}", path=where)
        if "\0" in value:
            raise ConfigError(f"{key} {value!r} is not a valid path (it holds a NUL character)", path=where)
        path = (base / value).resolve() if not Path(value).is_absolute() else Path(value)
        if key in _WRITTEN_DIRS:
            _check_dir_usable(key, path, where)
        elif key == "manifest":
            _check_manifest_usable(path, where)
        return path
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key} must be a list of strings", path=where)
    if kind == "strs":
        return tuple(value)
    dirs = []
    for v in value:
        p = Path(v)
        p = p if p.is_absolute() else (base / p)
        if not p.is_dir():
            raise ConfigError(
                f"{key}: directory {v!r} does not exist (looked for {p})",
                path=where,
                hint="fix the path or create the directory",
            )
        dirs.append(p.resolve())
    return tuple(dirs)
