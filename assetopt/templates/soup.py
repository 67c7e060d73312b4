"""A template's markup as a BeautifulSoup tree, for CSS selectors (cache rules, eager_selectors).

The template code is masked with spaces of the same length (``mask.mask_template_code``), so bs4's
line/column positions are source positions and ``class="{% if x %}hero{% endif %}"`` still has its
``hero`` class. Template code can hide or duplicate structure: callers use the matches as
approximations and check each offset against their own scanner's tags.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from .mask import FILLER, mask_template_code
from .model import Template

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

__all__ = ["markup_soup", "source_offset"]


def markup_soup(template: Template) -> BeautifulSoup:
    from bs4 import BeautifulSoup

    masked = mask_template_code(template.source, template.tokens).replace(FILLER, " ")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "looks like a filename/URL" and friends: this is markup
        return BeautifulSoup(masked, "html.parser")


def source_offset(template: Template, element: Any) -> int | None:
    """Where a matched element's start tag begins in the source (None when bs4 does not say)."""
    if element.sourceline is None or element.sourcepos is None:
        return None
    return int(template.lines.line_start(element.sourceline) + element.sourcepos)
