"""Day two of ``width``/``height``: the rewrite reads them from the file once and never replaces them
(a size the author wrote is the author's choice). When a raster file is later replaced by one of other
proportions, the attributes still say the old ones: the image is drawn stretched wherever the CSS
does not override the height, and the space reserved for it is wrong everywhere (a layout shift).
This finds them. Pure: the page's requests and the files' sizes in, findings out."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ..templates.assets import Asset
from ..templates.pages import PageItem
from ..templates.refs import RefKind
from ..templates.tags import StartTag
from .model import Finding, Request

__all__ = ["sized_image_paths", "stale_size_findings"]

_PX_RE = re.compile(r"\s*([0-9]+)\s*")

Found = Iterable[tuple[Request, PageItem, Asset]]


def _declared(req: Request, pi: PageItem) -> tuple[str, int, int] | None:
    """``(path, width, height)`` of an ``<img>`` with one static ``src`` and both sizes in plain pixels."""
    item = pi.item
    if req.kind != "img" or req.ref.kind is not RefKind.STATIC or len(req.ref.paths) != 1 or not isinstance(item, StartTag) or item.name != "img":
        return None
    if req.ref.paths[0].lower().endswith(".svg") or "object-fit" in (item.get("style") or ""):
        return None  # an SVG keeps its proportions in any box (preserveAspectRatio); object-fit crops on purpose
    w, h = item.attr("width"), item.attr("height")
    mw = _PX_RE.fullmatch(w.value or "") if w is not None else None
    mh = _PX_RE.fullmatch(h.value or "") if h is not None else None
    if mw is None or mh is None or int(mw.group(1)) == 0 or int(mh.group(1)) == 0:
        return None
    return req.ref.paths[0], int(mw.group(1)), int(mh.group(1))


def sized_image_paths(found: Found) -> set[str]:
    """The static paths of the images whose markup says both ``width`` and ``height``."""
    return {d[0] for req, pi, _ in found if (d := _declared(req, pi)) is not None}


def stale_size_findings(found: Found, sizes: Mapping[str, tuple[int, int]]) -> list[Finding]:
    """A warning for each ``<img>`` whose ``width``/``height`` have other proportions than its file
    (``sizes``: logical path -> displayed size). A smaller or larger size in the same proportions is
    fine (rounding to whole pixels allowed): that is how a page shows an image at another size."""
    out = []
    for req, pi, _ in found:
        declared = _declared(req, pi)
        if declared is None or declared[0] not in sizes:
            continue
        path, w, h = declared
        fw, fh = sizes[path]
        expected = w * fh / fw  # the height width= asks for, in the file's proportions
        if abs(h - expected) <= max(1.0, 0.02 * expected):
            continue
        out.append(
            Finding(
                "img-size-stale",
                "warning",
                req.path,
                req.lineno,
                f"<img src={req.ref.url}> says width={w} height={h} but {path} is {fw}x{fh} (replaced since?): "
                f"the image is drawn stretched unless the CSS sets its height (or object-fit), and the space kept for it is wrong; "
                f"in the file's proportions width={w} means height={max(1, round(expected))}",
                "give width/height the file's proportions, or remove both and run assetopt rewrite --only images",
            )
        )
    return out
