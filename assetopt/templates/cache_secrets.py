"""Whether a ``{% cache %}`` fragment renders something that looks like a secret (``cache_fragments``).

A cached fragment is written into the cache backend (Redis, memcached, a database table: shared
infrastructure, often less protected than the database, kept until the timeout) and shown stale until
then: a user's recovery codes, an authenticator secret or an API token must never go there, and a
regenerated code must never show the old one. The template cannot say what a value is, so the rule
reads names, conservatively: a variable path, a custom tag's name or an enclosing loop's iterable
whose identifier segments (split on ``.``, ``_``, ``-`` and camelCase, lower-cased) hold a secret word
(``SECRET_WORDS``, singular or plural) or a run of segments of a secret phrase (``SECRET_PHRASES``).
Whole segments only: ``tokenize``, ``secretary`` and ``passwordless`` are no secrets. ``csrf_token``
is left to the CSRF rules of ``cache_fragments``. A name bound in the template is judged by its own
name and by what it was computed from (``reads`` holds both), except a link or a text
(``{% url ... as change_password_url %}``, ``{% trans ... as x %}``), judged by its arguments. A condition
(``{% if %}``/``{% elif %}``) shows no value and is not read for secrets. An ``<input
type="password">`` whose value is template code is refused too.

Pure: a ``Template`` and the fragment's reads in, ``(offset, reason)`` problems out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .cache_reads import BUILTIN_TAGS, aliases, binds_of, reads_in
from .lexer import Token
from .model import Template
from .nodes import ForNode
from .tags import OpaqueTag, StartTag

__all__ = ["SECRET_PHRASES", "SECRET_WORDS", "secret_in", "secret_problems", "segments_of"]

# One identifier segment, singular or with a trailing "s".
SECRET_WORDS = frozenset(
    {"secret", "token", "password", "passwd", "passphrase", "recovery", "otp", "totp", "hotp", "otpauth", "seed", "apikey", "privkey"}
)
# Runs of segments (the last one singular or with a trailing "s"): api_key, apiKey, backup_codes, unused_codes...
SECRET_PHRASES = (
    ("api", "key"),
    ("private", "key"),
    ("access", "key"),
    ("signing", "key"),
    ("bin", "key"),  # django-otp's TOTPDevice.bin_key
    ("unused", "code"),
    ("backup", "code"),
    ("mfa", "code"),
    ("login", "code"),
    ("verification", "code"),
)
_WHY = "looks like a secret: never put secrets into a cache backend"
_SPLIT_RE = re.compile(r"[^A-Za-z0-9]+")
_CAMEL_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_COUNTS = frozenset({"count", "counts", "total", "num", "length", "len"})
_TEXT_BINDERS = frozenset({"url", "static", "trans", "translate"})
_CONDITIONS = frozenset({"if", "elif"})
_PASSWORD_RE = re.compile(r"""\stype\s*=\s*["']?\s*password\b""", re.IGNORECASE)


def segments_of(name: str) -> tuple[str, ...]:
    """The lower-cased identifier segments of a dotted name: ``user.apiKey_set`` -> user, api, key, set."""
    return tuple(m.group().lower() for part in _SPLIT_RE.split(name) for m in _CAMEL_RE.finditer(part))


def _is(segment: str, word: str) -> bool:
    return segment == word or segment == word + "s"


def secret_in(name: str) -> str:
    """The secret word or phrase ``name`` holds ("" if none): ``recovery_codes.unused_codes`` -> "recovery"."""
    segs = segments_of(name)
    for i, seg in enumerate(segs):
        if _is(seg, "token") and i > 0 and segs[i - 1] == "csrf":
            continue  # the CSRF token: cache_fragments refuses it with its own reason
        if any(_is(seg, w) for w in SECRET_WORDS) and not _counted(segs, i + 1):
            return seg
        for phrase in SECRET_PHRASES:
            run = segs[i : i + len(phrase)]
            if len(run) == len(phrase) and run[:-1] == phrase[:-1] and _is(run[-1], phrase[-1]) and not _counted(segs, i + len(phrase)):
                return "_".join(run)
    return ""


def _counted(segs: tuple[str, ...], after: int) -> bool:
    """The name says how many (``unused_code_count``), not which."""
    return after < len(segs) and segs[after] in _COUNTS


def secret_problems(
    template: Template,
    start: int,
    end: int,
    reads: Iterable[tuple[str, Token]],
    loops: Iterable[ForNode],
) -> list[tuple[int, str]]:
    """Where the fragment [start, end) renders something that looks like a secret, and why not cache it.

    ``reads``: each path read with the token that reads it (inside the span, or the code outside it
    that computed a name the span reads); ``loops``: the loops enclosing the span."""
    out: list[tuple[int, str]] = []

    def refuse(tok: Token, what: str) -> None:
        out.append((tok.start, f"{template.path}:{tok.lineno}: renders {what} ({_WHY})"))

    for tok in template.code_from(start):
        if tok.start >= end:
            break
        tag = tok.tag_name
        if tag and tag not in BUILTIN_TAGS and not tag.startswith("end") and secret_in(tag):
            refuse(tok, f"{{% {tag} %}}")  # a custom tag named for a secret: {% otp_secret %}
    texts = _text_names(template)
    heads: set[str] = set()
    for path, tok in reads:
        head = path.split(".")[0]
        if start <= tok.start < end:
            heads.add(head)
        if tok.tag_name in _CONDITIONS or head in texts:
            continue
        if secret_in(path):
            refuse(tok, path)
    for loop in loops:
        used = [v for v in loop.loopvars if v in heads]
        secret = next((p for p in reads_in(loop.iterable)[0] if secret_in(p)), "")
        if used and secret:
            refuse(loop.delimiters.open, f"{used[0]} (an item of {secret})")
    out.extend(_password_fields(template, start, end))
    return out


def _text_names(template: Template) -> set[str]:
    """Names bound only as a link or a text (``{% url ... as x %}``, ``{% trans ... as x %}``): what
    they hold is built from their arguments, which are read (and judged) where they are computed."""
    other = {name for tok in template.code if tok.tag_name in ("for", "with", "blocktrans", "blocktranslate") for name in binds_of(tok)}
    return {name for name, toks in aliases(template.code).items() if name not in other and all(t.tag_name in _TEXT_BINDERS for t in toks)}


def _password_fields(template: Template, start: int, end: int) -> list[tuple[int, str]]:
    out = []
    for item in template.items:
        if not start <= item.start < end or not isinstance(item, (StartTag, OpaqueTag)) or item.name != "input":
            continue
        where = f"{template.path}:{item.lineno}"
        if isinstance(item, OpaqueTag):
            if _PASSWORD_RE.search(template.source[item.start : item.end]):
                out.append((item.start, f'{where}: renders an <input type="password"> with template code in the tag ({_WHY})'))
            continue
        kind, value = item.attr("type"), item.attr("value")
        if kind is not None and (kind.value or "").strip().lower() == "password" and value is not None and value.has_template_code:
            out.append((item.start, f'{where}: renders an <input type="password"> whose value is template code ({_WHY})'))
    return out
