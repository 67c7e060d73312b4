"""Whether a fragment of a template may go into Django's ``{% cache %}``, and what it must vary on.

The vary-on list is derived from the template code inside the fragment, never guessed (``design.md``
decision 9): reading ``user``, ``perms`` or ``request`` varies on the user (and on each other request
value read, such as ``request.GET.q``); translated or localized output (``{% trans %}``, ``{% url %}``
under ``i18n_patterns``, ``|date``) varies on the language; the variables of enclosing ``{% for %}``
loops it reads are added. A fragment holding a CSRF token, messages, a POST form, a CSP nonce, the
loop's position (``forloop``, ``{% cycle %}``), a ``{% block %}`` a child can override or an
``{% include %}`` whose reads are invisible is refused with the reason. ``suggest_cache`` judges the
places worth a cache (loops over context data, ``|length`` statistics) for a human to turn into rules.

Where the template's nodes sit comes from the tree (``nodes.Delimiters``), not from matching tags
again. What it never does: read ``{% include %}``d templates or context processors (a value a
processor computes from the request, such as ``notifications``, is invisible here), or edit anything
(``rewrite_cache.py`` makes the edits). Pure: a ``Template`` in, verdicts out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.text import smart_split

from .lexer import Token, TokenKind
from .model import ForNode, Template
from .tags import OpaqueTag, StartTag

__all__ = [
    "Suggestion",
    "Verdict",
    "LANGUAGE_VAR",
    "USER_VARS",
    "NO_TAGS_INSIDE",
    "analyse_fragment",
    "crossing",
    "cache_name",
    "suggest_cache",
]

LANGUAGE_VAR = "LANGUAGE_CODE"
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_FILTER_RE = re.compile(r"\|\s*(\w+)")
_WORD_RE = re.compile(r"[A-Za-z_]\w*(?:\.\w+)*|\d[\w.]*|==|!=|<=|>=|=|\S")
_GETTEXT_RE = re.compile(r"(?<![\w.])_\(")
_POST_RE = re.compile(r"""\s(?:form)?method\s*=\s*["']?\s*post""", re.IGNORECASE)
_NONCE_ATTR_RE = re.compile(r"\snonce\s*=", re.IGNORECASE)

# Output that depends on the active language: translations, the language itself, localized formats,
# and {% url %} (i18n_patterns puts the language in the path). An {% include %} may translate too.
_LANGUAGE_TAGS = frozenset(
    {
        "trans", "translate", "blocktrans", "blocktranslate", "get_current_language",
        "get_current_language_bidi", "get_language_info", "get_language_info_list",
        "get_available_languages", "language", "localize", "url", "include",
    }
)
_LANGUAGE_VARS = frozenset({"LANGUAGE_CODE", "LANGUAGE_BIDI"})
_LOCALIZING_FILTERS = frozenset(
    {
        "date", "time", "floatformat", "localize", "naturaltime", "naturalday", "intcomma", "intword",
        "apnumber", "timesince", "timeuntil", "language_name", "language_name_local",
        "language_name_translated", "language_bidi",
    }
)
USER_VARS = frozenset({"user", "perms"})
# Blocks whose body must not hold a {% cache %}: translations take no tags; a bundle lists assets.
NO_TAGS_INSIDE = frozenset({"blocktrans", "blocktranslate", "bundle", "compress"})
_POSITION_TAGS = frozenset({"cycle", "ifchanged", "resetcycle"})  # state carried across iterations
_NO_READS = frozenset({"load", "filter", "autoescape", "spaceless", "comment", "verbatim", "plural", "else", "empty", "templatetag", "lorem", "debug"})
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
}


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


# -- what a piece of template code reads ----------------------------------------------------------------


def _reads_of(tok: Token) -> tuple[list[str], set[str], bool]:
    """(variable paths read, filters used, uses ``_("...")``) of one ``{{ }}`` or ``{% %}`` token."""
    if tok.kind is not TokenKind.BLOCK:
        return _reads_in(tok.contents)
    tag, _, args = tok.contents.strip().partition(" ")
    if tag in _NO_READS or tag.startswith("end"):
        return [], set(), False
    return _reads_in(args, tag)


