"""One frozen configuration value, built in one place.

Precedence: command-line flags over ``[tool.assetopt]`` in ``pyproject.toml`` (or the top level of
``assetopt.toml``) over defaults. Relative paths in a config file are relative to that file's folder;
relative paths given on the command line are relative to the current directory.

An unknown key, a wrong type or a missing directory is a ``ConfigError`` that names it.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .text import js_parsed

__all__ = [
    "Config",
    "DeclaredBundle",
    "CacheFragment",
    "load_config",
    "with_app_templates",
    "coerce_value",
    "config_to_toml",
    "CONFIG_KEYS",
    "TRANSFORMS",
    "JS_MINIFIERS",
]


@dataclass(frozen=True)
class DeclaredBundle:
    """``[tool.assetopt.bundles.NAME]``: a bundle built even if no template declares it (third-party
    templates, JS loaders). A ``{% bundle %}`` block listing the same files renders the same file."""

    name: str
    kind: str  # "css" or "js"
    files: tuple[str, ...]
    semantics: str  # css: media; js: "classic" or "defer"


@dataclass(frozen=True)
class CacheFragment:
    """``[[tool.assetopt.cache]]``: wrap the element ``selector`` matches in ``template`` in ``{% cache %}``."""

    template: str
    selector: str
    timeout: int
    name: str
    # What the view's and context processors' data in it depends on, as cheap stable ids
    # ("request.user.pk", "order.pk"); [] = the same for everyone; None = unknown (keyed per user and URL)
    vary: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Config:
    project: Path
    templates: tuple[Path, ...] = ()  # the project's own template dirs: audited, rewritten, reported on
    library_templates: tuple[Path, ...] = ()  # searched after `templates` to resolve names, never written nor audited
    include_app_templates: bool = False  # audit and rewrite `library_templates` too (the user opted in)
    static: tuple[Path, ...] = ()
    static_url: str = "/static/"
    out: Path = Path("build")
    cache_dir: Path = Path(".assetopt-cache")
    pages: tuple[str, ...] = ()  # template names audited as pages even if not full documents
    exclude: tuple[str, ...] = ()  # glob patterns of template names to skip
    minify_static: bool = False  # build and collectstatic: also minify the CSS/JS/SVG files outside bundles
    js_minifier: str = (
        "auto"  # "auto": rjsmin, minify-go where rjsmin would damage a script; "rjsmin": rjsmin only; "minify-go": minify-go first on every script
    )
    images: bool = True  # build: optimize JPEG/PNG/GIF in the output root and write WebP/AVIF siblings
    image_quality: int = 82  # build: JPEG quality; its WebP at quality + 9, AVIF at quality - 4 (SSIM-matched: bench/RESULTS.md)
    image_widths: tuple[int, ...] = (480, 960, 1440)  # build: downscaled copies for srcset (ascending)
    bundles: tuple[DeclaredBundle, ...] = ()  # bundles declared in config, built like {% bundle %} blocks
    rewrite: tuple[str, ...] = ("bundles", "images", "cache")  # transforms `rewrite` applies ("styles" is opt-in)
    cache: tuple[CacheFragment, ...] = ()  # {% cache %} fragments to insert
    cache_alias: str = ""  # {% cache ... using="alias" %}: point the alias at a dummy cache to roll back
    eager_selectors: tuple[str, ...] = ()  # CSS selectors of images that must stay eager (above the fold)
    user_context: tuple[str, ...] = ()  # context variables that depend on the user: cache fragments vary on it
    static_tags: tuple[str, ...] = ()  # the project's own tags that print a static URL like {% static %} ({% versioned_static %})
    bundle_self_locating: tuple[str, ...] = ()  # glob patterns of self-locating scripts bundled anyway (you checked they work)
    constants: tuple[str, ...] = ()  # context variables that are the same for every request (SITE_NAME...)
    users: tuple[str, ...] = ()  # verify --cache: usernames the leak check renders the pages as
    urls: tuple[str, ...] = ()  # --browser pages when no --url is given: URL paths ("/en/") or names ("core:dashboard")
    user: str = ""  # --browser: render the pages logged in as this user when no --user is given
    settings: str = ""  # the project's DJANGO_SETTINGS_MODULE: --browser and verify --cache render with it, rewrite compiles with its engine
    pythonpath: tuple[Path, ...] = ()  # --browser: dirs put first on sys.path so ``settings`` imports (default: the project)
    critical_css: bool = True  # optimize --browser: measure, inline and prove each CSS bundle's critical CSS
    critical_css_max: int = 14336  # gzip-compressed bytes: a bundle whose critical CSS is larger is not inlined (reported)
    critical_css_urls: tuple[str, ...] = ()  # pages critical CSS is measured on (default: urls); add the other text direction's
    source: str = "defaults"  # where the settings came from, for messages

    def describe(self) -> str:
        return self.source


# key -> (type check, help). Types: "dirs", "str", "path", "strs", "bool", "quality" (int 1-100), "urls" (URL paths or names).
CONFIG_KEYS: dict[str, tuple[str, str]] = {
    "project": (
        "dir",
        "the project's root: undo patches are relative to it; nothing outside it, out and cache_dir is written (default: this file's folder)",
    ),
    "templates": ("dirs", "template directories, searched in order like Django's DIRS"),
    "library_templates": (
        "dirs",
        "template directories of installed packages: read to resolve {% extends %}/{% include %}, never audited nor rewritten",
    ),
    "include_app_templates": ("bool", "also audit and rewrite the library_templates (default false)"),
    "static": ("dirs", "static source directories, searched in order like STATICFILES_DIRS"),
    "static_url": ("str", "the STATIC_URL prefix, e.g. /static/"),
    "out": ("path", "output directory of build/optimize"),
    "cache_dir": ("path", "cache directory (content-addressed; safe to delete)"),
    "pages": ("strs", "template names to audit as pages even if they are not full documents"),
    "exclude": ("strs", "glob patterns of template names to skip, e.g. 'admin/*'"),
    "minify_static": ("bool", "build and collectstatic: also minify the CSS/JS/SVG files outside bundles, in place (default false)"),
    "js_minifier": (
        "js_minifier",
        "auto (default: rjsmin, and where rjsmin would damage a script the parser-based minify-go, from assetopt[modern-js]), rjsmin (rjsmin only; a damaged script ships unminified) or minify-go (minify-go on every script, ~18 % smaller after brotli; needs assetopt[modern-js])",
    ),
    "images": ("bool", "build: optimize images in the output root and write .webp/.avif siblings (default true)"),
    "image_quality": ("quality", "build: JPEG quality 1-100 for re-encoded images (default 82)"),
    "image_widths": ("widths", "build: pixel widths of downscaled copies for srcset, e.g. [480, 960, 1440] ([] for none)"),
    "bundles": ("bundles", "named bundles to build: [tool.assetopt.bundles.NAME] kind, files, media or defer"),
    "rewrite": ("transforms", "transforms `assetopt rewrite` applies: bundles, images, cache, styles"),
    "cache": ("fragments", "[[tool.assetopt.cache]] template, selector, timeout, name: {% cache %} fragments"),
    "cache_alias": ("str", "cache alias for inserted {% cache %} tags (empty: the default cache)"),
    "eager_selectors": ("strs", "CSS selectors of images that stay eager (above the fold)"),
    "user_context": ("strs", "context variables (from your context processors) that depend on the user"),
    "static_tags": ("strs", "your own template tags that print a static URL like {% static 'path' %}, e.g. versioned_static"),
    "bundle_self_locating": ("strs", "glob patterns of static paths of self-locating scripts to bundle anyway, e.g. 'js/app.js'"),
    "constants": ("strs", "context variables that are the same for every request (cache fragments need no key for them)"),
    "users": ("strs", "verify --cache: usernames (at least two) the leak check renders every page as, plus an anonymous visitor"),
    "urls": ("urls", "--browser pages when no --url is given: URL paths (/en/) or URL names (core:dashboard, name:arg1,arg2)"),
    "user": ("str", "--browser: username the pages render as when no --user is given (empty: anonymous)"),
    "settings": (
        "str",
        "the project's DJANGO_SETTINGS_MODULE, e.g. mysite.settings: --browser and verify --cache render with it, rewrite compiles with its template engine (its tag libraries) and reads its context processors; manage.py assetopt sets it",
    ),
    "critical_css": (
        "bool",
        "optimize --browser: inline each CSS bundle's critical CSS (measured in Chromium, proven at first paint) and load the bundle without blocking render (default true)",
    ),
    "critical_css_max": ("bytes", "critical CSS larger than this many bytes gzip-compressed (as sent with the HTML) is not inlined (default 14336)"),
    "critical_css_urls": (
        "urls",
        "pages critical CSS is measured on, URL paths or names (default: urls); list a page of each text direction, e.g. /en/ and /ar/",
    ),
    "pythonpath": ("dirs", "directories put first on sys.path so `settings` imports (default: the project directory)"),
}
TRANSFORMS = ("bundles", "images", "cache", "styles")
JS_MINIFIERS = ("auto", "rjsmin", "minify-go")  # auto: rjsmin, and minify-go where rjsmin would damage a script
_MAX_WIDTH = 16383  # WebP's limit per side; wider copies could never have a WebP variant
_FRAGMENT_KEYS = {"template", "selector", "timeout", "name"}
_FRAGMENT_OPTIONAL = {"vary"}
_FRAGMENT_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_VARY_RE = re.compile(r"[A-Za-z_]\w*(?:\.\w+)*")
# Request values that are short strings already: cheap to compute, and two requests that differ in
# them are different requests.
_VARY_REQUEST = ("request.path", "request.get_full_path", "request.GET.", "request.COOKIES.", "LANGUAGE_CODE")


def _vary(value: Any, what: str, where: str) -> tuple[str, ...]:
    """A rule's ``vary``: template variables that are ids (``order.pk``, ``request.user.pk``,
    ``customer_id``) or short request strings. An object (``order``) is refused: its ``str()`` may run a
    query, and two objects that print the same would share one entry."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'{what}: vary must be a list of template variables, e.g. ["request.user.pk"]', path=where)
    for v in value:
        if not _VARY_RE.fullmatch(v):
            raise ConfigError(f"{what}: vary {v!r} is not a template variable", path=where, hint='e.g. "request.user.pk" or "order.pk"')
        last = v.rsplit(".", 1)[-1]
        if not (last in ("pk", "id") or last.endswith("_id") or v == "LANGUAGE_CODE" or v.startswith(_VARY_REQUEST)):
            raise ConfigError(
                f"{what}: vary {v!r} is not an id: key on {v}.pk (str() of an object may run a query, and two objects that print the same would share one entry)",
                path=where,
                hint='ids end in .pk, .id or _id; request strings such as "request.GET.q" are fine too',
            )
    if len(set(value)) != len(value):
        raise ConfigError(f"{what}: vary lists {value!r} with a repeat", path=where)
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


