"""Which values a ``{% cache %}`` key may hold: ones whose ``str()`` is their content.

Django's cache tag keys a fragment on the ``str()`` of each vary-on value. A value whose ``str()`` is
not its content is no key: a generator, a bound method or a ``SessionStore`` prints its memory
address, which the next request may reuse (two visitors then share one entry); a QuerySet prints at
most 20 items, each by its ``__str__``; a model instance prints whatever its ``__str__`` chose
(``Order`` for every order). So every key part assetopt writes is one of:

- a known-stable request value: ``request.path``, ``request.get_full_path``, ``request.GET.q``,
  ``request.GET.urlencode``, ``request.COOKIES.x``, ``request.session.cart`` (a session value is JSON:
  its ``str()`` is its content), ``request.resolver_match.url_name``...;
- an id: ``request.user.pk``, ``order.pk``, ``customer_id``, or ``LANGUAGE_CODE``;
- or a stable stand-in for what the template reads: the whole query is ``request.GET.urlencode``, the
  whole session ``request.session.session_key`` plus ``request.session.items`` (a new session has no
  key until the response saves it), CurrentSiteMiddleware's ``request.site`` its ``pk``.

django-htmx's ``request.htmx`` is a function of the request's ``HX-*`` headers: tested for its truth it
is ``request.headers.hx_request``, each of its values keys on itself, and handed over whole it is all
of them (``HTMX_WHOLE``); django-user-agents' ``request.user_agent`` is its User-Agent header (or
the flag or family shown). Anything else a template reads on ``request`` (an attribute a middleware
sets: ``request.tenant``) is refused until a rule's ``vary`` names its id. An enclosing loop's value is keyed
on its ``str()`` when that is what the fragment shows (``{{ o }}``), on its ``pk`` when it reads an
attribute, and on both when it hands the value to an include, a tag or a filter that may read its
attributes (``loop_read``: a string has no pk, a model's ``__str__`` may be shared). ``vary_problem`` judges a rule's
declared parts with the same table. What it cannot see (a loop's object that is a dict, so
``row.pk`` is empty) ``verify --cache`` finds by looking at the values (``contrib/django/key_values``).

Pure: paths in, key parts or reasons out.
"""

from __future__ import annotations

from .lexer import Token, TokenKind

__all__ = [
    "HTMX_TRUTH",
    "HTMX_WHOLE",
    "QUERYDICT_METHODS",
    "TEXT_FILTERS",
    "address_key",
    "is_id",
    "loop_read",
    "request_key",
    "truth_test",
    "vary_problem",
    "vary_set_problem",
]

# What a template reaches on request.GET/request.POST besides one parameter: items/lists/values are
# generators (their str() is an address), the QueryDict itself prints a dict of lists.
QUERYDICT_METHODS = frozenset({"items", "lists", "values", "keys", "dict", "copy", "urlencode"})
# Request attributes and methods whose value is a short string, a number or a bool.
_SCALARS = frozenset(
    {
        "path",
        "path_info",
        "method",
        "scheme",
        "get_full_path",
        "get_full_path_info",
        "get_host",
        "get_port",
        "build_absolute_uri",
        "is_secure",
        "LANGUAGE_CODE",
        "content_type",
        "encoding",
    }
)
# Mappings of strings: one entry is a string; request.META holds objects (wsgi.input) too.
_STRING_MAPS = frozenset({"COOKIES", "META", "headers"})
_RESOLVER_VALUES = frozenset({"url_name", "view_name", "route", "app_name", "namespace", "app_names", "namespaces", "args", "kwargs"})
# django-htmx's HtmxMiddleware sets request.htmx, an HtmxDetails: its truth is the HX-Request header, each
# attribute one HX-* header's value (a str, a bool, None or parsed JSON); the object prints its address.
HTMX_TRUTH = "request.headers.hx_request"
_HTMX_VALUES = (
    "boosted",
    "current_url",
    "current_url_abs_path",
    "history_restore_request",
    "prompt",
    "ptag",
    "request_type",
    "source",
    "target",
    "trigger",
    "trigger_name",
    "triggering_event",
)
HTMX_WHOLE = (HTMX_TRUTH, *(f"request.htmx.{value}" for value in _HTMX_VALUES))
# django-user-agents' request.user_agent: parsed from the User-Agent header alone; its flags, families
# and named tuples print their content, the object a summary ("PC / Linux / Chrome 120") that drops the flags.
UA_WHOLE = "request.headers.user_agent"
_UA_VALUES = frozenset({"is_mobile", "is_tablet", "is_touch_capable", "is_pc", "is_bot", "is_email_client", "browser", "os", "device", "ua_string"})
# SessionBase methods whose value is the whole session's data (dict views: their str() is the content).
_SESSION_WHOLE = frozenset({"items", "keys", "values"})
# Django's filters whose output is a function of the text of their value.
TEXT_FILTERS = frozenset(
    "upper lower title capfirst escape force_escape safe striptags linebreaks linebreaksbr urlize truncatechars truncatewords slugify cut "
    "center ljust rjust addslashes escapejs iriencode urlencode wordcount wordwrap".split()
)
SESSION_KEY = ("request.session.session_key", "request.session.items")


