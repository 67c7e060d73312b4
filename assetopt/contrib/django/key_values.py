"""Whether a value a ``{% cache %}`` tag resolved for its key is one whose ``str()`` is its content.

Django hashes the ``str()`` of each vary-on value. ``verify --cache`` renders with the project's own
data, and a key that prints an object's memory address (a generator, a bound method, a
``SessionStore``) differs between the renders it compares yet may be reused in production by two
different requests; a QuerySet prints at most 20 items by their ``__str__``; a model instance prints
its ``__str__``, which two objects may share. None of those shows as "same key, different output" in
a check over a few users, so the values themselves are judged here (``unstable_reason``), and a key
part that does not resolve at all (``row.pk`` on a dict: every row gets the same empty part) is
reported too.

Used by ``cache_child`` in the child process only (it imports Django's models).
"""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from collections.abc import Iterable, Mapping, MappingView
from typing import Any, cast

__all__ = ["unstable_parts", "unstable_reason"]

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")
_SCALARS = (str, int, float, bool, type(None), decimal.Decimal, uuid.UUID, datetime.date, datetime.time, datetime.timedelta)
_MAX_ITEMS = 1000  # a container larger than this is judged by its first items only


def unstable_reason(value: Any, depth: int = 0) -> str:
    """Why ``str(value)`` is no cache key ("" when it is its content)."""
    from django.db.models import Model
    from django.db.models.query import QuerySet
    from django.utils.functional import LazyObject, Promise, empty

    if isinstance(value, LazyObject):  # SimpleLazyObject(user): judge what it wraps
        wrapped = value._wrapped
        if wrapped is empty:
            value._setup()
            wrapped = value._wrapped
        value = wrapped
    if isinstance(value, (*_SCALARS, Promise)):
        return ""
    kind = type(value).__name__
    if isinstance(value, Model):
        return f"a model instance ({kind}): its str() is its __str__, which two objects may share; key on its pk"
    if isinstance(value, QuerySet):
        return "a QuerySet: its str() lists at most 20 items by their __str__; key on what it depends on (an id)"
    if depth < 3 and isinstance(value, (list, tuple, Mapping, MappingView)):
        items: list[Any] = list(value.items()) if isinstance(value, Mapping) else list(cast("Iterable[Any]", value))
        for item in items[:_MAX_ITEMS]:
            why = unstable_reason(item, depth + 1)
            if why:
                return f"a {kind} holding {why}"
        return ""
    if _ADDRESS.search(str(value)):
        return f"a {kind}: its str() is its memory address, which another request may reuse"
    return f"a {kind}: its str() is not known to be its content; key on an id or a string"


def unstable_parts(vary_on: list[Any], context: Any) -> list[list[str]]:
    """[[the vary-on as written, why it is no key ("is a QuerySet: ..." / "resolves to nothing: ...")], ...] for a ``CacheNode``'s ``vary_on``
    (``FilterExpression``s) in ``context``. ``o o.pk`` (what assetopt writes for a loop's value handed
    to an include) is one key for strings and objects alike: a part that does not resolve is none only
    when no other part holds what it was read on (``o.pk`` of a string), and an object's part none
    when its id is in the key too (an extra part can make a miss, never a wrong hit)."""
    from django.template.base import Variable, VariableDoesNotExist

    written = [str(v.token) for v in vary_on]
    values: dict[str, Any] = {}  # the parts that resolve -> value
    for v, text in zip(vary_on, written):
        value = v.resolve(context, ignore_failures=True)
        if value is None and isinstance(v.var, Variable):
            try:
                v.var.resolve(context)
            except VariableDoesNotExist:
                continue
        values[text] = value
    out: list[list[str]] = []
    for text in written:
        if text not in values:
            if not any(text.startswith(other + ".") for other in values):
                out.append([text, "resolves to nothing: every render gets the same empty key part (a dict has no pk: key on its id)"])
        elif (why := unstable_reason(values[text])) and not ({f"{text}.pk", f"{text}.id"} & set(values)):
            out.append([text, f"is {why}"])
    return out
