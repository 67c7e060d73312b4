"""What a piece of template code reads and binds, for the cache-fragment analysis (``cache_fragments``).

A ``{{ }}`` or ``{% %}`` token reads variable paths (``order.number``), uses filters and may translate;
a tag may bind names (``{% for a, b in x %}``, ``{% with a=x %}``, ``... as name``, ``asvar name``,
``{% blocktrans with a=x count n=y %}``). Where the value a fragment reads was computed outside it
(an ``as``-alias, a ``{% with %}`` name), the fragment depends on what *that* code read: ``aliases``
lists the binding tokens so the analysis can follow them.

``CacheFacts`` is what the project tells the analysis beyond the template: names declared per user
or constant, and, in Django mode (gathered by ``contrib/django/cache_facts.py`` from the settings),
which context processor provides which name and which custom tags take the context.

Pure: tokens in, names out. Never imports Django's settings (``smart_split`` is a string helper).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.text import smart_split

from .lexer import Token, TokenKind

__all__ = [
    "CacheFacts",
    "BUILTIN_TAGS",
    "CONSTANT_VARS",
    "aliases",
    "binds_of",
    "reads_in",
    "reads_of",
    "with_bindings",
]

_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_FILTER_RE = re.compile(r"\|\s*(\w+)")
_WORD_RE = re.compile(r"[A-Za-z_]\w*(?:\.\w+)*|\d[\w.]*|==|!=|<=|>=|=|\S")
_GETTEXT_RE = re.compile(r"(?<![\w.])_\(")
_NO_READS = frozenset(
    {"load", "filter", "autoescape", "spaceless", "comment", "verbatim", "plural", "else", "empty", "templatetag", "lorem", "debug"}
)
_LITERALS = frozenset({"None", "True", "False", "_"})
_KEYWORDS: dict[str, frozenset[str]] = {
    "if": frozenset({"and", "or", "not", "in", "is"}),
    "elif": frozenset({"and", "or", "not", "in", "is"}),
    "for": frozenset({"in", "reversed"}),
    "blocktrans": frozenset({"with", "count", "context", "trimmed", "asvar"}),
    "blocktranslate": frozenset({"with", "count", "context", "trimmed", "asvar"}),
    "trans": frozenset({"noop", "context", "as"}),
    "translate": frozenset({"noop", "context", "as"}),
    "include": frozenset({"with", "only"}),
    "with": frozenset({"as"}),
    "regroup": frozenset({"by", "as"}),
    "cycle": frozenset({"as", "silent"}),
    "firstof": frozenset({"as"}),
    "url": frozenset({"as"}),
    "localize": frozenset({"on", "off"}),
    "localtime": frozenset({"on", "off"}),
    "get_language_info": frozenset({"for", "as"}),
    "get_language_info_list": frozenset({"for", "as"}),
    "widthratio": frozenset({"as"}),
}

# Tags of Django's own libraries (builtins, i18n, l10n, tz, static, cache) and of assetopt's: their
# reads are their arguments (and, for block tags, the tokens between their delimiters). Any other tag
# is custom code whose Node.render gets the whole context.
BUILTIN_TAGS = frozenset(
    {
        "autoescape",
        "block",
        "comment",
        "csrf_token",
        "cycle",
        "debug",
        "extends",
        "filter",
        "firstof",
        "for",
        "empty",
        "if",
        "elif",
        "else",
        "ifchanged",
        "include",
        "load",
        "lorem",
        "now",
        "querystring",
        "regroup",
        "resetcycle",
        "spaceless",
        "templatetag",
        "url",
        "verbatim",
        "widthratio",
        "with",
        "trans",
        "translate",
        "blocktrans",
        "blocktranslate",
        "plural",
        "language",
        "get_current_language",
        "get_current_language_bidi",
        "get_language_info",
        "get_language_info_list",
        "get_available_languages",
        "localize",
        "localtime",
        "timezone",
        "get_current_timezone",
        "static",
        "get_static_prefix",
        "get_media_prefix",
        "cache",
        "bundle",
        "picture",
        "compress",
    }
)
# Names Django's context processors fill with a setting: the same for every request.
CONSTANT_VARS = frozenset({"STATIC_URL", "MEDIA_URL", "LANGUAGES"})


@dataclass(frozen=True)
class CacheFacts:
    """What the project says about names a template cannot explain.

    ``user_context``: names that depend on the signed-in user (``[tool.assetopt] user_context``).
    ``constants``: names that are the same for every request (``constants``; ``SITE_NAME``...).
    ``processors``: Django mode: name -> the context processor providing it (per request).
    ``tags``: Django mode: custom tag -> "args" (a ``simple_tag``/``inclusion_tag`` that reads only its
    arguments) or "context" (``takes_context=True`` or a hand-written tag); None outside Django mode,
    where every custom tag may take the context.
    """

    user_context: tuple[str, ...] = ()
    constants: tuple[str, ...] = ()
    processors: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] | None = None


def reads_of(tok: Token) -> tuple[list[str], set[str], bool]:
    """(variable paths read, filters used, uses ``_("...")``) of one ``{{ }}`` or ``{% %}`` token."""
    if tok.kind is not TokenKind.BLOCK:
        return reads_in(tok.contents)
    tag, _, args = tok.contents.strip().partition(" ")
    if tag in _NO_READS or tag.startswith("end"):
        return [], set(), False
    return reads_in(args, tag)


def reads_in(text: str, tag: str = "") -> tuple[list[str], set[str], bool]:
    """The reads of a variable expression, or of the arguments of the tag ``tag``."""
    translated = bool(_GETTEXT_RE.search(text))
    keywords = _KEYWORDS.get(tag, frozenset({"as", "asvar"} if tag else ()))
    text = _STRING_RE.sub(" ", text)
    filters = set(_FILTER_RE.findall(text))
    words = [m.group() for m in _WORD_RE.finditer(_FILTER_RE.sub(" ", text))]
    paths = []
    in_loop_vars = tag == "for"
    for i, word in enumerate(words):
        if in_loop_vars:  # {% for a, b in x %}: a and b are assigned, not read
            in_loop_vars = word != "in"
            continue
        if not (word[0].isalpha() or word[0] == "_") or word in _LITERALS or word in keywords:
            continue
        if (i + 1 < len(words) and words[i + 1] == "=") or (i > 0 and words[i - 1] in ("as", "asvar", "by")):
            continue  # an assignment target or a regroup attribute, not a read
        paths.append(word)
    return paths, filters, translated


def binds_of(tok: Token) -> list[str]:
    """The names a tag binds for the code after it: loop variables, ``with`` names, ``as``/``asvar``
    targets, ``blocktrans with``/``count`` names."""
    if tok.kind is not TokenKind.BLOCK:
        return []
    bits = list(smart_split(tok.contents))
    tag, args = bits[0] if bits else "", bits[1:]
    out: list[str] = []
    if tag == "for":
        names = " ".join(args[: args.index("in")] if "in" in args else args)
        out += [n.strip() for n in names.split(",") if n.strip()]
    elif tag == "with":
        out += list(with_bindings(tok))
    elif tag in ("blocktrans", "blocktranslate"):
        out += [b.partition("=")[0] for b in args if "=" in b and not b.startswith(("'", '"'))]
    for i, bit in enumerate(args[:-1]):
        if bit in ("as", "asvar") and tag != "with":
            out.append(args[i + 1])
    return out


def with_bindings(tok: Token) -> dict[str, list[str]]:
    """``{% with a=x.y b=z %}`` (or ``{% with x.y as a %}``) -> {"a": ["x.y"], "b": ["z"]}."""
    bits = list(smart_split(tok.contents))[1:]
    if len(bits) == 3 and bits[1] == "as":
        return {bits[2]: reads_in(bits[0])[0]}
    out = {}
    for bit in bits:
        name, eq, expr = bit.partition("=")
        if eq:
            out[name] = reads_in(expr)[0]
    return out


def aliases(code: tuple[Token, ...]) -> dict[str, list[Token]]:
    """Name -> the tokens that bind it with ``as``/``asvar`` (``firstof``, ``url``, ``regroup``,
    ``cycle``, ``trans``, ``blocktrans``, custom ``... as x``): a read of the name reads what they read."""
    out: dict[str, list[Token]] = {}
    for tok in code:
        if tok.kind is TokenKind.BLOCK and tok.tag_name not in ("for", "with"):
            for name in binds_of(tok):
                if tok.tag_name not in ("blocktrans", "blocktranslate") or name == _asvar(tok):
                    out.setdefault(name, []).append(tok)
    return out


def _asvar(tok: Token) -> str:
    bits = tok.contents.split()
    return bits[bits.index("asvar") + 1] if "asvar" in bits[:-1] else ""
