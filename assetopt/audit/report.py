"""The audit's faces: JSON (versioned schema, the baseline ``verify`` compares with) and a terminal
table. Both are built from the same ``AuditResult``; nothing here computes a number of its own.

The JSON schema is documented in ``docs/audit-json.md``; bump ``SCHEMA_VERSION`` on any change that
removes or changes the meaning of a field.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from .. import __version__
from .model import Finding, PageReport
from .run import AuditResult

__all__ = ["SCHEMA", "SCHEMA_VERSION", "to_json", "page_metrics", "render_table", "render_findings", "all_findings", "same_file_notes"]

SCHEMA = "assetopt.audit"
SCHEMA_VERSION = 1


def page_metrics(page: PageReport) -> dict[str, float]:
    c = page.counts
    return {
        "css": c["css"],
        "css_import": c["css-import"],
        "js": c["js"],
        "img": c["img"],
        "eager_img": c["img_eager"],
        "lazy_img": c["img_lazy"],
        "iframe": c["iframe"],
        "font": c["font"],
        "requests": c["requests"],
        "blocking": page.blocking,
        "bytes": page.bytes["total"]["raw"],
        "gzip": page.bytes["total"]["gzip"],
        "br": page.bytes["total"]["br"],
        "img_bytes": page.bytes["img"]["raw"],
        "img_br": page.bytes["img"]["br"],
        "findings": sum(1 for f in page.findings if f.severity in ("warning", "error")),
        "errors": sum(1 for f in page.findings if f.severity == "error"),
    }


def _finding(f: Finding) -> dict[str, Any]:
    return {"code": f.code, "severity": f.severity, "path": f.path, "line": f.lineno, "message": f.message, "fix": f.fix}


def same_file_notes(result: AuditResult) -> list[str]:
    """One line per page whose file has other names too (overlapping template dirs)."""
    return [
        f"{', '.join(rest)} {'is' if len(rest) == 1 else 'are'} the same file as {name} (overlapping template dirs): audited once"
        for name, rest in result.same_files
    ]


def to_json(result: AuditResult, project: str, static_url: str) -> dict[str, Any]:
    pages = []
    other_names = dict(result.same_files)
    for p in result.pages:
        pages.append(
            {
                "name": p.name,
                "path": p.path,
                "other_names": list(other_names.get(p.name, ())),
                "upper_bound": p.upper_bound,
                "counts": dict(p.counts),
                "render_blocking": p.blocking,
                "bytes": {k: dict(v) for k, v in p.bytes.items()},
                "bundled_estimate": dict(p.bundled_estimate),
                "cache_fragments": p.cache_fragments,
                "metrics": page_metrics(p),
                "requests": [
                    {
                        "kind": r.kind,
                        "ref": r.ref.kind.value,
                        "url": r.ref.url,
                        "static_paths": list(r.ref.paths),
                        "path": r.path,
                        "line": r.lineno,
                        "conditional": r.conditional,
                        "in_loop": r.in_loop,
                        "render_blocking": r.blocking,
                        "lazy": r.lazy,
                        "mode": r.mode,
                        "via": r.via,
                        "unknown": r.unknown,
                    }
                    for r in p.requests
                ],
                "findings": [_finding(f) for f in p.findings],
            }
        )
    severities: dict[str, int] = defaultdict(int)
    for f in all_findings(result):
        severities[f.severity] += 1
    return {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "assetopt": __version__,
        "project": project,
        "static_url": static_url,
        "template_dirs": list(result.template_dirs),
        "static_dirs": list(result.static_dirs),
        "summary": {
            "templates": result.templates,
            "pages": len(result.pages),
            "problems": len(result.problems),
            "findings": dict(sorted(severities.items())),
        },
        "pages": pages,
        "problems": [{"path": p.path, "line": p.lineno, "message": p.message, "hint": p.hint} for p in result.problems],
        "not_audited": [{"path": p.path, "line": p.lineno, "message": p.message, "hint": p.hint} for p in result.not_audited],
        "notes": same_file_notes(result),
    }


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def all_findings(result: AuditResult) -> list[Finding]:
    """Findings of every page, each once (a finding in base.html is shared by every page)."""
    seen: set[tuple[str, str, int | None, str]] = set()
    out = []
    for p in result.pages:
        for f in p.findings:
            key = (f.code, f.path, f.lineno, f.message)
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def _kb(n: int) -> str:
    return f"{n / 1024:.1f}"


def render_table(result: AuditResult) -> str:
    header = ["page", "css", "js", "img eager/lazy", "font", "requests", "blocking", "css+js KB", "css+js br KB", "findings"]
    rows: list[list[str]] = []
    tot: defaultdict[str, int] = defaultdict(int)
    for p in result.pages:
        c = p.counts
        cssjs_raw = p.bytes["css"]["raw"] + p.bytes["js"]["raw"]
        cssjs_br = p.bytes["css"]["br"] + p.bytes["js"]["br"]
        nfind = sum(1 for f in p.findings if f.severity != "info")
        rows.append(
            [
                p.name + (" *" if p.upper_bound else ""),
                str(c["css"]),
                str(c["js"]),
                f"{c['img_eager']}/{c['img_lazy']}",
                str(c["font"]),
                str(c["requests"]),
                str(p.blocking),
                _kb(cssjs_raw),
                _kb(cssjs_br),
                str(nfind),
            ]
        )
        for k in ("css", "js", "img_eager", "img_lazy", "font", "requests"):
            tot[k] += c[k]
        tot["blocking"] += p.blocking
        tot["raw"] += cssjs_raw
        tot["br"] += cssjs_br
        tot["findings"] += nfind
    rows.append(
        [
            f"total ({len(result.pages)} pages)",
            str(tot["css"]),
            str(tot["js"]),
            f"{tot['img_eager']}/{tot['img_lazy']}",
            str(tot["font"]),
            str(tot["requests"]),
            str(tot["blocking"]),
            _kb(tot["raw"]),
            _kb(tot["br"]),
            str(tot["findings"]),
        ]
    )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(r: list[str]) -> str:
        return "  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r))

    sep = "  ".join("-" * w for w in widths)
    out = [line(header), sep, *(line(r) for r in rows[:-1]), sep, line(rows[-1])]
    if any(p.upper_bound for p in result.pages):
        out.append("* upper bound: counts include every {% if %} branch and one pass of each {% for %}")
    notes = same_file_notes(result)
    if len(notes) == 1:
        out.append(notes[0])
    elif notes:
        out.append(
            f"{len(notes)} page(s) whose file has other names too (overlapping template dirs): each file audited once, as the page named first:"
        )
        out.extend(f"  {name} (also {', '.join(rest)})" for name, rest in result.same_files[:_UNREAD_SHOWN])
        if len(notes) > _UNREAD_SHOWN:
            out.append(f'  ... and {len(notes) - _UNREAD_SHOWN} more (assetopt audit --json lists them: "other_names")')
    if result.emails:
        out.append(f"e-mail templates left alone (not pages: an e-mail client ignores all of it): {', '.join(result.emails)}")
    unread = {(r.path, r.lineno): r for p in result.pages for r in p.requests if r.unknown}
    if unread:
        shown = [f"  {path}:{lineno} <{_TAG_OF.get(r.kind, r.kind)}> ({r.unknown})" for (path, lineno), r in list(unread.items())[:_UNREAD_SHOWN]]
        more = len(unread) - len(shown)
        out.append(f"* {len(unread)} asset tag(s) with template code inside the tag, counted as an upper bound (never rewritten):")
        out.extend(shown + ([f'  ... and {more} more (assetopt audit --json lists them: "unknown")'] if more > 0 else []))
    return "\n".join(out)


_TAG_OF = {"css": "link", "preload": "link", "js": "script"}
_UNREAD_SHOWN = 8
# Findings that say one thing of many pages (55 lines on django-allauth with --all): one line for
# the run in the terminal, saying how many and how to list them; --json keeps one finding per page.
_PER_PAGE_SUMMARY = {"no-cache-fragments": "render no {% cache %} fragment"}


def _per_page_summary(code: str, items: list[Finding], pages: int) -> str:
    first = items[0]
    return (
        f"{first.severity} {code} ({len(items)}): {len(items)} of {pages} pages {_PER_PAGE_SUMMARY[code]}: {first.fix}"
        f'; to list them: --json FILE (their findings with "code": "{code}")'
    )


def render_findings(result: AuditResult, limit: int | None = 8) -> str:
    """Findings grouped by code, errors first; ``limit`` per code (None = all), never silently cut; a
    finding of many pages (``_PER_PAGE_SUMMARY``) is one line naming its count and how to list them."""
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in all_findings(result):
        groups[f.code].append(f)
    order = {"error": 0, "warning": 1, "info": 2}
    lines: list[str] = []
    for code, items in sorted(groups.items(), key=lambda kv: (order[kv[1][0].severity], kv[0])):
        items.sort(key=lambda f: (f.path, f.lineno or 0))
        if code in _PER_PAGE_SUMMARY:
            lines.append(_per_page_summary(code, items, len(result.pages)))
            continue
        lines.append(f"{items[0].severity} {code} ({len(items)}): {items[0].fix}")
        shown = items if limit is None else items[:limit]
        for f in shown:  # a fix other than the group's is shown with its finding, not lost
            lines.append(f"  {f.location}: {f.message}" + (f" (fix: {f.fix})" if f.fix and f.fix != items[0].fix else ""))
        if len(shown) < len(items):
            lines.append(f"  ... and {len(items) - len(shown)} more (--all to list them, or --json)")
    head: list[str] = []
    if result.problems:
        head.append(f"error template ({len(result.problems)}): templates that could not be read or resolved")
    for p in result.problems:
        loc = f"{p.path}:{p.lineno}" if p.lineno else p.path
        head.append(f"  {loc}: {p.message}" + (f" ({p.hint})" if p.hint else ""))
    if result.not_audited:
        head.append(f"warning not-audited ({len(result.not_audited)}): templates no page was found for, so nothing they load is counted")
    for p in result.not_audited:
        head.append(f"  {p.path}:{p.lineno}: {p.message} ({p.hint})")
    return "\n".join(head + lines)
