"""``assetopt undo PATCH``: take one ``rewrite --write`` back out, keeping every edit made since.

``rewrite --write`` saves, beside its undo patch, a record of each file it changes: the text before
and the text it wrote. The undo reads each file as it is now: written as the rewrite left it, it
gets its old text back; already as before (a ``git checkout``, a run killed before that file), it
is left alone; edited since, the edits and the undo are merged by lines
(``text.line_merge``), and a merged template must still compile. When an edit made since meets a
line the rewrite wrote, or a merge would not compile, nothing at all is written: each such file is
named with its line. A file deleted or renamed since is left as it is, and said. GNU ``patch -R``,
by contrast, applies the hunks it can and leaves the others in ``.rej`` files: a template holding
``{% endbundle %}`` without its ``{% bundle %}`` (every page a 500).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import AssetoptError, RewriteRefused
from ..io.fs import write_atomic
from ..text.line_merge import MergeConflict, undo_keeping_edits
from .compile_check import compile_errors

__all__ = ["UndoPlan", "record_path", "save_record", "plan_undo", "apply_undo"]

_SCHEMA = 1


def record_path(patch: Path) -> Path:
    """``rewrite-3f2a.patch`` -> ``rewrite-3f2a.undo.json``, beside it."""
    return patch.with_name(patch.name.removesuffix(".patch") + ".undo.json")


def save_record(patch: Path, folder: Path, files: list[tuple[Path, str | None, str]], settings: str, pythonpath: tuple[Path, ...]) -> None:
    """The record ``plan_undo`` reads: ``files`` as ``(path, text before or None when new, text written)``;
    the settings the compile gate used, so the undo needs no config and works from anywhere."""
    data = {
        "schema": _SCHEMA,
        "folder": str(folder),
        "settings": settings,
        "pythonpath": [str(p) for p in pythonpath],
        "files": [{"path": p.relative_to(folder).as_posix(), "before": before, "after": after} for p, before, after in files],
    }
    write_atomic(record_path(patch), json.dumps(data, ensure_ascii=False).encode("utf-8"))


@dataclass
class UndoPlan:
    """What the undo will do: ``writes`` (path, text; None deletes a file the rewrite created),
    ``merged`` (paths whose edits made since are kept), ``notes`` (files left alone, and why)."""

    folder: Path
    record: Path
    writes: list[tuple[Path, str | None]] = field(default_factory=list)
    merged: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _load(patch: Path) -> dict[str, object]:
    record = record_path(patch)
    hint = f"while the files are as the rewrite wrote them, `patch -R -p1 -d PROJECT < {patch}` undoes it; or restore them from version control"
    try:
        data = json.loads(record.read_text("utf-8"))
    except FileNotFoundError:
        raise AssetoptError(
            f"no undo record beside the patch ({record.name}): the rewrite predates `assetopt undo`, or the record was removed",
            path=str(patch),
            hint=hint,
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AssetoptError(f"the undo record is damaged ({exc}): nothing undone", path=str(record), hint=hint) from None
    if not isinstance(data, dict) or data.get("schema") != _SCHEMA or not isinstance(data.get("files"), list):
        raise AssetoptError("the undo record is not one this assetopt reads: nothing undone", path=str(record), hint=hint)
    return data


def plan_undo(patch: Path) -> UndoPlan:
    """Read the record beside ``patch`` and every file it names; raise ``RewriteRefused`` naming each
    file and line where the undo would lose an edit made since or break a template (nothing written)."""
    data = _load(patch)
    folder = Path(str(data["folder"]))
    plan = UndoPlan(folder, record_path(patch))
    if data.get("undone"):  # a merged file is neither as before nor as written: never merge it twice
        plan.notes.append(f"{patch.name}: already undone by `assetopt undo`; nothing to do")
        return plan
    refusals: list[str] = []
    merges: list[tuple[Path, str, str]] = []  # (path, now, merged): compiled before anything is written
    planned = data.get("planned") or {}  # what an undo killed half-way was writing
    for entry in data["files"]:  # type: ignore[attr-defined]
        rel, before, after = entry["path"], entry["before"], entry["after"]
        path = folder / rel
        try:
            now: str | None = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            now = None
        if now is None:
            if before is not None:
                plan.notes.append(f"{rel}: gone since the rewrite (deleted or renamed): left as it is; a renamed copy keeps the rewrite's edits")
            continue
        if now == before or (rel in planned and planned[rel] == now):  # type: ignore[operator,index]
            continue  # already as before: restored by hand, by git, or never written (a killed run)
        if now == after:
            plan.writes.append((path, before))
            continue
        merged = undo_keeping_edits(after, now, "" if before is None else before)
        if isinstance(merged, MergeConflict) or before is None:
            lineno = merged.lineno if isinstance(merged, MergeConflict) else 1
            wrote = "".join(merged.written).strip() if isinstance(merged, MergeConflict) else ""
            what = f" (it wrote {_short(wrote)!r} there)" if wrote else ""
            refusals.append(f"{rel}:{lineno}: edited since the rewrite where the rewrite changed it{what}")
            continue
        merges.append((path, now, merged))
    if merges:
        errors = compile_errors(
            [m for _, _, m in merges] + [n for _, n, _ in merges],
            str(data.get("settings") or ""),
            tuple(Path(p) for p in data.get("pythonpath") or ()),  # type: ignore[attr-defined]
        )
        for (path, _now, merged_text), after_err, now_err in zip(merges, errors[: len(merges)], errors[len(merges) :]):
            if after_err is not None and after_err != now_err:
                refusals.append(f"{path.relative_to(folder).as_posix()}: undone with the edits made since kept, it would not compile: {after_err}")
            else:
                plan.writes.append((path, merged_text))
                plan.merged.append(path)
    if refusals:
        raise RewriteRefused(
            "nothing undone: " + "; ".join(refusals),
            hint="take the rewrite's lines named out by hand (or restore the file as the rewrite wrote it) and run the undo again; "
            "after several rewrites, undo the newest first",
        )
    return plan


def _short(text: str) -> str:
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= 60 else line[:57] + "..."


def apply_undo(plan: UndoPlan) -> list[Path]:
    """Write what ``plan`` says (each file atomically); a file the rewrite created is deleted, with its
    folder when that is left empty. Returns the paths changed. The texts are put in the record
    first: an undo killed half-way and run again knows the files it had already merged."""
    if plan.writes:
        data = json.loads(plan.record.read_text("utf-8"))
        planned = {p.relative_to(plan.folder).as_posix(): text for p, text in plan.writes if text is not None}
        write_atomic(plan.record, json.dumps({**data, "planned": planned}, ensure_ascii=False).encode("utf-8"))
    for path, text in plan.writes:
        if text is None:
            path.unlink(missing_ok=True)
            try:
                path.parent.rmdir()
            except OSError:
                pass  # not empty: other files live there
        else:
            write_atomic(path, text.encode("utf-8"))
    if plan.writes:
        data = json.loads(plan.record.read_text("utf-8"))
        write_atomic(plan.record, json.dumps({**data, "undone": True}, ensure_ascii=False).encode("utf-8"))
    return [p for p, _ in plan.writes]
