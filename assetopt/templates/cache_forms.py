"""Which parts of a template show a POST form's fields with their current values (``cache_fragments``).

Such a field must never be cached: the page would show the values as they were when the copy was
made, and the next save would send them back, undoing the last change (and a bound form shown again
after a failed save holds what the user typed). Two ways to show one:

- markup: an ``<input>``/``<select>``/``<option>``/``<textarea>`` whose value or checked/selected
  state (or text) is template code (``control_problem``);
- code that renders fields (``rendered_field_problem``): ``{{ form }}``, ``{{ form.as_p }}``,
  ``{{ form.title }}``, ``{{ field }}`` in ``{% for field in form %}``, ``{{ form|crispy }}``,
  ``{% render_field form.x %}``, ``{% bootstrap_form form %}``...

The form (``<form method="post">``, or a method that is template code) may open outside the fragment.
A GET form (a search box) is not sent back to be saved: it stays a candidate, keyed on what it reads
and, when it shows its fields' values (``shows_query_values``), on the query string.

What is a form or a field is read from names, conservatively (a bare ``{{ x }}`` may be a label): a
name ``form``/``*_form`` (``formset``/``*_formset``), ``field``/``*_field``, ``fields``/``*_fields``,
a loop or ``{% with %}`` name bound to one of them, and from there Django's form API: ``form.<name>``
is a field unless it is one of the form's own attributes (``form.media``, ``form.instance``...);
``field.label``, ``field.help_text``, ``field.value`` print text, not a field. Pure: a ``Template``
in, reasons out; it never renders.
"""

from __future__ import annotations

import re

from django.utils.text import smart_split

from .cache_reads import BUILTIN_TAGS, reads_in, reads_of
from .lexer import Token, TokenKind
from .model import Template
from .nodes import ForNode
from .tags import Attr, EndTag, OpaqueTag, StartTag

__all__ = ["FORM_FILTERS", "FORM_TAGS", "control_problem", "in_post_form", "method_posts", "rendered_field_problem", "shows_query_values"]

_STALE = "the form is sent back, so a stale copy would save old values"
_CONTROLS = frozenset({"input", "select", "option", "textarea"})
_STATE_ATTRS = ("value", "checked", "selected")

# Tags that render a form or fields from their arguments: django-crispy-forms, django-widget-tweaks,
# django-bootstrap3/4/5.
FORM_TAGS = frozenset({"crispy", "crispy_field", "render_field", "bootstrap_form", "bootstrap_field", "bootstrap_formset"})
# Filters that render a form or a field: django-crispy-forms, django-widget-tweaks, django-bootstrap-form.
FORM_FILTERS = frozenset(
    {
        "crispy",
        "as_crispy_field",
        "add_class",
        "attr",
        "append_attr",
        "remove_attr",
        "add_error_class",
        "add_error_attr",
        "add_required_class",
        "set_data",
        "bootstrap",
        "bootstrap_inline",
        "bootstrap_horizontal",
    }
)

_FORM_NAME = re.compile(r"(?:\w+_)?form\d*")
_FORMSET_NAME = re.compile(r"(?:\w+_)?formset\d*")
_FIELD_NAME = re.compile(r"(?:\w+_)?field\d*")
_FIELDS_NAME = re.compile(r"(?:\w+_)?fields")
_PATH = re.compile(r"[A-Za-z_][\w.]*")
# What a form's or formset's own attributes are (anything else after ``form.`` is a field by name).
_FORM_ATTRS = frozenset(
    {
        "errors",
        "non_field_errors",
        "media",
        "prefix",
        "is_bound",
        "is_valid",
        "instance",
        "initial",
        "data",
        "files",
        "fields",
        "base_fields",
        "declared_fields",
        "cleaned_data",
        "changed_data",
        "has_changed",
        "label_suffix",
        "auto_id",
        "is_multipart",
        "field_order",
        "use_required_attribute",
        "renderer",
        "error_class",
        "empty_permitted",
        "template_name",
        "helper",
        "Meta",
    }
)
_RENDERS = frozenset({"as_p", "as_table", "as_ul", "as_div", "render"})  # of a form or a formset
_FIELD_RENDERS = frozenset({"as_widget", "as_hidden", "as_text", "as_textarea", "as_field_group", "tag", "field"})  # admin: field.field

FORM, FORMSET, FORMS, FIELD, FIELDS = "form", "formset", "forms", "field", "fields"
_SHOWN = {FORM: "the fields", FORMSET: "the fields", FIELD: "a field"}


