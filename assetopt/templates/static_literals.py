"""The literal paths a template's ``{% static %}`` tags print: every ``{% static 'path' %}`` (or
``{% static "path" as name %}``) Django runs, wherever it sits (an attribute, a ``data-*`` value, an
inline script, an HTML comment: Django renders those too), not inside ``{% comment %}`` or
``{% verbatim %}``. A manifest storage looks each one up in its ``staticfiles.json`` when the page
renders. Paths computed at run time (``{% static var %}``) are not here.

Pure: a ``Template`` in, ``(line, path)`` pairs out.
"""

from __future__ import annotations

import re

from .model import Template

__all__ = ["static_literals"]

_LITERAL = re.compile(r"""^static\s+(?P<q>['"])(?P<path>[^'"]*)(?P=q)(?:\s+as\s+\w+)?\s*$""")


def static_literals(template: Template) -> list[tuple[int, str]]:
    """``(line, path)`` of every ``{% static %}`` with a literal path that Django runs, in order."""
    out: list[tuple[int, str]] = []
    for token in template.tokens:
        if token.is_code and token.tag_name == "static":
            found = _LITERAL.match(token.contents.strip())
            if found:
                out.append((token.lineno, found.group("path")))
    return out
