"""``assetopt rewrite``: plan every template's edits and prove they break nothing.

The I/O around ``template_rewriter``: gather what the transforms need (image roles from every page,
image sizes from the files), plan and apply each template's edits, compile every changed template
with Django's real engine (``djcompile``), and hand back one ``RewriteResult`` (``result.py``).
Writing it (all or nothing, atomically, in each file's original encoding, BOM and line endings: edits
are splices, so untouched bytes stay untouched) is ``writing.py``; its names are re-exported here.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..audit.run import find_pages
from ..errors import EditConflict, RewriteRefused, TemplateError
from ..io.project import Problem, Project
from ..io.scripts import missing_assets, read_script_facts, self_locating_scripts
from ..io.staticfiles import Lookup
from ..templates.assets import ref_of
from ..templates.email import email_named, is_email_part
from ..templates.fold import BELOW, CHROME, LCP, image_roles
from ..templates.pages import Page
from ..templates.refs import RefKind
from ..templates.tags import StartTag
from .compile_check import compile_errors
from .context import RewriteContext
from .edits import Skip, apply_edits
from .images import eager_starts
from .layout_facts import layout_role, merged_widths, sizes_from_widths
from .plan import plan_rewrite
from .result import FileChange, RewriteResult
from .styles import INLINE_CSS, StyleScope, merge_stylesheet, plan_styles, style_scope
from .writing import generated_path, links_outside, mirror_root, stale_generated, undo_patch, write_changes, write_targets

__all__ = [
    "FileChange",
    "RewriteResult",
    "plan_project",
    "check_compiles",
    "write_changes",
    "mirror_root",
    "RewriteRefused",
    "generated_path",
    "stale_generated",
    "write_targets",
    "undo_patch",
    "links_outside",
    "planned_names",
]

_ROLE_RANK = {CHROME: 0, LCP: 1, BELOW: 2}


def _context(project: Project, base: RewriteContext) -> RewriteContext:
    """Image roles from every page (the most eager role wins) and the sizes of referenced images.

    Every fact is keyed by the file (``Project.file_key``), not by the name a page reached it under:
    overlapping template dirs (django-machina's ``templates/machina`` before ``templates``) and
    symlinks give one file several names, and pages include it under any of them; its one rewrite
    must weigh them all (an image that is one page's LCP is never lazy-loaded for being another's below)."""
    emails: list[Page] = []
    pages, _ = find_pages(project, emails=emails, every_name=True)  # a page under each name Django renders it by
    names = {t.name for page in pages + emails for t in page.templates} | set(project.template_names())
    names |= {r.template for r in base.cache_rules}
    files = {name: project.file_key(name) for name in names}
    web = {files[t.name] for page in pages for t in page.templates}
    left_alone = {files[t.name] for page in emails for t in page.templates}
    for name in project.template_names():
        if email_named(name) and files[name] not in web:
            try:
                if is_email_part(project.load(name)):
                    left_alone.add(files[name])
            except TemplateError:
                continue  # reported where it is planned
    left_alone -= web
    roles: dict[tuple[str, int], str] = {}
    sources: dict[str, Path] = {}
    matches: dict[str, frozenset[int]] = {}
    if base.eager_selectors:
        for template in {t.name: t for page in pages for t in page.templates}.values():
            matches[files[template.name]] = eager_starts(template, base.eager_selectors)
    eager = {(name, start) for name, starts in matches.items() for start in starts}
    eager_names = frozenset((name, start) for name in names for start in matches.get(files[name], ()))  # what fold.image_roles reads
    reasons: dict[tuple[str, int], str] = {}
    by_rules: dict[tuple[str, int], str] = {}  # the roles without the layout: what a later run without it decides
    measured_pages = base.layout.pages if base.layout is not None else ()
    by_file = [{(project.file_key(name), offset): image for (name, offset), image in m.images.items()} for m in measured_pages]
    for page in pages:
        leaf = project.file_key(page.name)  # a view may name the page's file by another of its names
        measured = [images for m, images in zip(measured_pages, by_file) if m.template is not None and project.file_key(m.template) == leaf]
        for (name, offset), role in image_roles(page, eager_names).items():
            key = (files[name], offset)
            if key not in by_rules or _ROLE_RANK[role] < _ROLE_RANK[by_rules[key]]:
                by_rules[key] = role
            why = None
            seen = [m[key] for m in measured if key in m]
            if seen and key not in eager:
                # the layout decides on the pages it measured; elsewhere the template rules still do
                role, why = min((layout_role(f) for f in seen), key=lambda rw: _ROLE_RANK[rw[0]])
            if key not in roles or _ROLE_RANK[role] < _ROLE_RANK[roles[key]]:
                roles[key] = role
                if why is None:
                    reasons.pop(key, None)
                else:
                    reasons[key] = why
    pinned = frozenset(k for k, role in roles.items() if role == CHROME and k in reasons and by_rules.get(k) != CHROME)
    sizes_attr: dict[tuple[str, int], str] = {}
    for key in {k for m in by_file for k in m}:
        value = sizes_from_widths(merged_widths(m[key] for m in by_file if key in m))
        if value is not None:
            sizes_attr[key] = value
    if "images" in base.only:
        for name in project.template_names():
            try:
                template = project.load(name)
            except TemplateError:
                continue
            for item in template.items:
                if not isinstance(item, StartTag) or item.name != "img":
                    continue
                ref = ref_of(item, template, "src", project.config.static_url)
                if ref.kind is RefKind.STATIC and len(ref.paths) == 1:
                    found = project.static.find(ref.path)
                    if found.status is Lookup.FOUND and found.file is not None:
                        sources[ref.path] = found.file
    sizes: dict[str, tuple[int, int]] = {}
    if sources:
        from ..images import image_sizes  # Pillow lives there only

        sizes = image_sizes(sources)
    return replace(
        base,
        static_url=project.config.static_url,
        files=files,
        image_roles=roles,
        image_sizes=sizes,
        layout_sizes=sizes_attr,
        layout_reasons=reasons,
        layout_pinned=pinned,
        eager_matches=matches,
        emails=frozenset(left_alone),
        self_locating=self_locating_scripts(project) if "bundles" in base.only else {},
        script_facts=read_script_facts(project) if "bundles" in base.only else None,
        missing_static=missing_assets(project) if "bundles" in base.only else frozenset(),
        # an e-mail renders a partial too, and loads no generated stylesheet: its styles must stay
        styles=_style_scope(project, pages + emails) if "styles" in base.only else None,
    )


def _style_scope(project: Project, pages: list[Page]) -> StyleScope:
    if not project.config.static:
        return StyleScope(unlisted=f"no static dir to hold {INLINE_CSS}: configure one (--static DIR)")
    shown = {project.file_key(n): n for n in planned_names(project)}  # pages reach a file by any of its names
    return style_scope(pages, project.config.static_url, lambda name: shown.get(project.file_key(name), name))


def plan_project(project: Project, base: RewriteContext, compile_check: bool = True) -> RewriteResult:
    """Every template's rewrite; with ``compile_check`` each changed one is compiled by Django."""
    ctx = _context(project, base)
    result = RewriteResult()
    conflicted: set[str] = set()
    for name in planned_names(project):
        try:
            template = project.load(name)
        except TemplateError as exc:
            result.problems.append(Problem(exc.path or name, exc.lineno, exc.message, exc.hint or ""))
            continue
        if ctx.file_key(name) in ctx.emails:
            result.skips.append(
                Skip("emails", template.path, 1, "e-mail template: left alone (an e-mail client ignores lazy loading, bundles and fetchpriority)")
            )
            continue
        planned = plan_rewrite(template, ctx)
        result.skips.extend(planned.skips)
        if not planned.edits:
            continue
        try:
            after = apply_edits(template.source, planned.edits, template.path)
        except EditConflict as exc:
            result.problems.append(Problem(exc.path or template.path, exc.lineno, exc.message, "please report this: two transforms overlapped"))
            conflicted.add(name)
            continue
        if after != template.source:
            path = project.find_template(name)
            assert path is not None
            result.changes.append(FileChange(name, path, template.source, after, planned.edits))
    if ctx.styles is not None and "styles" in ctx.only:
        if conflicted & ctx.styles.links:  # the stylesheet would not load: move no style at all
            again = plan_project(project, replace(base, only=base.only - {"styles"}), compile_check)
            again.problems.append(
                Problem(
                    INLINE_CSS, None, "styles not moved: a template that links the generated stylesheet could not be rewritten", "please report it"
                )
            )
            return again
        _generate_styles(project, ctx, conflicted, result)
    if compile_check:
        check_compiles(result.changes, project)
    return result


def planned_names(project: Project) -> list[str]:
    """The names rewrite plans, sorted: one per file, the name the audit shows it under
    (``Project.names_per_file``). A file two template dirs both hold, or a symlink reaches, is planned
    once, so its names can never get two rewrites; its other names render the one written file."""
    return sorted(shown for shown, _ in project.names_per_file(project.template_names()))


def check_compiles(changes: list[FileChange], project: Project) -> None:
    """Compile each change before and after with Django; set ``compile_error`` where the rewrite
    brings a failure the original did not have. Without the config's ``settings``, the tags of a
    library the original loads but is not installed get stand-ins (``compile_errors``)."""
    if not changes:
        return
    befores = [c.before for c in changes]
    errors = compile_errors(
        befores + [c.after for c in changes],
        project.config.settings,
        project.config.pythonpath or ((project.config.project,) if project.config.settings else ()),
        stub_from=befores + befores,  # an uninstalled library's tags: those the original uses, never one the rewrite brings
    )
    for change, before_err, after_err in zip(changes, errors[: len(changes)], errors[len(changes) :]):
        if after_err is not None and after_err != before_err:
            change.compile_error = after_err


def _generate_styles(project: Project, ctx: RewriteContext, conflicted: set[str], result: RewriteResult) -> None:
    """The generated stylesheet: what the file has now plus every rule and block the templates move."""
    planned = []
    for name in planned_names(project):
        if name not in conflicted:
            try:
                planned.append(plan_styles(project.load(name), ctx))
            except TemplateError:
                continue  # already reported
    found = project.static.find(INLINE_CSS)
    existing = found.file.read_text("utf-8") if found.status is Lookup.FOUND and found.file is not None else None
    text = merge_stylesheet(planned, existing, project.display(found.file) if found.file is not None else INLINE_CSS)
    if text is not None:
        result.generated[INLINE_CSS] = text
