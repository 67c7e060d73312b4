"""Whether a fragment of a template may go into Django's ``{% cache %}``, and what its key must hold.

A template cannot show which data the view or a context processor makes per user or per URL
(``design.md`` decision 9), so the verdict never claims more than it reads: a fragment is "the same
for every request" only when it reads nothing but literals, constants (``STATIC_URL``, names the
project declares) and the language. Everything else it shows goes into the key: the user
(``user``, ``perms``, ``request.user``, ``view.request.user``) as a pk, each other request value
read as a value whose ``str()`` is its content (``cache_keys``: the whole query, or a GET form showing
its fields' values, as ``request.GET.urlencode``; the whole session by its key and content; an
attribute a middleware sets is refused unless the rule names its id), the language (``{% trans %}``,
``{% url %}``, ``|date``), each enclosing loop's object by its pk (or its text, ``cache_keys.loop_read``), and for view or context-processor data what a rule's ``vary`` declares, else the user and the
URL (``REQUEST_KEY``) and the language (view data may be translated where the template cannot see it). Names computed outside the fragment (``{% with %}``, ``{% for %}``, every ``... as x``) are
followed to what they read (``cache_bindings``, as the audit does). Refused, with the reason: a CSRF token, messages, a POST form, a field
of a POST form showing its current value (template code in its markup, or rendered by ``{{ form }}``,
``{{ field }}``, ``{% crispy %}``...: sent back, a stale copy saves old values; ``cache_forms``), a CSP
nonce, form errors, ``{% debug %}``, the loop's position (``forloop``, ``{% cycle %}``), a
``{% block %}`` a child can override, an ``{% include %}`` without ``only`` and a custom tag that
takes the context, whose reads are invisible; before anything else, whatever looks like a secret
(``cache_secrets``; what no key makes safe is asked alone with ``cache_never.never_cacheable``). ``suggest_cache`` judges the places worth a cache (loops over context data,
``|length`` statistics) for a human to turn into rules.

Where the template's nodes sit comes from the tree (``nodes.Delimiters``). What it never does: read
``{% include %}``d templates, or edit anything (``rewrite/cache.py`` makes the edits); what it
cannot prove, ``assetopt verify --cache`` proves by rendering. Pure: a ``Template`` in, verdicts out.
"""

from __future__ import annotations

from dataclasses import dataclass

from .cache_bindings import follow_bindings, outside_bindings, through
from .cache_forms import rendered_field_problem, shows_query_values
from .cache_keys import loop_read, request_key, truth_test
from .cache_never import markup_problems, never_read_problem, never_tag_problem
from .cache_reads import BUILTIN_TAGS, CONSTANT_VARS, CacheFacts, binds_of, reads_of
from .cache_secrets import secret_problems
from .lexer import Token, TokenKind
from .model import Template
from .nodes import ForNode

__all__ = [
    "Suggestion",
    "Verdict",
    "LANGUAGE_VAR",
    "USER_VARS",
    "NO_TAGS_INSIDE",
    "CacheFacts",
    "REQUEST_KEY",
    "USER_KEY",
    "analyse_fragment",
    "crossing",
    "describe",
    "cache_name",
    "suggest_cache",
]

LANGUAGE_VAR = "LANGUAGE_CODE"
USER_KEY = "request.user.pk"
# What view data is keyed on when nothing says what it depends on: who asks, and for which URL.
REQUEST_KEY = (USER_KEY, "request.get_full_path")

