"""``text.css.inert_spans`` of a stylesheet, cached by its content.

collectstatic re-reads every stylesheet on every run and Django's ``url()`` rewriting asks, per
match, whether it sits in a comment or a string (``storage.url_converter``); tokenizing the
example's ~400 KB bundles for that was half of a no-change collectstatic's CPU. The spans depend on
the text alone, so they are kept in the build cache under the text's SHA-256.
"""

from __future__ import annotations

from array import array

from ..text.css import inert_spans
from .cache import ContentCache, sha256

__all__ = ["cached_inert_spans"]

_STEP = "inert-spans-1"  # bump when inert_spans changes what it returns


def cached_inert_spans(text: str, cache: ContentCache) -> list[tuple[int, int]]:
    """``inert_spans(text)``, from ``cache`` when a run has seen this text before."""
    key = sha256(text.encode("utf-8", "surrogatepass"))
    blob = cache.get(_STEP, key)
    if blob is not None and len(blob) % 16 == 0:
        flat = array("q")
        flat.frombytes(blob)
        return list(zip(flat[::2], flat[1::2]))
    spans = inert_spans(text)
    cache.put(_STEP, key, array("q", [n for span in spans for n in span]).tobytes())
    return spans