def is_id(part: str) -> bool:
    """``order.pk``, ``request.user.id``, ``customer_id``: an id (a number or a short string)."""
    last = part.rsplit(".", 1)[-1]
    return last in ("pk", "id") or last.endswith("_id")


def request_key(segs: list[str], declared: tuple[str, ...] = (), truth: bool = False) -> tuple[tuple[str, ...], str]:
    """The key parts for a read of ``request.<segs[1:]>`` (not ``request.user``), or ``((), why)`` when
    no part made from the template is known to be stable. ``declared``: a rule's ``vary``, whose id of
    an attribute the table does not know (``request.tenant.pk``) stands in for its reads. ``truth``: the
    read only tests the value's truth (``truth_test``)."""
    path = ".".join(segs)
    attr = segs[1]
    rest = segs[2:]
    if attr in ("GET", "POST"):
        return ((f"request.{attr}.urlencode",) if not rest or rest[0] in QUERYDICT_METHODS else (path,)), ""
    if attr in _SCALARS:
        return (".".join(segs[:2]),), ""
    if attr in _STRING_MAPS:
        if rest:
            return (".".join(segs[:3]),), ""
        if attr == "META":
            return (
                (),
                "request.META is the whole WSGI environ (objects print their address): read the entries it shows, e.g. request.META.HTTP_USER_AGENT",
            )
        return (path,), ""  # a dict of strings (HttpHeaders prints one too)
    if attr == "session":
        if not rest or rest[0] in _SESSION_WHOLE:
            return SESSION_KEY, ""  # a SessionStore's str() is its address: its key and its content
        return (".".join(segs[:3]),), ""  # one session value: JSON, its str() is its content
    if attr == "resolver_match":
        if rest and rest[0] in _RESOLVER_VALUES:
            return (".".join(segs[:4] if rest[0] == "kwargs" else segs[:3]),), ""
        return ("request.path_info",), ""  # the match is a function of the path
    if attr == "site":  # django.contrib.sites' CurrentSiteMiddleware: a Site, by its pk
        return ("request.site.pk",), ""
    if attr == "htmx":
        if not rest:
            return ((HTMX_TRUTH,) if truth else HTMX_WHOLE), ""
        if rest[0] in _HTMX_VALUES:
            return (".".join(segs[:3]),), ""
        return (), (
            f"request.htmx.{rest[0]} is none of the values django-htmx's HtmxDetails gives (each an HX-* header's): "
            f"key on those the block shows ({', '.join(HTMX_WHOLE[:3])}...)"
        )
    if attr == "user_agent":
        return ((".".join(segs[:3]),) if rest and rest[0] in _UA_VALUES else (UA_WHOLE,)), ""
    mine = tuple(d for d in declared if d.startswith(f"request.{attr}.") and is_id(d))
    if mine:
        return mine, ""
    return (), (
        f"request.{attr} is set by code assetopt does not know (a middleware): its str() may be an object's address, a model's "
        f"__str__ or a truncated QuerySet, so no key made from it is known to be stable; if it is a model instance, declare its id "
        f'in the rule (vary = ["request.{attr}.pk"]) and prove it with `assetopt verify --cache` (an object without a pk keys every request alike)'
    )


