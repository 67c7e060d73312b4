"""Where and how ``assetopt rewrite`` writes what it planned: in place (through symlinks the project owns,
refusing any other), or as a complete copy under ``--out``; the generated stylesheet; the undo patch.
All or nothing: nothing is written while any change would break a template or may not be written."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import RewriteRefused
from ..io.fs import refuse_output_dir, refuse_overlap, write_atomic, write_if_changed
from ..io.project import Project, walk_files
from .result import FileChange, RewriteResult

__all__ = [
    "generated_path",
    "stale_generated",
    "mirror_root",
    "write_targets",
    "refusal_message",
    "undo_files",
    "undo_patch",
    "write_changes",
    "links_outside",
]


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


def undo_files(
    targets: list[tuple[Path, FileChange]], project: Project, result: RewriteResult | None = None
) -> tuple[Path, list[tuple[Path, str | None, str]]]:
    """``(folder, files)``: each file ``--write`` changes as ``(path, text before or None when new,
    text written)`` (``targets`` and the files ``result`` generates), and the folder they are named
    relative to: the project root, or the folder all the files share when some lie outside it."""
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
    return base, files


def undo_patch(targets: list[tuple[Path, FileChange]], project: Project, result: RewriteResult | None = None) -> tuple[Path, str]:
    """``(folder, patch)``: a patch of ``undo_files``, with paths relative to ``folder``, so that
    ``patch -R -p1 -d FOLDER < PATCH`` restores them from anywhere: a generated file that did not
    exist is patched from /dev/null, so the undo deletes it (and its folder, when left empty)."""
    from .edits import unified_diff

    base, files = undo_files(targets, project, result)
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
    leaves them out, the project's own files only. Returns the paths written, and under ``out`` also
    the copies removed (of templates deleted or renamed since the last run)."""
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
    if out is None:
        _refuse_changed_since_read(targets, project)
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
        copied: set[str] = set()
        for rel, src in walk_files(root):  # symlinked dirs followed, as Django does (and as the names are listed)
            if not src.is_file() or (not links_outside and _link_outside(src, project)):
                continue
            change = changed.get(src.resolve())
            data = change.after.encode("utf-8") if change is not None else src.read_bytes()
            target = target_root / rel
            copied.add(Path(rel).as_posix())
            if write_if_changed(target, data):
                written.append(target)
        written += _prune_copies(target_root, copied)
    return written


def _copies_listing(target_root: Path) -> Path:
    """Beside the copy (``OUT/.templates.assetopt-copied``), never in it: no template dir holds it."""
    return target_root.parent / f".{target_root.name}.assetopt-copied"


def _prune_copies(target_root: Path, copied: set[str]) -> list[Path]:
    """Remove the copies an earlier run made of templates deleted or renamed since (listed beside the
    copy), so the copy holds what the template dirs hold: an audit or a deploy of it never finds a
    page that no longer exists. A file the listing does not name (not assetopt's) is never touched.
    Returns the paths removed."""
    listing = _copies_listing(target_root)
    try:
        before = set(listing.read_text("utf-8").splitlines())
    except (OSError, UnicodeDecodeError):
        before = set()
    removed = []
    for rel in sorted(before - copied):
        if not rel or rel.startswith("/") or ".." in rel.split("/"):
            continue  # a listing edited by hand: never a path outside the copy
        stale = target_root / rel
        if stale.is_file() and not stale.is_symlink():
            stale.unlink()
            removed.append(stale)
            parent = stale.parent
            while parent != target_root and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
    write_if_changed(listing, "".join(f"{rel}\n" for rel in sorted(copied)).encode("utf-8"))
    return removed


def _refuse_changed_since_read(targets: list[tuple[Path, FileChange]], project: Project) -> None:
    """A template saved (an editor, ``git checkout``) while the rewrite read, planned and compiled
    would lose that save to the text planned from the old one: re-read every target first and
    refuse, before writing anything, naming each file that changed."""
    changed = []
    for target, change in targets:
        try:
            now = target.read_bytes()
        except OSError:
            now = None
        if now != change.before.encode("utf-8"):
            changed.append(project.display(change.path))
    if changed:
        raise RewriteRefused(
            f"nothing written: {', '.join(changed)} changed while the rewrite was planned (saved by an editor or another process)",
            hint="run `assetopt rewrite --write` again: it plans from the file as it is now",
        )


def links_outside(project: Project) -> list[tuple[Path, str, str]]:
    """``(path, how, why)`` of each template file reached through a symlink leading out of the
    project (``Project.write_refusal``; ``how``: ``Project.link_phrase``): ``--out`` does not copy them."""
    return sorted(
        (p, project.link_phrase(p) or "", project.write_refusal(p) or "")
        for root in project.config.templates
        for _, p in walk_files(root)
        if p.is_file() and _link_outside(p, project)
    )
