"""Compare two audits, before and after, page by page: did every page get lighter, and did any get worse?

Input is two ``assetopt.audit`` v1 documents (what ``report.to_json`` writes and ``audit --json``
saves); output is a ``Verdict`` whose reasons name the page and the metric. Also the verdict's other
faces: a Markdown before/after table for a pull request and a JSON-ready dict (the input of
``htmlreport.render_report``). Pure: no files, no printing, no exit codes.

The browser half of the proof (``browser_reasons``, ``phone_reasons``, ``browser_entry``) lives in
``browser_verdict.py`` and is re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..audit.report import SCHEMA, SCHEMA_VERSION
from ..audit.thresholds import Condition
from ..errors import AssetoptError
from .browser_verdict import browser_entry, browser_reasons, phone_reasons

__all__ = [
    "VERIFY_SCHEMA",
    "VERIFY_VERSION",
    "BR_TOLERANCE",
    "COUNT_METRICS",
    "PageDelta",
    "PageFinding",
    "Verdict",
    "compare",
    "browser_entry",
    "markdown_table",
    "verdict_to_dict",
    "browser_reasons",
    "phone_reasons",
]

VERIFY_SCHEMA = "assetopt.verify"
VERIFY_VERSION = 1

# Counts where more is worse. lazy_img is left out on purpose: more lazy images is the improvement.
COUNT_METRICS: tuple[str, ...] = ("requests", "css", "css_import", "js", "font", "iframe", "blocking", "eager_img")
# Brotli bytes may wobble by a rounding's worth (a bundle's header comment, a hash in a URL); 1 % is noise.
BR_TOLERANCE = 0.01
# Findings a page should have fewer of after `optimize`: if the baseline had them, something must drop.
ACTIONABLE = ("bundle-run", "img-not-lazy")
# What "dropped" means for "did not improve": any of these went down.
_DROP_METRICS: tuple[str, ...] = ("requests", "css", "js", "blocking", "eager_img", "br")
_NEEDED = ("requests", "css", "css_import", "js", "img", "eager_img", "lazy_img", "font", "iframe", "blocking", "bytes", "gzip", "br")


@dataclass(frozen=True, slots=True)
class PageFinding:
    """An after-side warning or error of a page, as the audit JSON gives it (any of it may be missing)."""

    code: str | None
    severity: str | None
    path: str | None
    line: int | None
    message: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "path": self.path, "line": self.line, "message": self.message}


@dataclass(frozen=True, slots=True)
class PageDelta:
    """One page before and after. ``before``/``after`` are the audit's ``metrics``; None when missing."""

    name: str
    before: Mapping[str, float] | None
    after: Mapping[str, float] | None
    status: str  # improved, unchanged, regressed, not-improved, failed-require, missing-after, missing-before
    reasons: tuple[str, ...] = ()
    actionable: Mapping[str, int] = field(default_factory=dict)  # baseline finding code -> count
    findings: tuple[PageFinding, ...] = ()  # the after side's warnings and errors, with path and line

    @property
    def failed(self) -> bool:
        return bool(self.reasons)


@dataclass(frozen=True, slots=True)
class Verdict:
    pages: list[PageDelta]
    failed: bool
    reasons: list[str]  # one line each, naming the page


def compare(
    baseline: Mapping[str, Any],
    current: Mapping[str, Any],
    require: tuple[Condition, ...] = (),
    *,
    baseline_path: str | None = None,
) -> Verdict:
    """Page-by-page verdict of ``current`` against ``baseline``; ``require`` is checked on ``current``.

    A page fails when a count in ``COUNT_METRICS`` went up, brotli bytes grew by more than
    ``BR_TOLERANCE``, it had ``bundle-run``/``img-not-lazy`` findings yet nothing dropped, a
    ``require`` condition does not hold after, or it exists on one side only.
    """
    _check_document(baseline, "baseline", baseline_path)
    _check_document(current, "current audit", None)
    before = _pages(baseline, "baseline", baseline_path)
    after = _pages(current, "current audit", None)
    deltas: list[PageDelta] = []
    # a file with several names (overlapping template dirs) is one page now; a baseline from before listed each name
    audited_as = {o: n for n, page in after.items() if isinstance(page.get("other_names"), list) for o in page["other_names"] if isinstance(o, str)}
    for name in sorted(before.keys() | after.keys()):
        b, a = before.get(name), after.get(name)
        if a is None:
            why = f"{name}: in the baseline but not in the current audit (renamed, removed or excluded?)"
            if name in audited_as:
                why = (
                    f"{name}: the same file as {audited_as[name]} (overlapping template dirs), now audited once as {audited_as[name]}:"
                    " write a new baseline with audit --json"
                )
            deltas.append(PageDelta(name, _metrics(b), None, "missing-after", (why,)))
        elif b is None:
            deltas.append(
                PageDelta(
                    name, None, _metrics(a), "missing-before", (f"{name}: not in the baseline (a new page? write a new baseline with audit --json)",)
                )
            )
        else:
            deltas.append(_page_delta(name, b, a, require))
    reasons = [r for d in deltas for r in d.reasons]
    return Verdict(pages=deltas, failed=bool(reasons), reasons=reasons)


