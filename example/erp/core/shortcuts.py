from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from django.http import Http404

K = TypeVar("K")
V = TypeVar("V")


def get_or_404(records: Mapping[K, V], key: K) -> V:
    """The in-memory counterpart of `django.shortcuts.get_object_or_404`."""
    try:
        return records[key]
    except KeyError:
        raise Http404(f"No record {key!r}") from None
