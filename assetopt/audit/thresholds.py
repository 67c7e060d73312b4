"""Threshold expressions shared by ``audit --fail-on`` and ``verify --require``.

``"css>5,js>=3,eager_img>3"``: comma-separated ``metric OP number`` conditions, checked per page.
Numbers may carry a ``k``/``m`` suffix for bytes (``br>500k``). Pure.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..errors import AssetoptError

__all__ = ["Condition", "parse_conditions", "METRICS"]

METRICS: dict[str, str] = {
    "css": "stylesheet links",
    "css_import": "stylesheets pulled by @import",
    "js": "script requests",
    "img": "image requests",
    "eager_img": "images loaded eagerly",
    "lazy_img": "lazy images",
    "iframe": "iframes",
    "font": "font requests",
    "requests": "all requests",
    "blocking": "render-blocking requests",
    "bytes": "raw bytes of all requests",
    "gzip": "gzip bytes of all requests",
    "br": "brotli bytes of all requests",
    "img_bytes": "raw bytes of the images (as the build ships them, after a build)",
    "img_br": "brotli bytes of the images (as served)",
    "findings": "warnings and errors",
    "errors": "errors",
}
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}
_COND_RE = re.compile(r"^\s*([a-z_]+)\s*(>=|<=|==|!=|>|<)\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmM]?)\s*$")


@dataclass(frozen=True, slots=True)
class Condition:
    metric: str
    op: str
    value: float
    text: str

    def holds(self, metrics: Mapping[str, float]) -> bool:
        return _OPS[self.op](metrics[self.metric], self.value)


def parse_conditions(expr: str) -> tuple[Condition, ...]:
    conds = []
    for part in expr.split(","):
        if not part.strip():
            continue
        m = _COND_RE.match(part)
        if not m:
            raise AssetoptError(f"cannot read condition {part.strip()!r}", hint="write metric OP number, e.g. css>5,eager_img>=3")
        metric, op, num, suffix = m.groups()
        if metric not in METRICS:
            raise AssetoptError(f"unknown metric {metric!r} in {part.strip()!r}", hint=f"metrics: {', '.join(METRICS)}")
        scale = {"": 1, "k": 1024, "m": 1024 * 1024}[suffix.lower()]
        conds.append(Condition(metric, op, float(num) * scale, part.strip()))
    return tuple(conds)
