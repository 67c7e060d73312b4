"""The HTML face of a verify run: one self-contained page (inline CSS, inline SVG, data-URI images).

Built from one value, ``Report``: the static verdict (``compare.Verdict``), optionally each page's
before/after in Chromium (``measures.BrowserEntry`` by page name, what the JSON face writes under
``"browser"``), the commands that made it and the versions::

    Report(
        verdict=compare(baseline, now),
        browser={"dashboard/admin_dashboard.html": browser_entry(...)},   # optional
        commands=("assetopt verify --baseline before.json --browser --report report.html",),
        versions={"assetopt": "0.1.0", "chromium": "...", "python": "..."},
        generated="2025-01-01 12:00 UTC",               # optional; passed in so output is reproducible
    )

``render_report`` reads the screenshot files it names (to embed them) and nothing else; a missing one
becomes a note, never an exception. The page loads nothing from the network (its CSP says so).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from ..io.fs import write_atomic
from .compare import PageDelta, PageFinding, Verdict
from .measures import BrowserEntry, BrowserMeasure

__all__ = ["Report", "render_report", "write_report"]


@dataclass(frozen=True, slots=True)
class Report:
    """What the HTML report shows (see the module docstring)."""

    verdict: Verdict
    browser: Mapping[str, BrowserEntry] = field(default_factory=dict)  # page name -> its before/after in Chromium
    title: str = "assetopt verify"
    commands: tuple[str, ...] = ()
    versions: Mapping[str, str] = field(default_factory=dict)
    generated: str | None = None


_CSS = """
:root { --before: #9aa3ad; --after: #2a7de1; --bad: #c62828; --ok: #2e7d32; --ink: #1d232a; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f5f6f8; }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 16px 24px; }
h1 { font-size: 22px; margin: 8px 0; } h2 { font-size: 17px; margin: 0 0 8px; } h3 { font-size: 14px; margin: 12px 0 6px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; vertical-align: middle; }
.badge.ok { background: var(--ok); } .badge.bad { background: var(--bad); } .badge.neutral { background: #6b7680; }
ul.reasons { color: var(--bad); margin: 6px 0; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { border-bottom: 1px solid #e3e6ea; padding: 4px 8px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child, td.text { text-align: left; white-space: normal; }
section.page { background: #fff; border: 1px solid #e3e6ea; border-radius: 6px; padding: 16px; margin: 16px 0; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
.legend span { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; }
.shots { display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; }
.shots figure { margin: 0; } .shots figcaption { font-weight: 600; margin-bottom: 4px; }
.shot { max-height: 520px; overflow: auto; border: 1px solid #d5d9de; background: #fafafa; }
.shot img { display: block; width: 100%; }
.missing { color: #6b7680; font-style: italic; padding: 8px; }
code, pre { font: 12px ui-monospace, "SFMono-Regular", Menlo, monospace; }
pre { background: #1d232a; color: #e8eaed; padding: 10px; border-radius: 4px; overflow-x: auto; }
"""

_BEFORE, _AFTER = "#9aa3ad", "#2a7de1"  # also --before/--after in _CSS
_CHART_W = 360
_BAR_H = 14


def render_report(report: Report) -> str:
    """The whole report as one HTML document (UTF-8 text)."""
    verdict, browser = report.verdict, report.browser
    title = report.title or "assetopt verify"
    failed = verdict.failed or any(b.reasons for b in browser.values())
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        "<header>",
        f"<h1>{escape(title)} {_badge('failed' if failed else 'passed', not failed)}</h1>",
    ]
    if report.generated:
        parts.append(f"<div>generated {escape(report.generated)}</div>")
    reasons = list(verdict.reasons) + [r for b in browser.values() for r in b.reasons]
    if reasons:
        parts.append('<ul class="reasons">' + "".join(f"<li>{escape(str(r))}</li>" for r in reasons) + "</ul>")
    parts.append("</header><main>")
    parts.append(_summary_table(verdict.pages))
    for page in verdict.pages:
        parts.append(_page_section(page, browser.get(page.name)))
    parts.append("</main><footer>")
    parts.append(_footer(report.commands, report.versions))
    parts.append("</footer></body></html>")
    return "\n".join(parts) + "\n"


def write_report(report: Report, path: Path) -> Path:
    """Render and write the report atomically; returns ``path``."""
    write_atomic(path, render_report(report).encode("utf-8"))
    return path


def _badge(text: str, ok: bool | None) -> str:
    cls = "neutral" if ok is None else ("ok" if ok else "bad")
    return f'<span class="badge {cls}">{escape(text)}</span>'


def _status_badge(status: str) -> str:
    ok = {"improved": True, "unchanged": None}.get(status, False)
    return _badge(status, ok)


def _num(value: float | None, scale: float = 1.0, digits: int = 0) -> str:
    if value is None:
        return "-"
    v = float(value) / scale
    return f"{v:,.{digits}f}"


def _summary_table(pages: Sequence[PageDelta]) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("page", "requests", "css", "js", "eager img", "blocking", "img KB", "br KB", "status"))
    rows = []
    for p in pages:
        b, a = p.before or {}, p.after or {}

        def pair(metric: str, scale: float = 1.0, digits: int = 0, b: Mapping[str, float] = b, a: Mapping[str, float] = a) -> str:
            return f"{_num(b.get(metric), scale, digits)} → {_num(a.get(metric), scale, digits)}"

        rows.append(
            f'<tr><td><a href="#{_anchor(p.name)}"><bdi>{escape(p.name)}</bdi></a></td><td>{pair("requests")}</td><td>{pair("css")}</td>'
            f"<td>{pair('js')}</td><td>{pair('eager_img')}</td><td>{pair('blocking')}</td><td>{pair('img_br', 1024, 1)}</td><td>{pair('br', 1024, 1)}</td>"
            f"<td>{_status_badge(p.status)}</td></tr>"
        )
    return f"<h2>Pages</h2><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _anchor(name: str) -> str:
    return "page-" + "".join(c if c.isalnum() else "-" for c in name)


def _page_section(page: PageDelta, browser: BrowserEntry | None) -> str:
    name = page.name
    b, a = page.before or {}, page.after or {}
    browser_badge = _badge("browser: failed", False) if browser is not None and browser.reasons else ""
    out = [f'<section class="page" id="{_anchor(name)}"><h2><bdi>{escape(name)}</bdi> {_status_badge(page.status)} {browser_badge}</h2>']
    reasons = list(page.reasons) + list(browser.reasons if browser is not None else ())
    if reasons:
        out.append('<ul class="reasons">' + "".join(f"<li>{escape(str(r))}</li>" for r in reasons) + "</ul>")
    out.append('<div class="legend"><span style="background:var(--before)"></span>before<span style="background:var(--after)"></span>after</div>')
    charts = [
        _chart(
            "requests (static)",
            [
                ("all", b.get("requests"), a.get("requests")),
                ("css", b.get("css"), a.get("css")),
                ("js", b.get("js"), a.get("js")),
                ("eager img", b.get("eager_img"), a.get("eager_img")),
                ("blocking", b.get("blocking"), a.get("blocking")),
            ],
            "",
        ),
        _chart(
            "bytes (static, KB)",
            [
                ("raw", _kb(b.get("bytes")), _kb(a.get("bytes"))),
                ("gzip", _kb(b.get("gzip")), _kb(a.get("gzip"))),
                ("brotli", _kb(b.get("br")), _kb(a.get("br"))),
                ("images", _kb(b.get("img_br")), _kb(a.get("img_br"))),
            ],
            " KB",
        ),
    ]
    if browser is not None:
        mb, ma = browser.before, browser.after
        # Counts and kilobytes get a chart each: one scale for both would flatten the counts.
        rows: list[tuple[str, float | None, float | None]] = [("requests", mb.request_count, ma.request_count)]
        for label, kind in (("css", "stylesheet"), ("js", "script")):
            rows.append((label, mb.by_type.get(kind, 0), ma.by_type.get(kind, 0)))
        if mb.images is not None or ma.images is not None:  # measurements older than the image classification lack it
            rows.append(("eager img", mb.eager_img, ma.eager_img))
        charts.append(_chart("in Chromium: requests", rows, ""))
        charts.append(_chart("in Chromium: transfer (KB)", [("all", _kb(mb.transfer), _kb(ma.transfer))], " KB"))
        tb, ta = browser.before_throttled, browser.after_throttled
        load = [("load", mb.load_ms, ma.load_ms), ("LCP", mb.lcp_ms, ma.lcp_ms)]
        if tb is not None or ta is not None:
            load.append(("load, Fast 3G", None if tb is None else tb.load_ms, None if ta is None else ta.load_ms))
        pb, pa = browser.before_phone, browser.after_phone
        if pb is not None and pa is not None:
            load.append(("LCP, phone", pb.lcp_ms, pa.lcp_ms))
        charts.append(_chart("time (ms)", load, " ms"))
    out.append('<div class="charts">' + "".join(charts) + "</div>")
    if browser is not None:
        out.append(_browser_details(browser.before, browser.after))
        diff = browser.diff
        caption = "diff" if diff is None else f"diff: {float(diff.fraction):.3%} of pixels"
        out.append(
            '<div class="shots">'
            + _shot("before", browser.before.screenshot)
            + _shot("after", browser.after.screenshot)
            + _shot(caption, None if diff is None else diff.image)
            + "</div>"
        )
        pb, pa = browser.before_phone, browser.after_phone
        if pb is not None and pa is not None:
            screen = str((pa.first_screen or pb.first_screen or {}).get("screen", ""))
            pdiff = browser.phone_diff
            caption = "phone diff" if pdiff is None else f"phone diff: {float(pdiff.fraction):.3%} of pixels"
            out.append(
                f"<h3>On the phone ({escape(screen)})</h3>"
                '<div class="shots">'
                + _shot("phone before", pb.screenshot)
                + _shot("phone after", pa.screenshot)
                + _shot(caption, None if pdiff is None else pdiff.image)
                + "</div>"
            )
    findings = page.findings
    if findings:
        finding_rows = "".join(
            f'<tr><td class="text"><code><bdi>{escape(_loc(f))}</bdi></code></td><td class="text">{escape(str(f.severity))} '
            f'{escape(str(f.code))}</td><td class="text">{escape(str(f.message))}</td></tr>'
            for f in findings
        )
        out.append(f"<h3>Findings after ({len(findings)})</h3><table><tbody>{finding_rows}</tbody></table>")
    out.append("</section>")
    return "".join(out)


def _kb(value: float | None) -> float | None:
    return None if value is None else float(value) / 1024


def _loc(f: PageFinding) -> str:
    return f"{f.path}:{f.line}" if f.line else str(f.path)


def _chart(title: str, rows: Sequence[tuple[str, float | None, float | None]], unit: str) -> str:
    """Horizontal before/after bars, one pair per row, scaled to the largest value in the chart."""
    values = [float(v) for _, b, a in rows for v in (b, a) if v is not None]
    top = max(values, default=0.0) or 1.0
    label_w, bar_w = 90, _CHART_W - 90 - 70
    row_h = 2 * _BAR_H + 10
    height = 22 + row_h * len(rows)
    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_CHART_W}" height="{height}" role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="14" font-size="13" font-weight="600">{escape(title)}</text>',
    ]
    for i, (label, before, after) in enumerate(rows):
        y = 22 + i * row_h
        svg.append(f'<text x="0" y="{y + _BAR_H + 4}" font-size="12">{escape(label)}</text>')
        for j, (value, colour) in enumerate(((before, _BEFORE), (after, _AFTER))):
            yy = y + j * _BAR_H
            width = 0.0 if value is None or float(value) <= 0 else max(1.0, float(value) / top * bar_w)
            svg.append(f'<rect x="{label_w}" y="{yy}" width="{width:.1f}" height="{_BAR_H - 2}" fill="{colour}"/>')
            text = "-" if value is None else _fmt(float(value), unit)
            svg.append(f'<text x="{label_w + width + 4:.1f}" y="{yy + _BAR_H - 3}" font-size="11">{escape(text)}</text>')
    svg.append("</svg>")
    return "".join(svg)


def _fmt(value: float, unit: str) -> str:
    # Kilobytes and small fractional values keep one decimal; counts and milliseconds need none.
    digits = 1 if unit == " KB" or (not value.is_integer() and abs(value) < 100) else 0
    return f"{value:,.{digits}f}{unit}"


def _browser_details(before: BrowserMeasure, after: BrowserMeasure) -> str:
    def cell(items: Sequence[str]) -> str:
        return "<br>".join(escape(str(i)) for i in items) if items else "none"

    def lcp(m: BrowserMeasure) -> str:
        e = m.lcp
        if e is None:
            return "-"
        what = e.url or f"<{e.tag}>"
        return escape(f"{_num(m.lcp_ms)} ms, {what}" + (" (lazy!)" if e.lazy else ""))

    rows = [
        ("requests by type", escape(_types(before.by_type)), escape(_types(after.by_type))),
        ("images at first load", escape(_image_kinds(before)), escape(_image_kinds(after))),
        ("render-blocking", escape(_types(before.blocking_by_type)), escape(_types(after.blocking_by_type))),
        ("console errors", cell(before.console_errors), cell(after.console_errors)),
        ("failed requests", cell(before.failed), cell(after.failed)),
        ("LCP", lcp(before), lcp(after)),
        ("CLS", escape(f"{float(before.cls or 0):.3f}"), escape(f"{float(after.cls or 0):.3f}")),
    ]
    body = "".join(f'<tr><td>{k}</td><td class="text">{b}</td><td class="text">{a}</td></tr>' for k, b, a in rows)
    return f"<h3>In Chromium (cold cache)</h3><table><thead><tr><th></th><th>before</th><th>after</th></tr></thead><tbody>{body}</tbody></table>"


def _types(by: Mapping[str, int] | None) -> str:
    """``by`` as "type count, ...": "none" when empty, "-" when the measurement lacks it (older baselines)."""
    return ", ".join(f"{k} {v}" for k, v in sorted((by or {}).items())) or ("-" if by is None else "none")


# Chromium fetches lazy <img> within ~1250 px of the fold and CSS backgrounds at first load too; the
# rewrite controls only the first kind, so the three are shown apart.
_VIA_LABELS = (("img-eager", "eager <img>"), ("img-lazy", "lazy <img> fetched anyway"), ("css", "CSS"), ("other", "other"))


def _image_kinds(m: BrowserMeasure) -> str:
    im = m.images
    if not im:
        return "-"
    return ", ".join(f"{label} {im.get(key, 0)}" for key, label in _VIA_LABELS)


def _shot(caption: str, path: str | None) -> str:
    body = '<div class="missing">no screenshot</div>'
    if path:
        try:
            raw = Path(str(path)).read_bytes()
        except OSError:
            body = f'<div class="missing">screenshot missing: {escape(str(path))}</div>'
        else:
            mime = "image/png" if raw[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
            body = f'<img alt="{escape(caption)}" src="data:{mime};base64,{base64.b64encode(raw).decode("ascii")}">'
    return f'<figure><figcaption>{escape(caption)}</figcaption><div class="shot">{body}</div></figure>'


def _footer(commands: Sequence[str], versions: Mapping[str, str]) -> str:
    out = []
    if commands:
        out.append("<h3>Commands</h3><pre>" + escape("\n".join(str(c) for c in commands)) + "</pre>")
    if versions:
        rows = "".join(f'<tr><td>{escape(str(k))}</td><td class="text">{escape(str(v))}</td></tr>' for k, v in versions.items())
        out.append(f"<h3>Versions</h3><table><tbody>{rows}</tbody></table>")
    return "".join(out)
