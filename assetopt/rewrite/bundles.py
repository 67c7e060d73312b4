"""Rewrite transform: wrap each bundle-eligible run of asset tags in ``{% bundle %}`` (or, for teams on
django-compressor, ``{% compress %}``).

Runs come from ``runs.find_runs`` (``design.md`` decision 3), so a run never crosses a ``{% block %}``,
an ``{% if %}``, an inline script or another element; tags that cannot join a run are reported with
the reason. Runs already inside a ``{% bundle %}``/``{% compress %}`` block are left alone, so
rewriting twice equals rewriting once. Pure.
"""
from __future__ import annotations

from collections.abc import Mapping

from ..templates.model import Template
from ..templates.runs import Run, find_runs
from ..templates.tags import EndTag
from .edits import Edit, Skip, TransformResult

__all__ = ["plan_bundles"]


def _line_indent(source: str, offset: int) -> str:
    line_start = source.rfind("\n", 0, offset) + 1
    prefix = source[line_start:offset]
    return prefix if prefix.strip() == "" else ""


def _run_end(template: Template, run: Run) -> int:
    """End offset of the run: after the last tag, or after its ``</script>``."""
    last = run.assets[-1].tag
    if run.kind == "css":
        return last.end
    for item in template.items:
        if item.start >= last.end and isinstance(item, EndTag) and item.name == "script":
            return item.end
    return last.end


def plan_bundles(
    template: Template, static_url: str, emit: str = "bundle", self_locating: Mapping[str, str] | None = None
) -> TransformResult:
    """Edits wrapping every run of two or more assets; ``emit`` is "bundle" or "compressor";
    ``self_locating``: scripts that find their files by their own URL, never bundled."""
    runs, excluded = find_runs(template, static_url, self_locating)
    edits: list[Edit] = []
    newline = "\r\n" if "\r\n" in template.source else "\n"
    for run in runs:
        start, end = run.start, _run_end(template, run)
        indent = _line_indent(template.source, start)
        what = "stylesheets" if run.kind == "css" else "scripts"
        if emit == "compressor":
            open_tag, close_tag = f"{{% compress {run.kind} %}}", "{% endcompress %}"
        else:
            open_tag, close_tag = f'{{% bundle "{run.kind}" %}}', "{% endbundle %}"
        reason = f"{len(run.assets)} {what} -> one {'compressed file' if emit == 'compressor' else 'bundle'}"
        edits.append(Edit(start, start, open_tag + newline + indent, "bundles", run.lineno, reason))
        edits.append(Edit(end, end, newline + indent + close_tag, "bundles", run.lineno, reason))
    skips = tuple(
        Skip("bundles", template.path, ex.asset.tag.lineno, f"<{ex.asset.tag.name}> not bundled: {ex.reason}") for ex in excluded
    )
    loads = (("compress" if emit == "compressor" else "assetopt"),) if edits else ()
    return TransformResult(tuple(edits), skips, loads)
