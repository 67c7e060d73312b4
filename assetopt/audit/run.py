"""Run an audit over a project: the I/O around the pure pieces.

Reads and parses every template once, decides which templates are pages, resolves them, finds and
measures the static files they reference (in parallel, cached by content), reads the stylesheets'
``url()``/``@import`` references, and hands it all to ``audit.audit_page``.

After a build (``<out>/assetopt-manifest.json`` exists) the audit measures what the build ships:
bundles as their built files, and every other static file as its copy in ``<out>`` (re-encoded
JPEG/PNG, minified CSS/JS/SVG under ``minify_static``), not its source. ``run_audit(..., as_built=False)`` measures the sources only (``optimize``'s
baseline). A ``<picture>``'s WebP/AVIF source is not counted: the ``<img>`` fallback is, an upper
bound that holds in every browser.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..build.manifest import load_manifest, manifest_file
from ..errors import BundleSpecError, ManifestError, TemplateError
from ..io.project import Problem, Project, one_per_file
from ..io.scripts import self_locating_scripts
from ..io.staticfiles import Found, Lookup
from ..templates.email import is_email
from ..templates.model import Template
from ..templates.pages import Includes, Page, resolve_page
from ..templates.refs import RefKind
from ..templates.runs import Run, find_runs
from ..templates.static_literals import PageLiteral, after_static_url, manifest_key, normal_key, page_static_literals
from ..templates.tags import opens_document
from ..text.css import css_references, font_face_spans
from .byte_sizes import Sizes, measure_files
from .img_sizes import sized_image_paths, stale_size_findings
from .markup import markup_requests
from .model import PageReport, StaticIndex
from .page_report import audit_page
from .static_refs import css_target

__all__ = ["AuditResult", "find_pages", "run_audit"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class AuditResult:
    pages: tuple[PageReport, ...]
    problems: tuple[Problem, ...]  # templates that could not be read, parsed or resolved
    templates: int  # how many template files were read
    static_dirs: tuple[str, ...]
    template_dirs: tuple[str, ...]
    emails: tuple[str, ...] = ()  # HTML e-mail templates: left alone (templates.email)
    # leaf templates whose {% extends %} chain stops at a parent named by a variable: no page, so
    # nothing they load is counted; one entry per such {% extends %}, its message naming them
    not_audited: tuple[Problem, ...] = ()
    # page name -> the other names of its file (overlapping template dirs): audited once, under the page name
    same_files: tuple[tuple[str, tuple[str, ...]], ...] = ()


def find_pages(
    project: Project,
    progress: Progress | None = None,
    emails: list[Page] | None = None,
    not_audited: list[Problem] | None = None,
    same_files: dict[str, list[str]] | None = None,
    *,
    every_name: bool = False,
) -> tuple[list[Page], list[Problem]]:
    """Pages of the project: leaf templates whose chain renders a full document, plus configured ones.
    An HTML e-mail (``templates.email``) is no page: it goes into ``emails`` when given. Leaves whose
    chain stops at ``{% extends variable %}`` are no page either: ``not_audited`` gets one warning per
    such ``{% extends %}`` naming them, when given (they are never dropped silently).

    One file is one page: when template dirs overlap (django-machina lists ``templates/machina``
    before ``templates``) a file has several names, and the page is named by ``Project.name_order`` (as rewrite names its change);
    ``same_files`` gets page name -> its other names, when given. A file extended under any of its
    names is no page under any other. ``every_name``: a page under each of its names instead, as
    Django would render each (rewrite: a page includes a partial by one of its names, and the image
    roles it gets there count for the file, whatever name it is planned under)."""
    problems: list[Problem] = []
    extended: set[str] = set()
    names = project.template_names()
    for name in names:
        if progress:
            progress(name)
        try:
            t = project.load(name)
        except TemplateError as exc:
            problems.append(Problem(exc.path or name, exc.lineno, exc.message, exc.hint or ""))
            continue
        if t.extends is not None and t.extends.name:
            extended.add(t.extends.name)
    wanted = set(project.config.pages)
    alias_of: dict[str, str] = {}  # another name of a file -> the name it is audited under
    others: dict[str, list[str]] = {}
    extended_files: set[Path] = set()
    if not every_name:
        for kept, rest in project.names_per_file(names):
            others[kept] = rest
            alias_of.update((r, kept) for r in rest)
        extended_files = {f.resolve() for f in map(project.find_template, extended) if f is not None}
    for name in wanted - set(names):
        if project.find_template(name) is None:
            problems.append(Problem(name, None, "configured page not found in the template dirs", "fix the name in pages"))
    pages: list[Page] = []
    unfollowed: dict[tuple[str, int, str], list[str]] = {}  # a {% extends variable %} -> the leaves stopping there
    includes = Includes(project.load)  # each partial resolved once for every page
    for name in names:
        if name in alias_of:
            continue  # the same file as alias_of[name]: audited once, under that name
        file = project.find_template(name)
        if (name in extended or (file is not None and file.resolve() in extended_files)) and name not in wanted:
            continue
        try:
            template = project.load(name)
        except TemplateError:
            continue  # already reported
        if name not in wanted and template.extends is None and not _has_html_tag(template):
            continue  # a partial: rendered where it is included
        try:
            page = resolve_page(name, project.load, includes)
        except TemplateError as exc:
            problems.append(Problem(exc.path or name, exc.lineno, exc.message, exc.hint or ""))
            continue
        if name in wanted:
            pages.append(page)
        elif page.is_document:
            if is_email(page):
                if emails is not None:
                    emails.append(page)
            else:
                pages.append(page)
        else:
            for note in page.notes:
                if note.code == "dynamic-extends":
                    unfollowed.setdefault((note.path, note.lineno, note.message), []).append(name)
    if not_audited is not None:
        not_audited.extend(_not_audited(unfollowed))
    if same_files is not None:
        same_files.update((p.name, others[p.name]) for p in pages if others.get(p.name))
    return pages, list(dict.fromkeys(problems))


def _not_audited(unfollowed: dict[tuple[str, int, str], list[str]]) -> list[Problem]:
    out = []
    for (path, lineno, message), leaves in unfollowed.items():
        shown = ", ".join(leaves[:3]) + (f" and {len(leaves) - 3} more" if len(leaves) > 3 else "")
        what = f"{len(leaves)} template(s) whose chain stops there are not audited ({shown})"
        hint = "list the ones that are pages in pages = [...] to count what they load"
        out.append(Problem(path, lineno, f"{message}: {what}", hint))
    return out


def _has_html_tag(template: Template) -> bool:
    return any(opens_document(i) for i in template.items)


def _index(
    project: Project, pages: list[Page], markups: list[tuple[list, list]], as_built: bool = True, literals: Sequence[list[PageLiteral]] = ()
) -> StaticIndex:
    """``literals``: each page's literal ``{% static %}`` paths, looked up (whether the file exists)
    but not read or measured unless a request needs them (a download link may be a large file)."""
    found: dict[str, Found] = {}
    css: dict[str, tuple] = {}
    faces: dict[str, tuple] = {}
    pending_css: list[str] = []

    def look(path: str) -> Found:
        hit = found.get(path)
        if hit is None:
            hit = found[path] = project.static.find(path)
            if hit.status is Lookup.FOUND and path.lower().endswith(".css"):
                pending_css.append(path)
        return hit

    for reqs, _ in markups:
        for req, _, asset in reqs:
            refs = [req.ref, *asset.extra_refs]
            for ref in refs:
                if ref.kind is RefKind.STATIC:
                    for p in ref.paths:
                        look(p)
    while pending_css:
        path = pending_css.pop()
        f = found[path]
        assert f.file is not None
        try:
            text = f.file.read_bytes().decode("utf-8-sig", errors="replace")
        except OSError:
            continue
        css_refs = tuple(css_references(text))
        css[path] = css_refs
        faces[path] = tuple(font_face_spans(text))
        for r in css_refs:
            target = css_target(path, r.url)
            if target is not None and target.kind is RefKind.STATIC:
                look(target.path)
    files = {p: f.file for p, f in found.items() if f.status is Lookup.FOUND and f.file is not None}
    folders: set[str] = set()
    keys = {manifest_key(lit.path) for lits in literals for lit in lits} - {None}
    # a key not in normal form (``/css/a.css``) raises whatever exists: its normal form is looked up
    # so the finding can say whether the file it meant is there; the root and paths out are never
    # and the name after STATIC_URL when the path starts with it (/static/css/a.css: css/a.css), for the fix
    after = {after_static_url(k, project.config.static_url) for k in keys if k is not None}
    for key in ({normal_key(k) for k in keys if k is not None} | after) - {None}:
        assert key is not None
        hit = found.get(key) or found.setdefault(key, project.static.find(key))
        if hit.status is Lookup.MISSING and any((d / key).is_dir() for d in project.static.dirs):
            folders.add(key)  # named as a folder: the fix differs
    if as_built:
        files.update(_built_copies(project, files))
    built = _built_bundles(project) if as_built else {}
    built_files = [f for fs in built.values() for f in fs]
    measured = measure_files([*files.values(), *built_files], project.config.cache_dir)
    sizes: dict[str, Sizes] = {p: measured[f] for p, f in files.items()}
    bundles = {sources: tuple(measured[f] for f in fs) for sources, fs in built.items()}
    dirs = ", ".join(project.display(d) for d in project.config.static) or "none configured"
    return StaticIndex(
        found=found,
        sizes=sizes,
        css=css,
        font_faces=faces,
        static_dirs=dirs,
        bundles=bundles,
        self_locating=self_locating_scripts(project),
        folders=frozenset(folders),
    )


def _built_bundles(project: Project) -> dict[tuple[str, ...], list[Path]]:
    """Bundles the last build wrote (its manifest: ``manifest_file``), when there is one."""
    path = manifest_file(project.config)
    try:
        manifest = load_manifest(path)
    except (FileNotFoundError, ManifestError):
        return {}
    out: dict[tuple[str, ...], list[Path]] = {}
    for entry in manifest.bundles.values():
        files = [project.config.out / f.name for f in entry.files]
        if all(f.is_file() for f in files):
            out[entry.sources] = files
    return out


def _built_copies(project: Project, files: dict[str, Path]) -> dict[str, Path]:
    """The built copy (``<out>/<logical path>``) of each static file in ``files``, when ``out`` holds a build.

    The build writes every static file there (images re-encoded when that made them smaller, CSS/JS/SVG
    minified under ``minify_static``), so the copy is what a browser receives. Files without a copy
    (built with ``copy_static`` off) keep their source. A path that would leave ``out`` (a symlink)
    is never read."""
    out = project.config.out
    if not manifest_file(project.config).is_file():
        return {}
    root = out.resolve()
    shipped: dict[str, Path] = {}
    for logical in files:
        copy = out / logical
        if copy.is_file() and copy.resolve().is_relative_to(root):
            shipped[logical] = copy
    return shipped


def _bundle_block_problems(project: Project) -> list[Problem]:
    """The ``{% bundle %}`` blocks the build will refuse (an inline script, an external URL, a module
    script put inside one by hand): said by the audit too, so CI fails before the deploy's build does."""
    from ..build.blocks import find_bundle_blocks

    return [
        Problem(e.path or "", e.lineno, f"the build will refuse this: {e.message}", e.hint or "")
        for e in find_bundle_blocks(project)[1]
        if isinstance(e, BundleSpecError)
    ]


