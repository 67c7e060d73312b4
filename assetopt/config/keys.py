"""The configuration value: ``Config`` (frozen; its fields carry the defaults), the tables it holds
(``DeclaredBundle``, ``CacheFragment``), and ``CONFIG_KEYS``, every key a config file may set with its
type and help."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

__all__ = ["Config", "DeclaredBundle", "CacheFragment", "CONFIG_KEYS", "TRANSFORMS", "JS_MINIFIERS"]


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
    # the assetopt-manifest.json build writes and audit, critical and verify read (None: ``out``'s own,
    # ``build.manifest.manifest_file``); manage.py assetopt sets it from ASSETOPT["MANIFEST"]
    manifest: Path | None = None
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
    critical_css_states: tuple[str, ...] = ()  # scripts run before a page's own, each a state critical CSS is also measured and proven in
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
    "manifest": (
        "path",
        "the assetopt-manifest.json that build writes and audit, critical and verify read (default: out/assetopt-manifest.json; a command's --out names another static root, with its own manifest); manage.py assetopt sets it from ASSETOPT['MANIFEST']",
    ),
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
    "urls": (
        "urls",
        "--browser pages when no --url is given: URL paths (/en/) or URL names (core:dashboard, name:arg1,arg2; name@ar: in that language)",
    ),
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
    "critical_css_states": (
        "strs",
        "scripts run before each measured page's own, each a visitor state critical CSS is also measured and proven in, e.g. \"localStorage.setItem('theme', 'dark')\" (default: none)",
    ),
    "pythonpath": ("dirs", "directories put first on sys.path so `settings` imports (default: the project directory)"),
}
TRANSFORMS = ("bundles", "images", "cache", "styles")
JS_MINIFIERS = ("auto", "rjsmin", "minify-go")  # auto: rjsmin, and minify-go where rjsmin would damage a script


assert set(CONFIG_KEYS) <= {f.name for f in fields(Config)}
