"""Rewrite transform: wrap each bundle-eligible run of asset tags in ``{% bundle %}`` (or, for teams on
django-compressor, ``{% compress %}``).

Runs come from ``runs.find_runs`` (``design.md`` decision 3), so a run never crosses a ``{% block %}``,
an ``{% if %}``, an inline script or another element; tags that cannot join a run are reported with
the reason. Inline scripts between two script runs that commute with the second (``templates.rejoin``)
move after it, and the two runs become one bundle. A run of classic scripts also gets ``defer`` when ``templates.defer`` proves nothing after it
needs it at parse time; otherwise a Skip says why it stays parser-blocking. Runs already inside a ``{% bundle %}``/``{% compress %}`` block are left alone, so
rewriting twice equals rewriting once. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from ..templates.defer import plan_defer, run_end
from ..templates.model import Template
from ..templates.rejoin import plan_rejoin
from ..templates.runs import find_runs
from ..text.inline_js import ScriptFacts
from .edits import Edit, Skip, TransformResult

__all__ = ["plan_bundles"]


def _line_indent(source: str, offset: int) -> str:
    line_start = source.rfind("\n", 0, offset) + 1
    prefix = source[line_start:offset]
    return prefix if prefix.strip() == "" else ""


def _whole_lines(source: str, lo: int, hi: int) -> tuple[int, int]:
    """``(lo, hi)`` widened to its whole lines when nothing else is on them (no blank line left behind)."""
    line_start = source.rfind("\n", 0, lo) + 1
    line_end = source.find("\n", hi)
    line_end = len(source) if line_end < 0 else line_end
    if source[line_start:lo].strip() or source[hi:line_end].strip():
        return lo, hi
    return line_start, min(line_end + 1, len(source))


def plan_bundles(
    template: Template,
    static_url: str,
    emit: str = "bundle",
    self_locating: Mapping[str, str] | None = None,
    script_facts: Mapping[str, ScriptFacts] | None = None,
    missing: frozenset[str] = frozenset(),
) -> TransformResult:
    """Edits wrapping every run of two or more assets; ``emit`` is "bundle" or "compressor";
    ``self_locating``: scripts that find their files by their own URL, never bundled;
    ``script_facts``: what was read from the scripts (``templates.defer``); None defers nothing;
    ``missing``: logical paths not in the static dirs, never bundled (the build could not join them)."""
    # inline scripts between two script runs may move after the second (``templates.rejoin``)
    rejoin = partial(plan_rejoin, template, facts=script_facts) if script_facts is not None and emit == "bundle" else None
    refusals: list[tuple[int, str]] = []
    runs, excluded = find_runs(
        template, static_url, self_locating, conditional_scripts=emit == "bundle", rejoin=rejoin, refusals=refusals, missing=missing
    )
    edits: list[Edit] = []
    skips: list[Skip] = [Skip("bundles", template.path, line, f"scripts not joined across inline scripts: {why}") for line, why in refusals]
    newline = "\r\n" if "\r\n" in template.source else "\n"
    for run in runs:
        start, end = run.start, run_end(template, run)
        indent = _line_indent(template.source, start)
        what = "stylesheets" if run.kind == "css" else "scripts"
        if emit == "compressor":
            open_tag, close_tag = f"{{% compress {run.kind} %}}", "{% endcompress %}"
        else:
            open_tag, close_tag = f'{{% bundle "{run.kind}" %}}', "{% endbundle %}"
        reason = f"{len(run.assets)} {what} -> one {'compressed file' if emit == 'compressor' else 'bundle'}"
        moved_before: set[tuple[int, int]] = set()
        if run.kind == "js" and run.key == "classic":
            plan = plan_defer(template, run, static_url, script_facts)
            blocker = "defer is added with {% bundle %} only" if emit == "compressor" else plan.blocker
            if blocker is None:
                why = "defer: nothing after these scripts needs them while the page is parsed"
                for lo, hi in plan.moves:  # before the {% bundle %} tag: it runs first, as it will after the deferral
                    moved = "data-only inline script moved before the deferred scripts (it reads and calls nothing)"
                    edits.append(Edit(start, start, template.source[lo:hi] + newline + indent, "bundles", template.lines.lineno(lo), moved))
                    edits.append(Edit(*_whole_lines(template.source, lo, hi), "", "bundles", template.lines.lineno(lo), moved))
                    moved_before.add((lo, hi))
                edits.extend(Edit(a.tag.start + 7, a.tag.start + 7, " defer", "bundles", a.tag.lineno, why) for a in run.assets)
            else:
                skips.append(Skip("bundles", template.path, run.lineno, f"{len(run.assets)} scripts stay parser-blocking: {blocker}"))
        edits.append(Edit(start, start, open_tag + newline + indent, "bundles", run.lineno, reason))
        edits.append(Edit(end, end, newline + indent + close_tag, "bundles", run.lineno, reason))
        for hop in run.hops:  # after {% endbundle %}: the inline script now runs after the scripts it commutes with
            if (hop.start, hop.end) in moved_before:
                continue
            after = [a for a in run.assets if a.tag.start > hop.start]
            names = ", ".join(dict.fromkeys(p.rsplit("/", 1)[-1] for a in after for p in (a.ref.paths if a.ref else ())))
            moved = f"inline script moved after {names} (line {after[0].tag.lineno}) so the scripts join one bundle; they commute: {hop.why}"
            edits.append(Edit(end, end, newline + indent + template.source[hop.start : hop.end], "bundles", hop.lineno, moved))
            edits.append(Edit(*_whole_lines(template.source, hop.start, hop.end), "", "bundles", hop.lineno, moved))
    skips.extend(Skip("bundles", template.path, ex.asset.tag.lineno, f"<{ex.asset.tag.name}> not bundled: {ex.reason}") for ex in excluded)
    loads = (("compress" if emit == "compressor" else "assetopt"),) if edits else ()
    return TransformResult(tuple(edits), tuple(skips), loads)