def _add_stale_size_findings(markups: Sequence[tuple[list, list]], index: StaticIndex) -> None:
    """``img-size-stale`` into each page's markup findings: ``width``/``height`` of other proportions
    than the file they show (read from the file the index found; Pillow reads headers only)."""
    wanted = set().union(*(sized_image_paths(found) for found, _ in markups)) if markups else set()
    files = {p: f.file for p in wanted if (f := index.found.get(p)) is not None and f.status is Lookup.FOUND and f.file is not None}
    if not files:
        return
    from ..images import image_sizes  # Pillow lives there only

    sizes = image_sizes(files)
    for found, findings in markups:
        findings.extend(stale_size_findings(found, sizes))


def run_audit(project: Project, progress: Progress | None = None, *, as_built: bool = True) -> AuditResult:
    """Audit every page. ``as_built``: measure static files as the build in ``out`` ships them, when
    there is one (False: the sources, as ``optimize`` measures its baseline)."""
    emails: list[Page] = []
    not_audited: list[Problem] = []
    same_files: dict[str, list[str]] = {}
    pages, problems = find_pages(project, progress, emails, not_audited, same_files)
    problems += _bundle_block_problems(project)
    static_url = project.config.static_url
    markups = [markup_requests(p, static_url) for p in pages]  # once per page: the index and the audit use them
    scanned: dict[str, list] = {}  # base.html's {% static %} tags are scanned once
    literals = [page_static_literals(p, scanned) for p in pages]
    index = _index(project, pages, markups, as_built, literals)
    _add_stale_size_findings(markups, index)
    runs: dict[str, list[Run]] = {}  # base.html's runs are the same on every page
    self_locating = index.self_locating
    missing = frozenset(p for p, f in index.found.items() if f.status is not Lookup.FOUND)  # never suggested for a bundle

    def runs_of(template: Template) -> list[Run]:
        if template.name not in runs:
            runs[template.name] = find_runs(template, static_url, self_locating, missing=missing)[0]
        return runs[template.name]

    reports = tuple(audit_page(p, index, static_url, m, runs_of, lits) for p, m, lits in zip(pages, markups, literals))
    return AuditResult(
        pages=reports,
        problems=tuple(problems),
        templates=len(one_per_file(project.template_names(), project.find_template)),  # files, not names
        static_dirs=tuple(project.display(d) for d in project.config.static),
        template_dirs=tuple(project.display(d) for d in project.config.templates),
        emails=tuple(p.name for p in emails),
        not_audited=tuple(not_audited),
        same_files=tuple((name, tuple(rest)) for name, rest in same_files.items()),
    )
