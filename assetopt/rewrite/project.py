"""``assetopt rewrite``: plan every template's edits, prove they break nothing, then show or write them.

The I/O around ``template_rewriter``: gather what the transforms need (image roles from every page,
image sizes from the files), plan and apply each template's edits, compile every changed template
with Django's real engine (``djcompile``), and hand back one ``RewriteResult``. Writing is all or
nothing: any new compile failure means nothing is written; each file is written atomically, in its
original encoding, BOM and line endings (edits are splices, so untouched bytes stay untouched).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..audit.run import find_pages
from ..errors import EditConflict, RewriteRefused, TemplateError
from ..io.fs import refuse_output_dir, refuse_overlap, write_atomic, write_if_changed
from ..io.project import Problem, Project, walk_files
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
from .edits import Edit, Skip, apply_edits
from .images import eager_starts
from .layout_facts import layout_role, merged_widths, sizes_from_widths
from .plan import plan_rewrite
from .styles import INLINE_CSS, StyleScope, merge_stylesheet, plan_styles, style_scope

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


@dataclass
class FileChange:
    name: str
    path: Path
    before: str
    after: str
    edits: tuple[Edit, ...]
    compile_error: str | None = None  # a NEW failure the rewrite would introduce


@dataclass
class RewriteResult:
    changes: list[FileChange] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    generated: dict[str, str] = field(default_factory=dict)  # logical static path -> text ("styles": assetopt/inline.css)

    @property
    def broken(self) -> list[FileChange]:
        return [c for c in self.changes if c.compile_error is not None]


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


def generated_path(project: Project, logical: str, out: Path | None = None) -> Path:
    """Where a generated static file goes: the first static dir inside the project (else the first),
    or ``OUT/static/`` for ``--out``."""
    if out is not None:
        return out / "static" / logical
    root = project.config.project.resolve()  # a static dir of the project's own, never an installed app's
    own = [d for d in project.config.static if d.resolve().is_relative_to(root)]
    return (own or list(project.config.static))[0] / logical


def stale_generated(result: RewriteResult, project: Project) -> list[tuple[Path, str, str]]:
    """``(path, text now, text generated)`` of every generated file ``--write`` would change."""
    stale = []
    for logical, text in result.generated.items():
        path = generated_path(project, logical)
        before = path.read_text("utf-8") if path.is_file() else ""
        if before != text:
            stale.append((path, before, text))
    return stale


def mirror_root(project: Project, root: Path) -> str:
    """The folder name a template dir gets under ``--out``: ``templates`` (``templates-2``... when several)."""
    dirs = project.config.templates
    return "templates" if len(dirs) == 1 else f"templates-{dirs.index(root) + 1}"


def write_targets(result: RewriteResult, project: Project) -> list[tuple[Path, FileChange]]:
    """Where ``--write`` writes each change: the file itself, or the target of a symlinked template
    (written through, so the link stays a link), one entry per file. Raises ``RewriteRefused``,
    before anything is written, for a file assetopt must not write (``Project.write_refusal``: an
    installed package's, or one outside the project a link leads to) or two links to one file
    rewritten differently."""
    targets: dict[Path, FileChange] = {}
    for change in result.changes:
        target = change.path.resolve()
        refusal = project.write_refusal(target)
        if refusal is not None:
            raise RewriteRefused(refusal_message(project, change.name, change.path, refusal), hint=_REFUSAL_HINT)
        other = targets.get(target)
        if other is not None and other.after != change.after:
            raise RewriteRefused(
                f"nothing written: {other.name} and {change.name} are the same file ({project.display(target)}) through a symlink, and would be rewritten differently",
                hint="replace the symlink by {% include %} or {% extends %}, or exclude one of the names",
            )
        targets.setdefault(target, change)
    return list(targets.items())


_REFUSAL_HINT = (
    "assetopt writes only the project's own files; to have it rewritten, replace the link (or the missing file) "
    "by a copy in your template dir, or add the name to exclude"
)


def refusal_message(project: Project, name: str, path: Path, refusal: str) -> str:
    """``nothing written: template 'x.html' is templates/x.html, a symlink to /elsewhere/x.html, outside the project``."""
    shown, via = project.display(path), project.link_phrase(path)
    if via is not None:
        return f"nothing written: template {name!r} is {shown}, {via}, {refusal}"
    return f"nothing written: template {name!r} is {shown}, {refusal}"


def undo_patch(targets: list[tuple[Path, FileChange]], project: Project, result: RewriteResult | None = None) -> tuple[Path, str]:
    """``(folder, patch)``: a patch of ``targets`` and of the files ``result`` generates, with paths
    relative to ``folder`` (the project root, or the folder all the files share when some lie outside
    it), so that ``patch -R -p1 -d FOLDER < PATCH`` restores them from anywhere: a generated file that
    did not exist is patched from /dev/null, so the undo deletes it (and its folder, when left empty)."""
    from .edits import unified_diff

    files: list[tuple[Path, str | None, str]] = []
    for logical, text in (result.generated if result is not None else {}).items():
        path = generated_path(project, logical).resolve()
        before = path.read_bytes().decode("utf-8") if path.is_file() else None  # bytes: line endings restored exactly
        if before != text:
            files.append((path, before, text))
    files += [(t, c.before, c.after) for t, c in targets]
    paths = [p for p, _, _ in files]
    root = project.config.project.resolve()
    base = root if all(p.is_relative_to(root) for p in paths) else Path(os.path.commonpath([p.parent for p in paths]))
    text = "".join(unified_diff(p.relative_to(base).as_posix(), before, after) for p, before, after in files)
    return base, text


def _link_outside(src: Path, project: Project) -> bool:
    """A file the template dir links in (a symlinked file, or a file of a symlinked dir) from outside
    the project (or from an installed package): Django renders it, but ``--out`` copies only the
    project's own files."""
    return src.resolve() != src.absolute() and project.write_refusal(src) is not None


def write_changes(result: RewriteResult, project: Project, out: Path | None = None, *, links_outside: bool = False) -> list[Path]:
    """Write every change in place (``out`` None), or write a complete rewritten copy of every
    template dir under ``out`` (changed files rewritten, the others copied). All or nothing.
    ``links_outside``: the copy also holds what symlinks lead to outside the project (their content,
    rewritten when planned), so it renders as the template dirs do (``verify --cache``); ``--out``
    leaves them out, the project's own files only."""
    if result.broken:
        names = ", ".join(f"{c.name} ({c.compile_error})" for c in result.broken)
        raise RewriteRefused(
            f"nothing written: the rewrite would break {names}",
            hint="fix what Django names; or use --only to skip the transform that breaks it, or exclude to leave the template out",
        )
    if out is not None:  # a copy written over its own sources would be no copy (and no undo patch)
        refuse_output_dir(out, project.config, "pass an --out outside the project's template and static dirs, e.g. --out build")
        for root in project.config.templates:
            refuse_overlap(
                out / mirror_root(project, root),
                project.config.templates,
                "template dir",
                "pass an --out outside the template dirs, e.g. --out build",
            )
    targets = write_targets(result, project) if out is None else []
    written = []
    for logical, text in result.generated.items():  # first: a class must never be in a page before its rule
        target = generated_path(project, logical, out)
        if not (target.is_file() and target.read_bytes() == text.encode("utf-8")):
            write_atomic(target, text.encode("utf-8"))
            written.append(target)
    if out is None:
        for target, planned in targets:
            write_atomic(target, planned.after.encode("utf-8"))
        return written + [t for t, _ in targets]
    changed = {c.path.resolve(): c for c in result.changes}
    for root in project.config.templates:
        target_root = out / mirror_root(project, root)
        for rel, src in walk_files(root):  # symlinked dirs followed, as Django does (and as the names are listed)
            if not src.is_file() or (not links_outside and _link_outside(src, project)):
                continue
            change = changed.get(src.resolve())
            data = change.after.encode("utf-8") if change is not None else src.read_bytes()
            target = target_root / rel
            if write_if_changed(target, data):
                written.append(target)
    return written


def links_outside(project: Project) -> list[tuple[Path, str, str]]:
    """``(path, how, why)`` of each template file reached through a symlink leading out of the
    project (``Project.write_refusal``; ``how``: ``Project.link_phrase``): ``--out`` does not copy them."""
    return sorted(
        (p, project.link_phrase(p) or "", project.write_refusal(p) or "")
        for root in project.config.templates
        for _, p in walk_files(root)
        if p.is_file() and _link_outside(p, project)
    )