def _check_document(doc: Mapping[str, Any], role: str, path: str | None) -> None:
    if not isinstance(doc, Mapping):
        raise AssetoptError(
            f"the {role} is not an audit report (a JSON object was expected)", path=path, hint="pass a file written by assetopt audit --json"
        )
    schema, version = doc.get("schema"), doc.get("version")
    if schema != SCHEMA:
        raise AssetoptError(
            f"the {role} has schema {schema!r}, expected {SCHEMA!r}",
            path=path,
            hint="pass a file written by assetopt audit --json",
        )
    if version != SCHEMA_VERSION:
        raise AssetoptError(
            f"the {role} is {SCHEMA} version {version!r}; this assetopt reads version {SCHEMA_VERSION}",
            path=path,
            hint=f"write a new baseline with this assetopt's audit --json (it was written by assetopt {doc.get('assetopt', '?')})",
        )


def _pages(doc: Mapping[str, Any], role: str, path: str | None) -> dict[str, Mapping[str, Any]]:
    pages = doc.get("pages")
    if not isinstance(pages, list):
        raise AssetoptError(f"the {role} has no pages list", path=path, hint="pass a file written by assetopt audit --json")
    out: dict[str, Mapping[str, Any]] = {}
    for page in pages:
        metrics = page.get("metrics") if isinstance(page, Mapping) else None
        name = page.get("name") if isinstance(page, Mapping) else None
        if not isinstance(name, str) or not isinstance(metrics, Mapping):
            raise AssetoptError(
                f"the {role} has a page without a name or metrics: {str(page)[:80]}", path=path, hint="pass a file written by assetopt audit --json"
            )
        missing = [m for m in _NEEDED if not isinstance(metrics.get(m), (int, float))]
        if missing:
            raise AssetoptError(
                f"the {role}'s page {name} has no metrics {', '.join(missing)}", path=path, hint="pass a file written by assetopt audit --json"
            )
        out[name] = page
    return out


def _metrics(page: Mapping[str, Any] | None) -> Mapping[str, float] | None:
    """A page's ``metrics`` plus its image bytes, ``img_bytes`` (raw) and ``img_br`` (as served, brotli),
    taken from the audit's ``bytes.img`` group (``<img>`` and CSS ``url()`` images, measured as the
    build ships them after a build). A page without that group (a hand-made document) has neither."""
    if page is None:
        return None
    metrics = dict(page["metrics"])
    group = page.get("bytes", {}).get("img") if isinstance(page.get("bytes"), Mapping) else None
    if isinstance(group, Mapping):
        for metric, key in (("img_bytes", "raw"), ("img_br", "br")):
            if metric not in metrics and isinstance(group.get(key), (int, float)):
                metrics[metric] = group[key]
    return metrics