def in_post_form(template: Template, offset: int) -> bool:
    """Is ``offset`` in a ``<form>`` (opened before it, maybe outside the fragment) that posts, or
    whose method is template code?"""
    form = _form_at(template, offset)
    if form is None:
        return False
    if isinstance(form, OpaqueTag):
        return True  # template code in the tag: it may post
    return method_posts(form.attr("method")) is not False


def _form_at(template: Template, offset: int) -> StartTag | OpaqueTag | None:
    """The ``<form>`` open at ``offset``: forms do not nest in HTML, so the last one opened before it."""
    form: StartTag | OpaqueTag | None = None
    for item in template.items:
        if item.start >= offset:
            break
        if isinstance(item, (StartTag, OpaqueTag)) and item.name == "form":
            form = item
        elif isinstance(item, EndTag) and item.name == "form":
            form = None
    return form


def method_posts(method: Attr | None) -> bool | None:
    """A ``method``/``formmethod`` attribute: True for ``post``, None when it is template code (it may
    post), False otherwise (absent, ``get``, ``dialog``)."""
    if method is None:
        return False
    if method.has_template_code:
        return None
    return (method.value or "").strip().lower() == "post"


def control_problem(template: Template, item: StartTag | OpaqueTag) -> str:
    """Why the form control ``item`` must not be cached ("" when it may): a field of a POST form whose
    state is template code."""
    if item.name not in _CONTROLS or not _state_is_template_code(template, item) or not in_post_form(template, item.start):
        return ""
    what = "with template code between its attributes" if isinstance(item, OpaqueTag) else "whose value or checked state is template code"
    return f"a field of a POST form {what} at line {item.lineno}: {_STALE}"


def rendered_field_problem(template: Template, tok: Token) -> str:
    """Why the ``{{ }}``/``{% %}`` token ``tok`` must not be cached ("" when it may): it renders a form
    or a field (see the module docstring) inside a POST form."""
    kind = _rendered_kind(template, tok)
    if kind is None or not in_post_form(template, tok.start):
        return ""
    shown = _SHOWN.get(kind or FIELD, "a field")
    code = template.source[tok.start : tok.end]
    return f"{shown} of a POST form rendered by {code} at line {tok.lineno}: the values shown are the current ones (after a failed save, the user's input), and {_STALE}"


def shows_query_values(template: Template, start: int, end: int) -> bool:
    """Does [start, end) show fields of a GET form with their values (a search box bound to the query
    string: ``value="{{ ... }}"``, ``{{ form.q }}``, ``{{ form }}``)? Such values are the query's, so the
    key must hold the query string whatever a rule declares."""
    for item in template.items:
        if start <= item.start < end and isinstance(item, (StartTag, OpaqueTag)) and item.name in _CONTROLS:
            if _state_is_template_code(template, item) and _in_get_form(template, item.start) and not _reads_only_the_query(template, item):
                return True
    for tok in template.code_from(start):
        if tok.start >= end:
            break
        if _rendered_kind(template, tok) is not None and _in_get_form(template, tok.start):
            return True
    return False


def _reads_only_the_query(template: Template, item: StartTag | OpaqueTag) -> bool:
    """``<input value="{{ request.GET.q }}">``: keyed on what it reads (``request.GET.q``) already."""
    paths = [p for tok in template.code_from(item.start) if tok.start < item.end for p in reads_of(tok)[0]]
    return bool(paths) and all(p.startswith("request.GET.") for p in paths)


def _in_get_form(template: Template, offset: int) -> bool:
    form = _form_at(template, offset)
    return isinstance(form, StartTag) and method_posts(form.attr("method")) is False


def _rendered_kind(template: Template, tok: Token) -> str | None:
    """What the token renders when it renders a form or fields: FORM, FORMSET or FIELD ("" for a form
    tag or filter given something of unknown kind); None when it renders none."""
    if tok.kind is TokenKind.VAR:
        if template.in_tag(tok.start):
            return None  # an attribute value: name="{{ field.html_name }}" is not a field; value="..." is control_problem's
        expr = tok.contents.strip()
        base = _PATH.match(expr)
        kind = _kind_of(template, base.group(), tok.start) if base else None
        if kind in _SHOWN:
            return kind
        return "" if base and reads_in(expr)[1] & FORM_FILTERS else None
    if tok.kind is TokenKind.BLOCK:
        tag = tok.tag_name
        if tag != "include" and (tag in BUILTIN_TAGS or tag.startswith("end")):
            return None
        kinds = [_kind_of(template, p, tok.start) for p in reads_of(tok)[0]]
        kind = next((k for k in kinds if k in _SHOWN), None)  # {% include "f.html" with field=field only %}, {% my_tag form %}
        if tag in FORM_TAGS:
            return kind or (FIELD if "field" in tag else FORM)
        return kind
    return None