def _find_config_file(project: Path) -> tuple[Path, dict[str, Any]] | None:
    toml = project / "assetopt.toml"
    if toml.is_file():
        return toml, _read_toml(toml)
    pyproject = project / "pyproject.toml"
    if pyproject.is_file():
        data = _read_toml(pyproject)
        tool = data.get("tool", {})
        section = tool.get("assetopt") if isinstance(tool, dict) else None
        if section is not None:
            if not isinstance(section, dict):
                raise ConfigError(
                    "[tool.assetopt] must be a table of settings",
                    path=str(pyproject),
                    hint="write [tool.assetopt] on its own line, then key = value lines",
                )
            return pyproject, section
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=str(path)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 (byte offset {exc.start}): TOML files are UTF-8", path=str(path), hint="re-save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None


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


def load_config(project: Path | str = ".", overrides: dict[str, Any] | None = None, cwd: Path | None = None) -> Config:
    """Build the ``Config`` for ``project``. ``overrides`` come from the command line (None = unset)."""
    project = Path(project).resolve()
    if not project.is_dir():
        raise ConfigError(f"project directory {str(project)!r} does not exist")
    cwd = (cwd or Path.cwd()).resolve()
    values: dict[str, Any] = {}
    source = "defaults"
    found = _find_config_file(project)
    if found is not None:
        path, section = found
        where = str(path)
        source = where
        for key, value in section.items():
            if key not in CONFIG_KEYS:
                close = difflib.get_close_matches(key, CONFIG_KEYS, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(CONFIG_KEYS)}"
                raise ConfigError(f"unknown key {key!r} in [tool.assetopt]", path=where, hint=hint)
            values[key] = coerce_value(key, value, path.parent, where)
    for key, value in (overrides or {}).items():
        if value is None or value == ():
            continue
        values[key] = coerce_value(key, list(value) if isinstance(value, tuple) else value, cwd, "command line")
        source = f"{source} + command line" if source != "defaults" else "command line"
    project = Path(values.pop("project", project))
    for key in ("out", "cache_dir"):
        if key not in values:
            values[key] = project / getattr(Config, key)
    if not values.get("static_url", "/static/").endswith("/"):
        raise ConfigError("static_url must end with '/'", path=source)
    return with_app_templates(replace(Config(project=project), source=source, **values))