def _page_delta(name: str, b: Mapping[str, Any], a: Mapping[str, Any], require: tuple[Condition, ...]) -> PageDelta:
    mb, ma = _metrics(b), _metrics(a)
    assert mb is not None and ma is not None
    reasons: list[str] = []
    worse = [f"{m} {_n(mb[m])} -> {_n(ma[m])}" for m in COUNT_METRICS if ma[m] > mb[m]]
    if ma["br"] > mb["br"] * (1 + BR_TOLERANCE):
        worse.append(f"br {_kb(mb['br'])} -> {_kb(ma['br'])} KB (+{_pct(mb['br'], ma['br'])}, over the {BR_TOLERANCE:.0%} tolerance)")
    status = "unchanged"
    if worse:
        status = "regressed"
        reasons.append(f"{name}: regressed: {', '.join(worse)}")
    dropped = any(ma[m] < mb[m] for m in _DROP_METRICS)
    actionable: dict[str, int] = {}
    for f in b.get("findings", ()):
        if isinstance(f, Mapping) and f.get("code") in ACTIONABLE:
            actionable[f["code"]] = actionable.get(f["code"], 0) + 1
    if dropped and not worse:
        status = "improved"
    elif not dropped and actionable:
        status = "not-improved" if not worse else status
        had = ", ".join(f"{n} {code}" for code, n in sorted(actionable.items()))
        reasons.append(
            f"{name}: did not improve: the baseline had {had} finding(s) but no request, blocking, eager image or brotli byte count dropped"
        )
    unmet = [c for c in require if not c.holds(ma)]
    if unmet:
        if status not in ("regressed", "not-improved"):
            status = "failed-require"
        reasons.append(f"{name}: requires {', '.join(c.text for c in unmet)}; has {', '.join(f'{c.metric}={_n(ma[c.metric])}' for c in unmet)}")
    findings = tuple(
        PageFinding(f.get("code"), f.get("severity"), f.get("path"), f.get("line"), f.get("message"))
        for f in a.get("findings", ())
        if isinstance(f, Mapping) and f.get("severity") in ("warning", "error")
    )
    return PageDelta(name, dict(mb), dict(ma), status, tuple(reasons), actionable, findings)


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _kb(n: float) -> str:
    return f"{n / 1024:.1f}"


def _pct(before: float, after: float) -> str:
    if before == 0:
        return "n/a" if after == 0 else "new"
    return f"{(after - before) / before * 100:+.1f} %"


def _arrow(before: Mapping[str, float] | None, after: Mapping[str, float] | None, metric: str, fmt: Any = _n) -> str:
    b = "-" if before is None or metric not in before else fmt(before[metric])
    a = "-" if after is None or metric not in after else fmt(after[metric])
    return f"{b} → {a}"


def markdown_table(verdict: Verdict) -> str:
    """The before/after table a developer pastes into a pull request (GitHub-flavoured Markdown)."""
    head = ["page", "requests", "css", "js", "eager img", "blocking", "img KB", "br KB", "br change", "status"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * 8 + ["---"]) + "|"]
    for d in verdict.pages:
        change = _pct(d.before["br"], d.after["br"]) if d.before is not None and d.after is not None else "-"
        cells = [
            d.name.replace("|", "\\|"),
            _arrow(d.before, d.after, "requests"),
            _arrow(d.before, d.after, "css"),
            _arrow(d.before, d.after, "js"),
            _arrow(d.before, d.after, "eager_img"),
            _arrow(d.before, d.after, "blocking"),
            _arrow(d.before, d.after, "img_br", _kb),
            _arrow(d.before, d.after, "br", _kb),
            change,
            d.status,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    both = [d for d in verdict.pages if d.before is not None and d.after is not None]
    if both:
        tb = {m: sum(d.before[m] for d in both if d.before) for m in ("requests", "br")}
        ta = {m: sum(d.after[m] for d in both if d.after) for m in ("requests", "br")}
        with_img = all(d.before is not None and d.after is not None and "img_br" in d.before and "img_br" in d.after for d in both)
        img = f"{_kb(sum(d.before['img_br'] for d in both if d.before))} → {_kb(sum(d.after['img_br'] for d in both if d.after))}" if with_img else ""
        lines.append(
            f"| **total ({len(both)} pages)** | {_n(tb['requests'])} → {_n(ta['requests'])} |  |  |  |  | {img} "
            f"| {_kb(tb['br'])} → {_kb(ta['br'])} | {_pct(tb['br'], ta['br'])} | {'failed' if verdict.failed else 'ok'} |"
        )
    return "\n".join(lines) + "\n"


def verdict_to_dict(verdict: Verdict) -> dict[str, Any]:
    """The JSON face (schema ``assetopt.verify`` v1): also what ``htmlreport.render_report`` reads."""
    return {
        "schema": VERIFY_SCHEMA,
        "version": VERIFY_VERSION,
        "failed": verdict.failed,
        "reasons": list(verdict.reasons),
        "pages": [
            {
                "name": d.name,
                "status": d.status,
                "before": None if d.before is None else dict(d.before),
                "after": None if d.after is None else dict(d.after),
                "reasons": list(d.reasons),
                "actionable": dict(d.actionable),
                "findings": [f.to_dict() for f in d.findings],
            }
            for d in verdict.pages
        ],
    }