def _reads_in(text: str, tag: str = "") -> tuple[list[str], set[str], bool]:
    """The reads of a variable expression, or of the arguments of the tag ``tag``."""
    translated = bool(_GETTEXT_RE.search(text))
    keywords = _KEYWORDS.get(tag, frozenset())
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


def _with_bindings(tok: Token) -> dict[str, list[str]]:
    """``{% with a=x.y b=z %}`` (or ``{% with x.y as a %}``) -> {"a": ["x.y"], "b": ["z"]}."""
    bits = list(smart_split(tok.contents))[1:]
    if len(bits) == 3 and bits[1] == "as":
        return {bits[2]: _reads_in(bits[0])[0]}
    out = {}
    for bit in bits:
        name, eq, expr = bit.partition("=")
        if eq:
            out[name] = _reads_in(expr)[0]
    return out


@dataclass(frozen=True, slots=True)
class Verdict:
    """A fragment's vary-on list (``language``: it needs ``LANGUAGE_VAR``), or why it must not be cached."""

    vary: tuple[str, ...] = ()
    language: bool = False
    refusal: str = ""


def crossing(template: Template, start: int, end: int) -> Token | None:
    """The first delimiter of a template node that the span [start, end) cuts through, if any."""
    cut = [
        tok
        for node in template.bodies
        if not node.delimiters.within(start, end)
        for tok in node.delimiters.tokens
        if start <= tok.start < end
    ]
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


def analyse_fragment(template: Template, start: int, end: int, user_vars: frozenset[str] = USER_VARS) -> Verdict:
    """Derive the vary-on list of the fragment [start, end), or the reason it must not be cached."""
    problems: list[tuple[int, str]] = []
    loops = [n for n in template.bodies if isinstance(n, ForNode) and n.delimiters.holds(start, end, first_body=True)]
    inner_loops = [n.delimiters for n in template.bodies if isinstance(n, ForNode) and n.delimiters.within(start, end)]
    language = False
    reads: list[tuple[str, Token, int]] = []  # (path, token, how many loops inside the span hold it)
    for tok in template.code_from(start):
        if tok.start >= end:
            break
        if tok.end > end:
            continue
        at = f"at line {tok.lineno}"
        depth = sum(1 for d in inner_loops if d.holds(tok.start, tok.end, first_body=True))
        tag = tok.tag_name
        if tag == "csrf_token":
            problems.append((tok.start, f"{{% csrf_token %}} {at}: a CSRF token must not be cached"))
        elif tag == "cache":
            problems.append((tok.start, f"it already holds {{% cache {cache_name(tok)} %}} {at}"))
        elif tag == "block":
            problems.append((tok.start, f"{{% {tok.contents} %}} {at}: a child template can override it and the cache key would not tell the versions apart"))
        elif tag == "include" and "only" not in tok.contents.split()[2:]:
            problems.append((tok.start, f'{{% {tok.contents} %}} {at} without "only": what the included template reads is not visible here'))
        elif tag in _POSITION_TAGS and depth == 0 and loops:
            problems.append((tok.start, f"{{% {tag} %}} {at}: its value depends on the position in the loop"))
        elif "nonce" in tag:
            problems.append((tok.start, f"a CSP nonce {at}: it changes on every request"))
        elif tok.kind is TokenKind.VAR and tok.contents.split("|")[0].strip() == "block.super":
            problems.append((tok.start, f"{{{{ block.super }}}} {at}: the parent's block is not visible here"))
        language = language or tag in _LANGUAGE_TAGS
        paths, filters, translated = _reads_of(tok)
        language = language or translated or bool(filters & _LOCALIZING_FILTERS)
        if tag == "querystring":
            paths.append("request.GET")
        reads.extend((p, tok, depth) for p in paths)
    # A name an enclosing {% with %} binds reads what its expression reads (evaluated outside the span).
    for node in reversed([n for n in template.bodies if n.kind == "with" and n.delimiters.holds(start, end)]):
        bound = _with_bindings(node.delimiters.open)
        reads.extend((p, tok, 0) for path, tok, _ in list(reads) for p in bound.get(path.split(".")[0], ()))
    problems.extend(_markup_problems(template, start, end))
    user = request = False
    request_paths: dict[str, None] = {}
    loop_reads: set[str] = set()
    for path, tok, depth in reads:
        segs = path.split(".")
        head, at = segs[0], f"at line {tok.lineno}"
        if head == "csrf_token":
            problems.append((tok.start, f"csrf_token {at}: a CSRF token must not be cached"))
        elif head == "messages":
            problems.append((tok.start, f"messages {at}: messages are shown once, to one user"))
        elif head == "nonce" or "csp_nonce" in segs:
            problems.append((tok.start, f"a CSP nonce {at}: it changes on every request"))
        elif head == "forloop":
            levels = 1  # forloop.parentloop.parentloop... climbs one loop per "parentloop"
            while levels < len(segs) and segs[levels] == "parentloop":
                levels += 1
            if levels > depth:
                problems.append((tok.start, f"forloop {at}: its value depends on the position in the loop"))
        user = user or head in user_vars
        if head == "request":
            request = True
            if len(segs) > 1 and segs[1] != "user":
                request_paths[path] = None
        language = language or head in _LANGUAGE_VARS
        loop_reads.add(head)
    if problems:
        return Verdict(refusal=min(problems)[1])
    vary = ["request.user.pk"] if request else ["user.pk"] if user else []
    vary += request_paths
    if language:
        vary.append(LANGUAGE_VAR)
    vary += [v for loop in loops for v in loop.loopvars if v in loop_reads]
    return Verdict(tuple(dict.fromkeys(vary)), language)


