"""Whether a ``{% cache %}`` fragment renders something that looks like a secret (``cache_fragments``).

A cached fragment is written into the cache backend (Redis, memcached, a database table: shared
infrastructure, often less protected than the database, kept until the timeout) and shown stale until
then: a user's recovery codes, an authenticator secret or an API token must never go there, and a
regenerated code must never show the old one. The template cannot say what a value is, so the rule
reads names, conservatively: a variable path, a custom tag's name or an enclosing loop's iterable
whose identifier segments (split on ``.``, ``_``, ``-`` and camelCase, lower-cased) hold a secret word
(``SECRET_WORDS``, singular or plural), a run of segments of a secret phrase (``SECRET_PHRASES``), or
``key`` right after a segment naming its owner (``KEY_OWNERS``: ``device.key``, ``confirmation.key``;
``item.key`` and a loop's ``key`` are no secrets). Whole segments only: ``tokenize``, ``secretary`` and
``passwordless`` are no secrets. ``csrf_token`` is left to the CSRF rules of ``cache_fragments``.

A name is judged by its own name and by what it was computed from: inside the span, the binding code
is read like any other; bound outside it (an enclosing ``{% with %}`` or ``{% for %}``, an ``as``
alias), ``cache_bindings`` follows it to its source, so ``{% url 'account_confirm_email'
confirmation.key as action_url %}`` then ``{{ action_url }}`` is refused for ``action_url (bound to
confirmation.key)``. A link or a text (``{% url ... as change_password_url %}``, ``{% trans ... as x
%}``) is judged by its arguments only. A condition (``{% if %}``/``{% elif %}``) shows no value and is
not read for secrets. Refused too: an ``<input type="password">`` whose value is template code, an
``otpauth://`` URL completed by template code, and a bare view variable ``key`` (django-helpdesk's
public ticket key) that the template does not bind.

Pure: a ``Template`` and the fragment's reads in, ``(offset, reason)`` problems out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .cache_bindings import Followed
from .cache_reads import BUILTIN_TAGS, aliases, binds_of
from .lexer import Token
from .model import Template
from .tags import OpaqueTag, StartTag

__all__ = ["KEY_OWNERS", "SECRET_PHRASES", "SECRET_WORDS", "secret_in", "secret_problems", "segments_of"]

# One identifier segment, singular or with a trailing "s". A QR code on a page that has one is, in
# two-factor code, the otpauth:// URL (the key) drawn as an image.
SECRET_WORDS = frozenset(
    {
        "secret",
        "token",
        "password",
        "passwd",
        "passphrase",
        "recovery",
        "otp",
        "totp",
        "hotp",
        "otpauth",
        "seed",
        "apikey",
        "privkey",
        "qr",
        "qrcode",
    }
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
    ("config", "url"),  # django-otp's TOTPDevice.config_url: the otpauth:// URL, key included
    ("provisioning", "uri"),  # pyotp's provisioning_uri(): the same URL
    ("provisioning", "url"),
)
# Whose ``key`` is a secret: ``device.key`` (django-otp's TOTP/HOTP seed), ``confirmation.key``
# (allauth's email confirmation), ``invitation.key``, ``reset.key``... A segment ending in "device" or
# "confirmation" counts too (``totpdevice.key``, ``email_confirmation.key``). ``key`` after anything
# else (``item.key``, ``{% for key, value in d.items %}``) is no secret.
KEY_OWNERS = frozenset(
    {"device", "confirmation", "authenticator", "activation", "invitation", "verification", "reset", "magic", "signup", "otp", "totp", "hotp"}
)
_OWNER_ENDINGS = ("device", "confirmation")
_MANAGER_SEGMENTS = frozenset({"set", "all", "first", "last"})
# A bare view variable with only this name (not bound in the template): django-helpdesk's public ticket
# page puts the ticket's secret_key in the context as ``key`` and renders ``value="{{ key }}"``.
_BARE_KEYS = frozenset({"key"})
_OTPAUTH_RE = re.compile(r"otpauth:[^\s\"'<>]*?\{[{%]", re.IGNORECASE)
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
        if _is(seg, "key") and (owner := _owner_of(segs, i)) and not _counted(segs, i + 1):
            return f"{owner}.{seg}"
        for phrase in SECRET_PHRASES:
            run = segs[i : i + len(phrase)]
            if len(run) == len(phrase) and run[:-1] == phrase[:-1] and _is(run[-1], phrase[-1]) and not _counted(segs, i + len(phrase)):
                return "_".join(run)
    return ""


def _owner_of(segs: tuple[str, ...], i: int) -> str:
    """The segment naming whose ``key`` ``segs[i]`` is, if it names a secret's owner ("" if not):
    the one before it, past a related manager's ``_set``, ``all``, ``first``, ``last`` and indexes
    (``user.staticdevice_set.all.0.key`` is a device's key)."""
    j = i - 1
    while j >= 0 and (segs[j] in _MANAGER_SEGMENTS or segs[j].isdigit()):
        j -= 1
    return segs[j] if j >= 0 and _owns_key(segs[j]) else ""


def _owns_key(segment: str) -> bool:
    return segment in KEY_OWNERS or segment.endswith(_OWNER_ENDINGS) or any(_is(segment, w) for w in KEY_OWNERS)


def _counted(segs: tuple[str, ...], after: int) -> bool:
    """The name says how many (``unused_code_count``), not which."""
    return after < len(segs) and segs[after] in _COUNTS


def secret_problems(
    template: Template,
    start: int,
    end: int,
    reads: Iterable[tuple[str, Token]],
    followed: Iterable[Followed] = (),
) -> list[tuple[int, str]]:
    """Where the fragment [start, end) renders something that looks like a secret, and why not cache it.

    ``reads``: each path the span reads with the token that reads it; ``followed``: what names bound
    outside the span reach (``cache_bindings``): an alias's source, an enclosing loop's iterable."""
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
    bound_here = {name for tok in template.code for name in binds_of(tok)}
    for path, tok in reads:
        head = path.split(".")[0]
        if tok.tag_name in _CONDITIONS or head in texts:
            continue
        if secret_in(path) or (path in _BARE_KEYS and head not in bound_here):
            refuse(tok, path)
    for f in followed:
        if f.path.split(".")[0] in texts:
            continue
        how = "an item of" if f.loop else "bound to"
        if secret_in(f.path):
            refuse(f.tok, f"{f.via} ({how} {f.path})")
        elif f.rest and secret_in(f.path + f.rest):  # {% for d in devices %}{{ d.key }}: devices.key
            refuse(f.tok, f"{f.read} ({f.via} is {how} {f.path})")
    out.extend(_password_fields(template, start, end))
    out.extend(_otpauth_urls(template, start, end))
    return out


def _otpauth_urls(template: Template, start: int, end: int) -> list[tuple[int, str]]:
    """An ``otpauth://`` URL that template code completes holds the authenticator's key."""
    out = []
    for m in _OTPAUTH_RE.finditer(template.source, start, end):
        lineno = template.source.count("\n", 0, m.start()) + 1
        out.append((m.start(), f"{template.path}:{lineno}: renders an otpauth:// URL completed by template code, which holds the key ({_WHY})"))
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
