"""Pages, requests and edits per corpus of real third-party templates, so a regression shows.

Run: python bench/corpora.py  (fetches the corpora into ~/.cache/assetopt-corpora, or $ASSETOPT_CORPORA,
once; prints a Markdown table; paste it into bench/RESULTS-corpora.md with the date)

Per corpus: templates read, pages found, HTML e-mails left alone, problems (missing parents/includes
from apps the corpus does not ship), requests counted over all pages (upper bounds included), tags
counted as an upper bound because template code sits inside them, and the edits `rewrite` plans
(bundles, lazy images, fetchpriority) with the templates they touch.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from corpora_support import CORPORA, corpora_root, corpus_project  # noqa: E402

from assetopt.audit.run import run_audit  # noqa: E402
from assetopt.rewrite.context import RewriteContext  # noqa: E402
from assetopt.rewrite.project import plan_project  # noqa: E402


def main() -> None:
    root, why = corpora_root()
    if root is None:
        sys.exit(f"corpora unavailable: {why}")
    header = "| corpus | templates | pages | e-mails | problems | requests | upper-bound tags | bundles | lazy | fetchpriority | templates edited | seconds |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for name in CORPORA:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            project = corpus_project(root, name, Path(tmp))
            audit = run_audit(project)
            rewrite = plan_project(project, RewriteContext(only=frozenset({"bundles", "images"})), compile_check=False)
            seconds = time.perf_counter() - t0
        edits = [e for c in rewrite.changes for e in c.edits]
        bundles = sum(1 for e in edits if e.kind == "bundles" and e.text.lstrip().startswith("{%") and "end" not in e.text)
        lazy = sum(1 for e in edits if e.reason.startswith("lazy:"))
        priority = sum(1 for e in edits if "fetchpriority" in e.text)
        requests = sum(p.counts["requests"] for p in audit.pages)
        unknown = len({(r.path, r.lineno) for p in audit.pages for r in p.requests if r.unknown})
        print(
            f"| {name} | {audit.templates} | {len(audit.pages)} | {len(audit.emails)} | {len(audit.problems)} | {requests} | {unknown} "
            f"| {bundles} | {lazy} | {priority} | {len(rewrite.changes)} | {seconds:.1f} |"
        )


if __name__ == "__main__":
    main()
