"""Bundles on a page: the stylesheets/scripts of one ``{% bundle %}`` block counted as what the browser
fetches, and how many requests would remain if every bundle-eligible run were one file."""

from __future__ import annotations

from collections.abc import Callable

from ..templates.model import Template
from ..templates.pages import Page
from ..templates.refs import Ref, RefKind
from ..templates.runs import Run
from .byte_sizes import Sizes
from .model import Finding, Request, StaticIndex
from .static_refs import sizes_of

__all__ = ["RunsOf", "bundled_estimate", "collapse_bundles"]

RunsOf = Callable[[Template], list[Run]]


def _sum(sizes: list[Sizes]) -> Sizes:
    return Sizes(sum(x.raw for x in sizes), sum(x.gzip for x in sizes), sum(x.br for x in sizes), True)


def collapse_bundles(requests: list[Request], index: StaticIndex, findings: list[Finding]) -> list[Request]:
    """The stylesheets/scripts inside one ``{% bundle %}`` block become what the browser fetches:
    the built file(s) from the manifest, or, before a build, one request carrying its sources' sizes."""
    out: list[Request] = []
    groups: dict[tuple[str, tuple[str, int]], list[Request]] = {}
    for req in requests:
        if req.bundle is not None and req.kind in ("css", "js") and req.via == "":
            key = (req.kind, req.bundle)
            if key not in groups:
                groups[key] = []
                out.append(req)  # placeholder, replaced below
            groups[key].append(req)
        else:
            out.append(req)
    for (kind, (path, lineno)), members in groups.items():
        choices = [
            files
            for sources, files in index.bundles.items()
            if len(sources) == len(members) and all(src in m.ref.paths for src, m in zip(sources, members))
        ]
        all_paths = tuple(dict.fromkeys(p for m in members for p in m.ref.paths))
        first = members[0]
        if choices:
            files = max(choices, key=lambda fs: sum(f.br for f in fs))  # RTL/LTR: the larger, an upper bound
            sizes, count, what = _sum(list(files)), len(files), "built"
        else:
            member_sizes = [s for m in members if (s := sizes_of(m.ref, index)) is not None]
            sizes, count, what = _sum(member_sizes), 1, "not built yet"
            findings.append(
                Finding(
                    "bundle-not-built",
                    "info",
                    path,
                    lineno,
                    f'{{% bundle "{kind}" %}} of {len(members)} files is not built: counted as one request with its sources\' sizes',
                    "run assetopt build",
                )
            )
        merged = Request(
            kind,
            Ref(
                RefKind.STATIC,
                paths=all_paths,
                url=f'{{% bundle "{kind}" %}} at {path}:{lineno} ({what})',
                conditional=any(m.ref.conditional for m in members),
            ),
            path=path,
            lineno=lineno,
            conditional=any(m.conditional for m in members),
            in_loop=any(m.in_loop for m in members),
            blocking=any(m.blocking for m in members),
            mode=first.mode,
            bundle=(path, lineno),
            files=count,
            sizes=sizes,
        )
        out[out.index(first)] = merged
    return out


def bundled_estimate(page: Page, runs_of: RunsOf, counts: dict[str, int], findings: list[Finding]) -> dict[str, int]:
    """CSS/JS request counts if every bundle-eligible run of the page's templates became one file."""
    saved = {"css": 0, "js": 0}
    rendered = {(pi.template.path, pi.item.start) for pi in page.items}
    for template in page.templates:
        for run in runs_of(template):
            live = [a for a in run.assets if (template.path, a.tag.start) in rendered]
            if len(live) < 2:
                continue
            saved[run.kind] += len(live) - 1
            findings.append(
                Finding(
                    "bundle-run",
                    "warning",
                    template.path,
                    run.lineno,
                    f"{len(live)} {'stylesheets' if run.kind == 'css' else 'scripts'} in a row could be one bundle",
                    'wrap them in {% bundle "' + run.kind + '" %} (assetopt rewrite --only bundles)',
                )
            )
    return {k: counts[k] - saved[k] for k in saved}
