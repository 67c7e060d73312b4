"""The ``{% picture %}`` tag (registered by ``templatetags/assetopt.py``).

``{% picture %}<img src="{% static 'img/photo.jpg' %}" ...>{% endpicture %}`` prints the ``<img>`` inside
a ``<picture>`` with a ``<source>`` per modern format and ``srcset``/``sizes`` from the manifest's
``images`` section (``responsive.py``); every URL goes through ``static()``, so hashed names work. It
prints its inner markup unchanged when bundling is off (the same rollback switch), when the manifest
is missing or does not list the image, when the storage cannot name a file, or when the markup is not
exactly one ``<img>`` whose ``src`` is a ``{% static %}`` path: never an error, never a 500.
"""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Callable
from typing import Any

from django import template
from django.template.base import Node, NodeList, VariableDoesNotExist
from django.templatetags.static import StaticNode
from django.utils.safestring import SafeString, mark_safe

from ...build.manifest import Manifest, mime_type
from ...build.picture import picture_markup
from ...templates.lexer import Token, TokenKind
from ...templates.refs import strip_static_path
from ...templates.tags import StartTag, scan_tags
from . import conf, tag_memo

__all__ = ["PictureNode", "do_picture"]

logger = logging.getLogger("assetopt")
_warned_pictures: set[str] = set()


class PictureNode(Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString | str:
        inner = self.nodelist.render(context)
        settings = conf.tag_settings()
        if not settings.bundles:
            return inner
        text = str(inner)
        manifest = tag_memo.read_manifest(settings.manifest)
        # The markup is a function of the rendered <img>, the paths its {% static %} tags name, the
        # manifest and the storage's URLs: memoized on the first three (setting_changed clears the
        # memo when the last can change), so a render costs a dict lookup, not ~10 static() calls.
        key = (text, self._paths(context), settings.manifest, tag_memo.manifest_version(settings.manifest))
        if key in tag_memo.rendered:
            tag_memo.rendered.move_to_end(key)
            markup = tag_memo.rendered[key]
        else:
            markup = tag_memo.remember(tag_memo.rendered, key, self._markup(context, text, manifest, tag_memo.url_function(settings.manifest)))
        return inner if markup is None else mark_safe(markup)

    def _paths(self, context: template.Context) -> tuple[Any, ...]:
        return tuple(_resolve(n, context) for n in self._static_nodes)

    @functools.cached_property
    def _static_nodes(self) -> list[StaticNode]:
        """The ``{% static %}`` tags that print a URL (not ``as var``): fixed once compiled."""
        return [n for n in self.nodelist.get_nodes_by_type(StaticNode) if n.varname is None]

    def _markup(self, context: template.Context, text: str, manifest: Manifest | None, url: Callable[[str], str]) -> str | None:
        """The ``<picture>`` for rendered ``text``; None to print ``text`` as it is."""
        # rendered output is all markup: one TEXT token, so user data that looks like {{ }} stays text
        items = scan_tags(text, (Token(TokenKind.TEXT, 0, len(text), 1, text),))
        tags = [i for i in items if isinstance(i, StartTag)]
        if len(tags) != 1 or tags[0].name != "img":
            return None  # not one plain <img> (an author's <picture>, two images ...): left alone
        tag = tags[0]
        logical = self._logical(context, html.unescape(tag.get("src") or ""), url)
        image = manifest.images.get(logical) if manifest is not None and logical is not None else None
        if image is None or logical is None:
            return None
        fallback = mime_type(image.file)
        try:
            return picture_markup(text, tag, image, url, fallback)
        except ValueError as exc:
            # ManifestStaticFilesStorage raises for a name its staticfiles.json lacks: the plain
            # <img>, said once per image per process (not on every request)
            if logical not in _warned_pictures:
                _warned_pictures.add(logical)
                logger.warning("assetopt: {%% picture %%} of %s prints the plain <img>: %s", logical, exc)
            return None

    def _logical(self, context: template.Context, src: str, url: Callable[[str], str]) -> str | None:
        """The static path whose ``static()`` URL is the rendered ``src`` (None when none is)."""
        for node in self._static_nodes:
            try:
                path = node.path.resolve(context)
                if isinstance(path, str) and path and url(path) == src:
                    return strip_static_path(path)  # ' img/a.jpg ' as the build recorded it (a manifest storage strips them)
            except (ValueError, VariableDoesNotExist):
                continue
        return None


def _resolve(node: StaticNode, context: template.Context) -> Any:
    try:
        return node.path.resolve(context)
    except VariableDoesNotExist:
        return None


def do_picture(parser: template.base.Parser, token: template.base.Token) -> PictureNode:
    """``{% picture %}<img src="{% static 'img/photo.jpg' %}" alt="...">{% endpicture %}``."""
    if len(token.split_contents()) != 1:
        where = getattr(parser.origin, "template_name", None) or getattr(parser.origin, "name", "<template>")
        raise template.TemplateSyntaxError(f"{where}:{token.lineno}: {{% picture %}} takes no arguments, got {{% {token.contents} %}}")
    nodelist = parser.parse(("endpicture",))
    parser.delete_first_token()
    return PictureNode(nodelist)
