"""The browser half of the proof: one page's before/after in Chromium and why it got worse.

``browser_entry`` builds the report's and the JSON's ``"browser"`` entry for ``optimize --browser`` and
``verify --browser``; ``browser_reasons`` judges the desktop load, ``phone_reasons`` the load at the
phone's screen (the same screenshot, first-screen and lazy-LCP rules, naming the screen). They compare
two ``measures.BrowserMeasure`` values. Pure: no files, no browser, no printing.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Sequence

from .first_screen import first_screen_changes
from .measures import BrowserEntry, BrowserMeasure, ScreenshotDiff

__all__ = ["browser_entry", "browser_reasons", "phone_reasons"]


def browser_entry(
    name: str,
    url: str,
    before: BrowserMeasure,
    after: BrowserMeasure,
    *,
    diff_fraction: float,
    diff_image: str,
    diff_threshold: float,
    claimed_saved: int | None,
    throttled: tuple[BrowserMeasure, BrowserMeasure] | None = None,
    phone: tuple[BrowserMeasure, BrowserMeasure] | None = None,
    phone_diff: tuple[float, str] | None = None,
) -> BrowserEntry:
    """One page's before/after in the browser (the report's and the JSON's ``"browser"`` entry), with
    its verdict: the one place ``optimize --browser`` and ``verify --browser`` build it. ``phone``:
    the page before and after at the phone's screen, ``phone_diff`` their screenshots' (fraction, diff
    image), judged by ``phone_reasons`` with the same threshold."""
    reasons = browser_reasons(name, before, after, diff=diff_fraction, diff_threshold=diff_threshold, claimed_saved=claimed_saved)
    if phone is not None:
        reasons += phone_reasons(name, *phone, diff=None if phone_diff is None else phone_diff[0], diff_threshold=diff_threshold)
    return BrowserEntry(
        url=url,
        before=before,
        after=after,
        diff=ScreenshotDiff(diff_fraction, diff_image, diff_threshold),
        reasons=tuple(reasons),
        claimed_saved=claimed_saved,
        before_throttled=None if throttled is None else throttled[0],
        after_throttled=None if throttled is None else throttled[1],
        before_phone=None if phone is None else phone[0],
        after_phone=None if phone is None else phone[1],
        phone_diff=None if phone is None or phone_diff is None else ScreenshotDiff(phone_diff[0], phone_diff[1], diff_threshold),
    )


def browser_reasons(
    name: str,
    before: BrowserMeasure,
    after: BrowserMeasure,
    *,
    diff: float | None = None,
    diff_threshold: float = 0.01,
    claimed_saved: int | None = None,
) -> list[str]:
    """Why the browser says a page got worse, one line each (empty: it did not).

    ``before``/``after`` are measurements of the same page (``browser.page_measure.summarize``, or
    stored in a baseline), ``diff`` the fraction of pixels that differ between their screenshots,
    ``claimed_saved`` how many requests the static comparison says the page saves. The browser is
    the truth: Chromium fetches lazy images near the fold anyway, so a static claim it does not see
    is a failure, not a rounding.
    """
    reasons: list[str] = []
    new_errors = _new_lines(before, after, before.console_errors, after.console_errors)
    if new_errors:
        reasons.append(f"{name}: new console error(s) after the change: {'; '.join(new_errors[:3])}")
    new_failed = _new_lines(before, after, before.failed, after.failed)
    if new_failed:
        reasons.append(f"{name}: new failed request(s) after the change: {'; '.join(new_failed[:3])}")
    reasons += _screen_reasons(name, before, after, diff=diff, diff_threshold=diff_threshold, where="")
    if claimed_saved is not None and claimed_saved > 0:
        seen = int(before.request_count) - int(after.request_count)
        # A lazy <img> within Chromium's margin of the fold (~1250 px) is fetched at first load all the
        # same: the static claim counted it saved and the page is right, so it is not a missing saving.
        near_fold = int((after.images or {}).get("img-lazy", 0))
        if seen + near_fold < claimed_saved:
            reasons.append(f"{name}: the audit claims {claimed_saved} fewer requests but Chromium saw {seen}")
    return reasons


def phone_reasons(name: str, before: BrowserMeasure, after: BrowserMeasure, *, diff: float | None = None, diff_threshold: float = 0.01) -> list[str]:
    """Why the page got worse at the phone's screen (``browser.measure.measure_phone``): the same
    screenshot, first-screen and lazy-LCP rules as ``browser_reasons``, each naming the phone's screen
    (``on the phone (WxH)``, the size its first screen was read at). Requests, errors and the static claim are the desktop load's."""
    screen = str((after.first_screen or before.first_screen or {}).get("screen", "?"))
    return _screen_reasons(name, before, after, diff=diff, diff_threshold=diff_threshold, where=f" on the phone ({screen})")


def _screen_reasons(name: str, before: BrowserMeasure, after: BrowserMeasure, *, diff: float | None, diff_threshold: float, where: str) -> list[str]:
    """What one screen shows otherwise: the pixels, the first screen's elements, a lazy LCP image."""
    reasons: list[str] = []
    if diff is not None and diff > diff_threshold:
        reasons.append(f"{name}: the page looks different{where}: {diff:.2%} of pixels changed (threshold {diff_threshold:.2%})")
    if before.first_screen is not None and after.first_screen is not None:
        # a lost border or a restyled button is far under the pixel threshold, and still a different page
        changed = first_screen_changes(before.first_screen, after.first_screen)
        if changed:
            more = f"; and {len(changed) - 5} more" if len(changed) > 5 else ""
            screen = before.first_screen.get("screen", "?")
            reasons.append(f"{name}: the first screen ({screen}) shows {len(changed)} element(s) otherwise: {'; '.join(changed[:5])}{more}")
    lcp = after.lcp
    if lcp is not None and lcp.lazy:
        reasons.append(f'{name}: the LCP image {lcp.url or lcp.tag}{where} is lazy-loaded (make it eager, fetchpriority="high")')
    return reasons


def _new_lines(before: BrowserMeasure, after: BrowserMeasure, lines_before: Sequence[str], lines_after: Sequence[str]) -> list[str]:
    """``lines_after`` that ``lines_before`` does not have, each side's own origin (its page ``url``'s
    scheme://host:port) ignored: ``browser_check`` serves before and after from two local servers,
    so the same 404 reads ``404 http://127.0.0.1:A/static/x`` on one side and ``:B`` on the other."""

    def local(line: str, side: BrowserMeasure) -> str:
        parts = urllib.parse.urlsplit(side.url)
        if not (parts.scheme and parts.netloc):
            return line
        return re.sub(re.escape(f"{parts.scheme}://{parts.netloc}") + r"(?![\w.:-])", "", line)  # not :4001 in :40012

    seen = {local(e, before) for e in lines_before}
    return [e for e in lines_after if local(e, after) not in seen]