# Output that depends on the active language: translations, the language itself, localized formats,
# and {% url %} (i18n_patterns puts the language in the path). An {% include %} may translate too.
_LANGUAGE_TAGS = frozenset(
    {
        "trans",
        "translate",
        "blocktrans",
        "blocktranslate",
        "get_current_language",
        "get_current_language_bidi",
        "get_language_info",
        "get_language_info_list",
        "get_available_languages",
        "language",
        "localize",
        "url",
        "include",
    }
)
_LANGUAGE_VARS = frozenset({"LANGUAGE_CODE", "LANGUAGE_BIDI"})
_LOCALIZING_FILTERS = frozenset(
    {
        "date",
        "time",
        "floatformat",
        "localize",
        "naturaltime",
        "naturalday",
        "intcomma",
        "intword",
        "apnumber",
        "timesince",
        "timeuntil",
        "language_name",
        "language_name_local",
        "language_name_translated",
        "language_bidi",
    }
)
USER_VARS = frozenset({"user", "perms"})
# Blocks whose body must not hold a {% cache %}: translations take no tags; a bundle lists assets.
NO_TAGS_INSIDE = frozenset({"blocktrans", "blocktranslate", "bundle", "compress"})
_POSITION_TAGS = frozenset({"cycle", "ifchanged", "resetcycle"})  # state carried across iterations
_MIDDLES = frozenset({"else", "elif", "empty", "plural"})


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A place worth a ``{% cache %}``: ``verdict`` is "ok" (with the derived ``vary``) or "refused"."""

    path: str
    lineno: int
    what: str  # the template code, e.g. "{% for order in orders %}"
    verdict: str
    reason: str
    vary: tuple[str, ...]


def cache_name(tok: Token) -> str:
    """The fragment name of a ``{% cache timeout name ... %}`` token."""
    bits = tok.contents.split()
    return bits[2] if len(bits) > 2 else ""


@dataclass(frozen=True, slots=True)
class Verdict:
    """A fragment's key (``vary``; ``language``: it needs ``LANGUAGE_VAR``), or why it must not be cached.

    ``depends``: what it reads that is per request, as ``"orders (from the view)"``; empty for a
    fragment that is the same for every request (in a language, when ``language``)."""

    vary: tuple[str, ...] = ()
    language: bool = False
    refusal: str = ""
    depends: tuple[str, ...] = ()

    @property
    def shared(self) -> bool:
        """The same for every request: it reads only literals, constants and the language."""
        return not self.refusal and not self.depends


def crossing(template: Template, start: int, end: int) -> Token | None:
    """The first delimiter of a template node that the span [start, end) cuts through, if any."""
    cut = [tok for node in template.bodies if not node.delimiters.within(start, end) for tok in node.delimiters.tokens if start <= tok.start < end]
    if cut:
        return min(cut, key=lambda t: t.start)
    # Paired tags the tree does not know ({% foo %}...{% endfoo %} from some library) must balance too.
    paired = {t.tag_name[3:] for t in template.code if t.tag_name.startswith("end") and len(t.tag_name) > 3}
    opened: list[Token] = []
    for tok in template.code_from(start):
        if tok.start >= end:
            break
        word = tok.tag_name
        if word in paired:
            opened.append(tok)
        elif word.startswith("end") and word[3:] in paired:
            if not opened or opened[-1].tag_name != word[3:]:
                return tok
            opened.pop()
    return opened[0] if opened else None


def analyse_fragment(
    template: Template,
    start: int,
    end: int,
    facts: CacheFacts | None = None,
    declared: tuple[str, ...] | None = None,
) -> Verdict:
    """Derive the key of the fragment [start, end), or the reason it must not be cached.

    What the template shows for certain goes into the key whatever a rule says: the user
    (``user``, ``perms``, ``request.user``, ``view.request.user``) as ``user.pk``/``request.user.pk``,
    each other request value read, the language, and the identity of each enclosing loop's object it
    reads (``o.pk``; ``o`` itself only when the fragment prints nothing but ``o``). What the view or a
    context processor provides cannot be judged from the template: ``declared`` (a rule's ``vary``)
    says what it depends on; without it the key is ``REQUEST_KEY`` (per user and URL) and the language."""
    facts = facts or CacheFacts()
    problems: list[tuple[int, str]] = []
    loops = [n for n in template.bodies if isinstance(n, ForNode) and n.delimiters.holds(start, end, first_body=True)]
    inner_loops = [n.delimiters for n in template.bodies if isinstance(n, ForNode) and n.delimiters.within(start, end)]
    language = False
    reads: list[tuple[str, Token, int]] = []  # (path, token, how many loops inside the span hold it)
    local: dict[str, int] = {}  # name bound inside the span -> where
    for tok in template.code_from(start):
        if tok.start >= end:
            break
        if tok.end > end:
            continue
        at = f"at line {tok.lineno}"
        depth = sum(1 for d in inner_loops if d.holds(tok.start, tok.end, first_body=True))
        tag = tok.tag_name
        if tag == "csrf_token":
            problems.append((tok.start, never_tag_problem(tok)))
        elif tag == "cache":
            problems.append((tok.start, f"it already holds {{% cache {cache_name(tok)} %}} {at}"))
        elif tag == "block":
            problems.append(
                (tok.start, f"{{% {tok.contents} %}} {at}: a child template can override it and the cache key would not tell the versions apart")
            )
        elif tag == "include" and "only" not in tok.contents.split()[2:]:
            problems.append((tok.start, f'{{% {tok.contents} %}} {at} without "only": what the included template reads is not visible here'))
        elif tag in _POSITION_TAGS and depth == 0 and loops:
            problems.append((tok.start, f"{{% {tag} %}} {at}: its value depends on the position in the loop"))
        elif why := never_tag_problem(tok):  # a nonce, {% debug %}
            problems.append((tok.start, why))
        elif tok.kind is TokenKind.VAR and tok.contents.split("|")[0].strip() == "block.super":
            problems.append((tok.start, f"{{{{ block.super }}}} {at}: the parent's block is not visible here"))
        elif why := rendered_field_problem(template, tok):
            problems.append((tok.start, why))
        elif tag and _custom_reads_context(tag, facts):
            problems.append((tok.start, _custom_tag_problem(tok, facts)))
        language = language or tag in _LANGUAGE_TAGS
        paths, filters, translated = reads_of(tok)
        language = language or translated or bool(filters & _LOCALIZING_FILTERS)
        if tag == "querystring":
            paths.append("request.GET")
        reads.extend((p, tok, depth) for p in paths)
        for name in binds_of(tok):
            local.setdefault(name, tok.start)
    # A name an enclosing {% with %} or {% for %}, or an "as" outside the span binds reads what that
    # code reads (cache_bindings, shared with the audit's never_cacheable).
    bindings = outside_bindings(template, start, end)
    followed = follow_bindings([(p, t) for p, t, _ in reads], bindings, local)
    bound = {name for name, bs in bindings.items() if any(not b.loop for b in bs)}
    derived: dict[str, str] = {}  # alias -> the {% tag %} that computed it from the context
    for name, bs in bindings.items():
        for b in bs:
            if not b.loop and b.tok.tag_name != "with":
                language = language or b.tok.tag_name in _LANGUAGE_TAGS or bool(reads_of(b.tok)[1] & _LOCALIZING_FILTERS)
                if _custom_reads_context(b.tok.tag_name, facts):
                    derived[name] = f"{{% {b.tok.tag_name} %}} at line {b.tok.lineno}"
    via = {(f.path, f.tok.start): f for f in followed}
    reads.extend((f.path, f.tok, 0) for f in followed if not f.loop)
    problems.extend((f.tok.start, through(why, f)) for f in followed if f.loop and (why := never_read_problem(f.path, f.tok)))
    problems.extend(markup_problems(template, start, end))
    # A secret is refused before anything else: no key, rule or restructuring makes it cacheable.
    direct = [(p, t) for p, t, _ in reads if (p, t.start) not in via]
    secrets = secret_problems(template, start, end, direct, followed)
    if secrets:
        return Verdict(refusal=min(secrets)[1])
    loopvars = {v for loop in loops for v in loop.loopvars}
    user = request = False
    request_paths: dict[str, None] = {}
    loop_reads: dict[str, set[str]] = {}  # loop variable -> how it is read: "attr", "print", "handed"
    depends: dict[str, None] = {}
    for path, tok, depth in reads:
        segs = path.split(".")
        if segs[0] == "view" and len(segs) > 1 and segs[1] == "request":
            segs = segs[1:]  # {{ view.request.user.email }}: every class-based view puts itself in the context
            path = ".".join(segs)
        head, at = segs[0], f"at line {tok.lineno}"
        if head in local and local[head] < tok.start:
            continue  # bound inside the fragment: its sources are read there
        if head in bound and head not in derived:
            continue  # an alias: what it reads was followed above
        if head in loopvars:  # read through an alias bound outside the span: assume an object
            loop_reads.setdefault(head, set()).add(loop_read(head, segs, tok, start <= tok.start < end))
            continue
        if why := never_read_problem(path, tok):  # a CSRF token, messages, a nonce, form errors
            problems.append((tok.start, through(why, via[(path, tok.start)]) if (path, tok.start) in via else why))
        elif head == "forloop":
            levels = 1  # forloop.parentloop.parentloop... climbs one loop per "parentloop"
            while levels < len(segs) and segs[levels] == "parentloop":
                levels += 1
            if levels > depth:
                problems.append((tok.start, f"forloop {at}: its value depends on the position in the loop"))
        elif head in USER_VARS:
            user = True
        elif head == "request":
            user = request = True
            if len(segs) > 1 and segs[1] != "user":
                keys, why = request_key(segs, declared or (), truth=truth_test(tok, path))
                if why:
                    problems.append((tok.start, f"{path} {at}: {why}"))
                request_paths.update(dict.fromkeys(keys))
        elif head in _LANGUAGE_VARS:
            language = True
        elif head in CONSTANT_VARS or head in facts.constants:
            pass
        elif head in facts.user_context:
            user = True
            depends[f"{head} (user_context: depends on the user)"] = None
        elif head in derived:
            depends[f"{head} (set by {derived[head]}, which reads the context)"] = None
        elif head in facts.processors:
            depends[f"{head} (from the context processor {facts.processors[head]})"] = None
        else:
            depends[f"{head} (from the view)"] = None
    if problems:
        return Verdict(refusal=min(problems)[1])
    view_data = [d for d in depends if "(user_context" not in d]
    vary: list[str] = list(declared) if declared is not None else list(REQUEST_KEY) if view_data else []
    if user or request:
        user_key = USER_KEY if request or USER_KEY in vary else "user.pk"
        if not {USER_KEY, "user.pk", "request.user.id", "user.id"} & set(vary):
            vary.insert(0, user_key)
        depends = {"user (the signed-in user)": None, **depends} if not any(d.startswith("user ") for d in depends) else depends
    vary += request_paths
    if shows_query_values(template, start, end) and not {"request.get_full_path", "request.GET.urlencode"} & set(vary):
        vary.append("request.GET.urlencode")  # a search box bound to the query string shows the query
    # a rule's vary naming LANGUAGE_CODE needs it set: without the i18n context processor (not in
    # startproject's settings) it resolved to "" and one entry served every language
    # the view's data may hold translations the template cannot see (get_FOO_display, lazy labels,
    # messages): keyed per user and path alone, a visitor who switches language on a site without
    # i18n_patterns (set_language, a cookie) keeps the old language until the entry expires
    language = language or LANGUAGE_VAR in vary or (declared is None and bool(view_data))
    if language:
        vary.append(LANGUAGE_VAR)
    for v in (v for loop in loops for v in loop.loopvars if v in loop_reads):
        how = loop_reads[v]
        if "attr" not in how:
            vary.append(v)  # printed, its str() is what is shown; handed over, a string's content (a model's pk follows)
        if how & {"attr", "handed"}:
            vary.append(f"{v}.pk")
    return Verdict(tuple(dict.fromkeys(vary)), language, depends=tuple(depends))


def _custom_reads_context(tag: str, facts: CacheFacts) -> bool:
    """Is ``tag`` custom code that may read the whole context (``takes_context=True``, a hand-written
    tag, or a tag nobody told us about)?"""
    if not tag or tag in BUILTIN_TAGS or tag in _MIDDLES or tag.startswith("end"):
        return False
    return facts.tags is None or facts.tags.get(tag, "context") != "args"


def _custom_tag_problem(tok: Token, facts: CacheFacts) -> str:
    at = f"{{% {tok.tag_name} %}} at line {tok.lineno}"
    if facts.tags is None:
        return f"{at} is a custom tag that may take the context (takes_context=True): what it reads is not visible here (with the Django settings assetopt loads your tag libraries to tell)"
    if tok.tag_name in facts.tags:
        return f"{at} takes the context (takes_context=True, or a tag class of its own): what it reads is not visible here"
    return f"{at} is not in any tag library of the project: what it reads is not visible here"


# -- suggest_cache ---------------------------------------------------------------------------------------


def suggest_cache(template: Template, facts: CacheFacts | None = None) -> list[Suggestion]:
    """Loops over context data and ``|length``/``.count`` statistics outside loops and caches, judged.

    "ok" is "the same for every request" only for a fragment that reads nothing per request; any
    other carries the key its data needs and names what it reads (see ``analyse_fragment``)."""
    out: list[Suggestion] = []

    def outside(start: int, end: int) -> bool:
        return not any(n.kind in ("for", "cache") and n.delimiters.holds(start, end) for n in template.bodies)

    def judge(what: str, lineno: int, start: int, end: int) -> None:
        v = analyse_fragment(template, start, end, facts)
        if v.refusal:
            out.append(Suggestion(template.path, lineno, what, "refused", v.refusal, ()))
        else:
            out.append(Suggestion(template.path, lineno, what, "ok", describe(v), v.vary))

    candidates: list[tuple[int, str, int, int, int]] = []
    for node in template.bodies:
        if isinstance(node, ForNode) and outside(node.delimiters.open.start, node.delimiters.close.end):
            head = node.iterable[:1]
            if head.isalpha() or head == "_":
                opener, closer = node.delimiters.open, node.delimiters.close
                candidates.append((opener.start, _source_of(template, opener), opener.lineno, opener.start, closer.end))
    for tok in template.code:
        if tok.kind is not TokenKind.VAR:
            continue
        if template.in_tag(tok.start):
            continue  # inside an attribute value
        paths, filters, _ = reads_of(tok)
        if ("length" in filters or (paths and paths[0].endswith(".count"))) and outside(tok.start, tok.end):
            candidates.append((tok.start, _source_of(template, tok), tok.lineno, tok.start, tok.end))
    for _, what, lineno, start, end in sorted(candidates):
        judge(what, lineno, start, end)
    return out


def describe(v: Verdict) -> str:
    """The reason of an accepted fragment: what its key is and what it depends on."""
    if v.shared:
        return "cacheable, varying on " + ", ".join(v.vary) if v.vary else "cacheable, the same for every request"
    text = f"cacheable per request, varying on {', '.join(v.vary)}: reads {', '.join(v.depends)}"
    if set(REQUEST_KEY) <= set(v.vary):
        text += (
            '; write vary in the rule if you know what its data depends on (per user: vary = ["request.user.pk"];'
            ' one object: its pk, e.g. vary = ["order.pk"]; the same for everyone: vary = []; add "LANGUAGE_CODE" when the site'
            " has several languages and its data may be translated), then prove it with `assetopt verify --cache`"
        )
    return text


def _source_of(template: Template, tok: Token) -> str:
    return template.source[tok.start : tok.end]
