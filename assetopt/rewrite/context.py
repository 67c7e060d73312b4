"""What the template transforms need to know about the project, gathered once before planning.

A frozen value: ``context_from_config`` fills the settings from a ``Config``; ``rewrite.project``
adds the project facts (image roles and sizes, style scope). Nothing here reads files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..config import CacheFragment as CacheRule
from ..config import Config
from ..templates.cache_reads import CacheFacts
from ..text.inline_js import ScriptFacts

if TYPE_CHECKING:
    from .layout_facts import Layout
    from .styles.scope import StyleScope

__all__ = ["RewriteContext", "CacheRule", "context_from_config", "DEFAULT_ONLY"]

DEFAULT_ONLY = frozenset({"bundles", "images", "cache"})  # "styles" is opt-in


@dataclass(frozen=True)
class RewriteContext:
    static_url: str = "/static/"
    only: frozenset[str] = DEFAULT_ONLY
    emit: str = "bundle"  # or "compressor"
    # template name -> its file's key (``Project.file_key``: the real path), so every fact about a file is
    # keyed by the file, never by one of its names: two names of one file (overlapping template dirs,
    # symlinks) get one decision. A name not in it is its own key (a template planned alone).
    files: Mapping[str, str] = field(default_factory=dict)
    # (file key, start offset of the <img>) -> "chrome" | "lcp" | "below", from every page that
    # renders it under any name (``fold.image_roles``); an image no page renders is absent.
    image_roles: Mapping[tuple[str, int], str] = field(default_factory=dict)
    # logical static path -> (width, height) as displayed (EXIF orientation applied), read by images.py
    image_sizes: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    cache_rules: tuple[CacheRule, ...] = ()
    cache_alias: str = ""  # {% cache ... using="alias" %} when set: the rollback switch
    eager_selectors: tuple[str, ...] = ()  # CSS selectors of images that must stay eager
    # file key -> start offsets of the tags ``eager_selectors`` match, for the templates
    # ``rewrite.plan_project`` already matched (one bs4 parse each); others are matched when planned
    eager_matches: Mapping[str, frozenset[int]] = field(default_factory=dict)
    # what the project says about names the templates cannot explain (user_context, constants; in
    # Django mode the context processors and which custom tags take the context)
    cache_facts: CacheFacts = field(default_factory=CacheFacts)
    # "styles": where inline styles may move, from every page (``rewrite_styles.style_scope``); None
    # judges each template alone, as the one page it renders
    styles: StyleScope | None = None
    # "images": wrap raster <img src="{% static %}"> in {% picture %} (modern formats, srcset); on
    # when the build makes variants (config ``images``)
    pictures: bool = False
    # file keys of the templates only HTML e-mails render (``templates.email``): never rewritten
    emails: frozenset[str] = frozenset()
    # logical path -> why that script finds its files by its own URL (never bundled; io.scripts)
    self_locating: Mapping[str, str] = field(default_factory=dict)
    # logical paths of stylesheets/scripts the templates load that the static dirs do not hold
    # (io.scripts): never bundled, the build could not join them
    missing_static: frozenset[str] = frozenset()
    # logical path -> what was read from that script (io.scripts): why it cannot be deferred, the names
    # it spells. None (not read at all) defers nothing: a run whose files were not read stays blocking
    script_facts: Mapping[str, ScriptFacts] | None = None
    # "images": where each <img> landed in Chromium (``optimize --browser``'s layout pass,
    # ``rewrite.layout_facts``); None: the template rules decide the roles and ``sizes`` stays the
    # ``{% picture %}`` tag's default
    layout: Layout | None = None
    # from ``layout``, filled by ``rewrite.plan_project``: (file key, offset) -> the ``sizes`` to
    # write on that <img>, and why its role in ``image_roles`` is what the layout made it
    layout_sizes: Mapping[tuple[str, int], str] = field(default_factory=dict)
    layout_reasons: Mapping[tuple[str, int], str] = field(default_factory=dict)
    # the <img> tags the layout keeps eager (``chrome``) that the template rules alone would make lazy
    # or the LCP candidate: they get loading="eager", so a later run without a layout (CI's --check)
    # reads the written choice as the author's and agrees with it instead of undoing it
    layout_pinned: frozenset[tuple[str, int]] = frozenset()

    def file_key(self, name: str) -> str:
        """The key of the file the template ``name`` is (``files``), or ``name`` when unknown."""
        return self.files.get(name, name)


def context_from_config(config: Config, only: frozenset[str] | None = None, emit: str = "bundle") -> RewriteContext:
    """The transforms' settings from a ``Config`` (``only`` defaults to its ``rewrite`` list); the
    project facts (image roles and sizes) are added by ``rewrite.plan_project``."""
    return RewriteContext(
        static_url=config.static_url,
        only=frozenset(config.rewrite) if only is None else only,
        emit=emit,
        cache_rules=config.cache,
        cache_alias=config.cache_alias,
        eager_selectors=config.eager_selectors,
        cache_facts=CacheFacts(user_context=config.user_context, constants=config.constants),
        pictures=config.images,
    )