def _markup_problems(template: Template, start: int, end: int) -> list[tuple[int, str]]:
    out = []
    for item in template.items:
        if item.start < start or item.start >= end or not isinstance(item, (StartTag, OpaqueTag)):
            continue
        at = f"at line {item.lineno}"
        if isinstance(item, OpaqueTag):
            raw = template.source[item.start : item.end]
            if _POST_RE.search(raw):
                out.append((item.start, f"a POST form {at}: it needs a fresh CSRF token"))
            elif _NONCE_ATTR_RE.search(raw):
                out.append((item.start, f"a CSP nonce {at}: it changes on every request"))
            continue
        if item.attr("nonce") is not None:
            out.append((item.start, f"a CSP nonce {at}: it changes on every request"))
        for name in ("method", "formmethod") if item.name in ("form", "button", "input") else ():
            attr = item.attr(name)
            if attr is not None and attr.has_template_code:
                out.append((item.start, f"a form method that is template code {at}: it may post"))
            elif attr is not None and (attr.value or "").strip().lower() == "post":
                out.append((item.start, f"a POST form {at}: it needs a fresh CSRF token"))
    return out


# -- suggest_cache ---------------------------------------------------------------------------------------


def suggest_cache(template: Template, user_context: tuple[str, ...] = ()) -> list[Suggestion]:
    """Loops over context data and ``|length``/``.count`` statistics outside loops and caches, judged.

    ``user_context``: context variables (from context processors) that depend on the user."""
    user_vars = USER_VARS | frozenset(user_context)
    out: list[Suggestion] = []

    def outside(start: int, end: int) -> bool:
        return not any(n.kind in ("for", "cache") and n.delimiters.holds(start, end) for n in template.bodies)

    def judge(what: str, lineno: int, start: int, end: int) -> None:
        v = analyse_fragment(template, start, end, user_vars)
        if v.refusal:
            out.append(Suggestion(template.path, lineno, what, "refused", v.refusal, ()))
        else:
            reason = "cacheable, varying on " + ", ".join(v.vary) if v.vary else "cacheable, the same for every request"
            out.append(Suggestion(template.path, lineno, what, "ok", reason, v.vary))

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
        paths, filters, _ = _reads_of(tok)
        if ("length" in filters or (paths and paths[0].endswith(".count"))) and outside(tok.start, tok.end):
            candidates.append((tok.start, _source_of(template, tok), tok.lineno, tok.start, tok.end))
    for _, what, lineno, start, end in sorted(candidates):
        judge(what, lineno, start, end)
    return out


def _source_of(template: Template, tok: Token) -> str:
    return template.source[tok.start : tok.end]