def address_key(part: str) -> tuple[str, str] | None:
    """(what it is, what to key on) when the vary-on ``part`` of an existing ``{% cache %}`` tag prints an
    object's memory address whatever the project: the query's generators (``request.GET.items``,
    ``lists``, ``values``), the whole session (a ``SessionStore``), the whole WSGI environ (it holds
    ``wsgi.input``). A later request's value may reuse the address and be served this one's copy.
    None for anything else: whether ``order`` or ``request.tenant`` prints its content depends on the
    project, which ``verify --cache`` sees and a template does not."""
    segs = part.split(".")
    if len(segs) < 2 or segs[0] != "request":
        return None
    if segs[1] in ("GET", "POST") and len(segs) == 3 and segs[2] in ("items", "lists", "values"):
        return "a generator", f"request.{segs[1]}.urlencode"
    if segs[1:] == ["session"]:
        return "a SessionStore", " ".join(SESSION_KEY)
    if segs[1:] == ["htmx"]:
        return "django-htmx's HtmxDetails", f"{HTMX_TRUTH} (its truth), or the request.htmx values the block shows"
    if segs[1:] == ["META"]:
        return "the WSGI environ, which holds objects (wsgi.input)", "the entries the block shows (request.META.HTTP_USER_AGENT)"
    return None


def vary_problem(part: str) -> str:
    """Why a rule's declared vary-on ``part`` is no stable key, as "is ..." ("" when it is one)."""
    if (
        part == "LANGUAGE_CODE" or (is_id(part) and not part.startswith("request.htmx.")) or part in SESSION_KEY
    ):  # the session's key alone: vary_set_problem
        return ""
    segs = part.split(".")
    if segs[0] == "request" and len(segs) > 1 and segs[1] != "user":
        keys, why = request_key(segs, truth=True)  # a key part is printed, but an HtmxDetails prints its address
        if why:
            return f"is no stable key ({{% cache %}} keys on its str()): {why}"
        if keys != (part,):
            return f"is no stable key: its str() is not known to be its content ({{% cache %}} keys on it), key on {' '.join(keys)}"
        return ""
    if segs[0] == "perms":
        return "is not an id: key on user.pk (a PermWrapper: what it shows depends on the user alone)"
    return f"is not an id: key on {part}.pk (str() of an object may run a query, and two objects that print the same would share one entry)"


def vary_set_problem(parts: tuple[str, ...] | list[str]) -> str:
    """Why a rule's whole vary list is no safe key, as "keys ..." ("" when it is one): the session's key
    alone is None while a session the view creates in this request is unsaved (the response saves it),
    so every new visitor would share one entry, holding what the first one's view put in its session."""
    if SESSION_KEY[0] in parts and not any(p.startswith("request.session.") and p != SESSION_KEY[0] for p in parts):
        return (
            f"keys on {SESSION_KEY[0]} alone: it is None until the response saves a session the view creates in this request, "
            f"so every new visitor would share one entry; key on {' '.join(SESSION_KEY)} (or on the session values the block shows)"
        )
    return ""


def loop_read(head: str, segs: list[str], tok: Token, inside: bool) -> str:
    """How a fragment reads its enclosing loop's variable: "attr" (``o.number``, or through a name
    bound outside), "print" (``{{ o }}``, maybe through text filters: what is shown is its ``str()``) or
    "handed" (``o`` given to an include, a tag or another filter, which may read its attributes: its
    ``str()`` is no key for a model whose ``__str__`` two objects share, its ``pk`` none for a string)."""
    if len(segs) > 1 or not inside:
        return "attr"
    if tok.kind is TokenKind.VAR:
        expr, *filters = (part.strip() for part in tok.contents.split("|"))
        if expr == head and all(f.split(":")[0].strip() in TEXT_FILTERS for f in filters):
            return "print"
    return "handed"


def truth_test(tok: Token, path: str) -> bool:
    """Does ``tok`` read ``path`` only for its truth: an operand of ``{% if %}``/``{% elif %}`` without a
    filter (``{% if request.htmx and not request.htmx.boosted %}``)?"""
    if tok.kind is not TokenKind.BLOCK or tok.tag_name not in ("if", "elif"):
        return False
    words = tok.contents.split()[1:]
    return path in words and not any(w.startswith(f"{path}|") for w in words)
