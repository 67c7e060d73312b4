"""Tell HTML e-mail templates from web pages: an e-mail client ignores lazy loading, bundles and
``fetchpriority``, so e-mails are left alone (never audited as pages, never rewritten).

A template is an e-mail when its name says so (a folder named ``email``/``emails``/``mail``...,
or ``email``/``mail``/``newsletter`` as a word of the file name: ``password_reset_email.html``,
``email_html_base.html``) and its rendered shape is not a web page's (no ``<script>``, no
stylesheet ``<link>``, no ``<form>``): ``account/email_confirm.html`` with its form stays a page.
Without a name hint, only the unmistakable shape of an HTML e-mail counts: layout tables
(``role="presentation"``, ``cellpadding``, ``bgcolor``) and nothing a web page needs.

Pure: a ``Page`` in, a verdict out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .model import Template
from .pages import Page
from .tags import HtmlItem, OpaqueTag, StartTag

__all__ = ["is_email", "is_email_part", "email_named"]

_EMAIL_DIRS = frozenset({"email", "emails", "mail", "mails", "e-mail", "e-mails", "mail_templates", "email_templates", "newsletters"})
_EMAIL_WORDS = frozenset({"email", "mail", "e-mail", "newsletter", "emails"})
_WORD_RE = re.compile(r"[^a-z0-9]+")
_WEB_TAGS = frozenset({"script", "form", "input", "button", "select", "textarea"})
_LAYOUT_TABLE_ATTRS = ("cellpadding", "cellspacing", "bgcolor")


def email_named(name: str) -> bool:
    """The template's name says e-mail: a folder or a word of the file name."""
    *folders, filename = name.lower().split("/")
    if any(f in _EMAIL_DIRS for f in folders):
        return True
    stem = filename.rsplit(".", 1)[0]
    return any(w in _EMAIL_WORDS for w in _WORD_RE.split(stem))


def _web_shaped(items: Iterable[HtmlItem]) -> bool:
    for item in items:
        if not isinstance(item, (StartTag, OpaqueTag)):
            continue
        if item.name in _WEB_TAGS:
            return True
        if isinstance(item, StartTag) and item.name == "link" and "stylesheet" in (item.get("rel") or "").lower():
            return True
    return False


def _email_shaped(page: Page) -> bool:
    for pi in page.items:
        item = pi.item
        if isinstance(item, StartTag) and item.name == "table":
            if (item.get("role") or "").lower() == "presentation" or any(item.attr(a) is not None for a in _LAYOUT_TABLE_ATTRS):
                return True
    return False


def is_email(page: Page) -> bool:
    """Is this page an HTML e-mail rather than a web page?"""
    if _web_shaped(pi.item for pi in page.items):
        return False
    return email_named(page.name) or _email_shaped(page)


def is_email_part(template: Template) -> bool:
    """A template no page renders, named like an e-mail and shaped like none of a web page's parts."""
    return email_named(template.name) and not _web_shaped(template.items)
