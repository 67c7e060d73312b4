"""The devices a page is measured at: Lighthouse 12's emulated phone and desktop.

One definition for the layout pass (``browser/layout.py``, ``rewrite/layout_facts.py``), which loads
pages at these screens, and the build (``build/picture_widths.py``), which makes the width copies
their ``sizes`` slots need at these DPRs. Pure values. The docs quote these figures;
``tests/test_screens_doc.py`` fails when a quote and this file disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Screen", "SCREENS", "VIEWPORTS"]


@dataclass(frozen=True, slots=True)
class Screen:
    """A device a page is loaded at: where the first screen ends and which image is the LCP."""

    name: str
    width: int
    height: int
    dpr: float
    mobile: bool
    also: tuple[int, ...]  # other viewport widths read by resizing the loaded page (layout only, no reload)


# Lighthouse 12's emulated devices: "mobile" (Moto G Power: 412x823 at DPR 1.75) and "desktop" (1350x940).
SCREENS = (
    Screen("mobile", 412, 823, 1.75, True, (360, 600)),
    Screen("desktop", 1350, 940, 1.0, False, (768, 1024, 1920)),
)
VIEWPORTS = tuple(sorted({w for s in SCREENS for w in (s.width, *s.also)}))  # 360, 412, 600, 768, 1024, 1350, 1920
