from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

DEFAULT_PREFERENCES = {"rows_per_page": 25, "compact_sidebar": False, "email_digest": True}


class PreferencesForm(forms.Form):
    """Per-user display preferences, kept in the session (the example has no profile model)."""

    rows_per_page = forms.TypedChoiceField(label=_("Rows per table page"), coerce=int, choices=[(n, n) for n in (10, 25, 50, 100)])
    compact_sidebar = forms.BooleanField(label=_("Compact sidebar"), required=False)
    email_digest = forms.BooleanField(label=_("Daily e-mail digest"), required=False)