def _kind_of(template: Template, path: str, at: int, depth: int = 0) -> str | None:
    """What the variable ``path`` read at offset ``at`` is: a form, a formset, a list of forms, a
    field (or one of its widgets), a list of fields, or None (anything else, a label, a value)."""
    segs = path.split(".")
    kind = _bound_kind(template, segs[0], at, depth) or _name_kind(segs[0])
    for seg in segs[1:]:
        kind = _step(kind, seg)
    return kind


def _name_kind(name: str) -> str | None:
    for pattern, kind in ((_FORM_NAME, FORM), (_FORMSET_NAME, FORMSET), (_FIELD_NAME, FIELD), (_FIELDS_NAME, FIELDS)):
        if pattern.fullmatch(name):
            return kind
    return None


def _step(kind: str | None, seg: str) -> str | None:
    """The kind of ``x.seg`` where ``x`` is of ``kind``."""
    if kind in (FORM, FORMSET) and seg in _RENDERS:
        return kind
    if kind in (FORMSET, FORMS, FIELDS) and seg.isdigit():
        return {FORMSET: FORM, FORMS: FORM, FIELDS: FIELD}[kind]
    if kind == FORM and seg in ("visible_fields", "hidden_fields"):
        return FIELDS
    if kind == FORMSET and seg == "forms":
        return FORMS
    if kind == FORMSET and seg == "empty_form":
        return FORM
    if kind == FIELD and (seg in _FIELD_RENDERS or seg.isdigit()):
        return FIELD  # a widget of it (a radio of a RadioSelect), or how it renders
    if kind == FIELD and seg == "subwidgets":
        return FIELDS
    if (by_name := _name_kind(seg)) in (FORM, FORMSET):
        return by_name  # wizard.form, wizard.management_form, formset.management_form, field.form
    if kind == FORM and seg not in _FORM_ATTRS and not seg.startswith("_") and not seg.isdigit():
        return FIELD  # form.title: the form's field "title"
    return None


def _bound_kind(template: Template, name: str, at: int, depth: int) -> str | None:
    """The kind of what an enclosing ``{% for %}`` or ``{% with %}`` binds to ``name``, if any: the
    fields of a form, the forms of a formset, the widgets of a field."""
    if depth > 8:
        return None
    for node in reversed(template.bodies):  # innermost last in document order: try it first
        if not node.delimiters.holds(at, at, first_body=isinstance(node, ForNode)):
            continue
        open_ = node.delimiters.open
        if isinstance(node, ForNode) and name in node.loopvars:
            if len(node.loopvars) > 1:
                return None  # {% for name, f in form.fields.items %}: unknown, the name decides
            iterated = _kind_of(template, node.iterable.split("|")[0].strip(), open_.start, depth + 1)
            return {FORM: FIELD, FORMSET: FORM, FORMS: FORM, FIELD: FIELD, FIELDS: FIELD}.get(iterated or "")
        if node.kind == "with":
            bits = list(smart_split(open_.contents))[1:]
            exprs = {bits[2]: bits[0]} if len(bits) == 3 and bits[1] == "as" else dict(b.partition("=")[::2] for b in bits if "=" in b)
            if name in exprs:
                base = _PATH.match(exprs[name])
                return _kind_of(template, base.group(), open_.start, depth + 1) if base else None
    return None


def _state_is_template_code(template: Template, item: StartTag | OpaqueTag) -> bool:
    """A form control whose state (``value``/``checked``/``selected``, or a ``<textarea>``'s text) the
    template computes: it shows the data as it is now, and submitting the form saves it back."""
    if isinstance(item, OpaqueTag):  # template code between the attributes: {% if %} checked{% endif %}
        return True
    if any((a := item.attr(name)) is not None and a.has_template_code for name in _STATE_ATTRS):
        return True
    if item.name == "textarea":
        close = template.source.lower().find("</textarea", item.end)
        body = template.source[item.end : close if close >= 0 else len(template.source)]
        return "{{" in body or "{%" in body
    return False