def with_app_templates(config: Config) -> Config:
    """``include_app_templates``: the library template dirs become the project's own (audited, rewritten)."""
    if not config.include_app_templates or not config.library_templates:
        return config
    own = config.templates + tuple(d for d in config.library_templates if d not in config.templates)
    return replace(config, templates=own, library_templates=())


assert set(CONFIG_KEYS) <= {f.name for f in fields(Config)}


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Path):
        value = value.as_posix()
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def config_to_toml(config: Config) -> str:
    """``config`` as an ``assetopt.toml`` (absolute paths) that ``load_config`` reads back to an equal
    value: how the Django edge hands its settings to the command line without importing it."""
    lines: list[str] = []
    tables: list[str] = []
    for key in CONFIG_KEYS:
        value = getattr(config, key)
        if key == "bundles":
            for b in value:
                semantics = {"media": b.semantics} if b.kind == "css" else {"defer": b.semantics == "defer"}
                tables.append(
                    f"[bundles.{_toml(b.name)}]\nkind = {_toml(b.kind)}\nfiles = {_toml(b.files)}\n"
                    + "".join(f"{k} = {_toml(v)}\n" for k, v in semantics.items())
                )
        elif key == "cache":
            for f in value:
                vary = "" if f.vary is None else f"vary = {_toml(f.vary)}\n"
                tables.append(
                    f"[[cache]]\ntemplate = {_toml(f.template)}\nselector = {_toml(f.selector)}\ntimeout = {f.timeout}\nname = {_toml(f.name)}\n{vary}"
                )
        else:
            lines.append(f"{key} = {_toml(value)}")
    return "\n".join(lines) + "\n" + "".join("\n" + t for t in tables)
