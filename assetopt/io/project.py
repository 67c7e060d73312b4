"""The I/O side of reading a project: find template files, read them safely, parse them once.

Template names resolve across the configured dirs in order, as Django's filesystem loader does: the
name is joined to each dir and checked lexically (Django's ``safe_join``: ``abspath``, symlinks not
resolved), so a name that tries to leave its dir (``..``, absolute) is not found, while a symlink in a
dir is followed wherever it leads, as Django renders it; listing the names follows symlinked dirs
too (``walk_files``; a link back to a dir above is not followed again, ``link_loops``). Whether a file may be *written* is a separate
question (``write_refusal``): never one outside the project, whatever link leads there. The project's own dirs (``config.templates``) come
first, then the installed packages' (``config.library_templates``): those are read so an
``{% extends "admin/base.html" %}`` resolves, but their templates are never listed by
``template_names`` (what audit, rewrite and reports walk), so nothing plans an edit to them. Files that are binary or not UTF-8 are reported with
their path (and line), never crash the run and never get guessed at.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ..config import Config
from ..errors import TemplateError, TemplateNotFound
from ..templates.model import Template, parse_template
from .staticfiles import StaticFiles

__all__ = ["Project", "Problem", "display_path", "one_per_file", "template_files", "walk_files"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    lineno: int | None
    message: str
    hint: str = ""


def display_path(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` when it is inside it (shorter messages), else absolute."""
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


class Project:
    """Templates and static files of one configured project."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.static = StaticFiles(config.static)
        self._parsed: dict[str, Template | TemplateError] = {}
        self._names: list[str] | None = None
        self._loops: dict[str, tuple[Path, Path]] = {}

    def display(self, path: Path) -> str:
        return display_path(path, self.config.project)

    @property
    def search_dirs(self) -> tuple[Path, ...]:
        """Where names resolve: the project's dirs, then the installed packages' (read only)."""
        return self.config.templates + tuple(d for d in self.config.library_templates if d not in self.config.templates)

    def template_names(self) -> list[str]:
        """The project's own template names (a name a project dir provides; first dir wins), sorted:
        what is audited, rewritten and reported on. Library templates are not among them."""
        if self._names is None:
            self._names = sorted(_names_in(self.config.templates, self.config.exclude, self._loops))
        return self._names

    def link_loops(self) -> list[str]:
        """One warning per symlinked dir of the project's template dirs that leads back to a dir above
        it (or itself): its templates are listed once, under the names without it, not again through it."""
        self.template_names()
        return [
            f"{self.display(link)} is a symlink to {target}, a dir above it (a loop): not followed again, its templates are listed once, "
            f"under their names without {link.name}/ (Django renders those files under the names through it too); remove the link if it is a mistake"
            for link, target in self._loops.values()
        ]

    def all_template_names(self) -> list[str]:
        """Every name the project's and the libraries' dirs provide: what the build scans for blocks."""
        return sorted(set(self.template_names()) | _names_in(self.config.library_templates, self.config.exclude))

    def write_refusal(self, path: Path) -> str | None:
        """Why assetopt must not write the file ``path`` is (or a symlink leads to), or None when it
        may: a file of the project's own template dirs, or elsewhere in the project but not in an
        installed package (``library_templates``, ``site-packages``)."""
        target = path.resolve()
        if any(target.is_relative_to(root.resolve()) for root in self.config.templates):
            return None
        if any(target.is_relative_to(root.resolve()) for root in self.config.library_templates) or _installed(target):
            return "an installed package's file"
        if not target.is_relative_to(self.config.project.resolve()):
            return "outside the project"
        return None

    def link_note(self, name: str) -> str | None:
        """``templates/x.html is a symlink to /elsewhere/x.html, outside the project``: when the file
        Django renders for ``name`` is reached through a symlink and is one assetopt must not write;
        else None."""
        path = self.find_template(name)
        if path is None:
            return None
        why, via = self.write_refusal(path), self.link_phrase(path)
        if why is None or via is None:
            return None
        return f"{self.display(path)} is {via}, {why}"

    def link_phrase(self, path: Path) -> str | None:
        """How the template file ``path`` (a dir joined with a name) is reached through a symlink:
        ``a symlink to /elsewhere/x.html``, or ``under the symlink templates/shop (to /shared/shop), so
        /shared/shop/x.html`` for a file of a symlinked dir; None when no link is on its way."""
        target = path.resolve()
        if target == path.absolute():
            return None
        if path.is_symlink():
            return f"a symlink to {target}"
        root = next((r for r in self.search_dirs if path.is_relative_to(r)), None)
        link = path.parent
        if root is not None:  # the first linked dir below the template dir: the link the user made
            for part in path.relative_to(root).parent.parts:
                root = root / part
                if root.is_symlink():
                    link = root
                    break
        return f"under the symlink {self.display(link)} (to {link.resolve()}), so {target}"

    def name_order(self, name: str) -> tuple[bool, int, int, str]:
        """Which of a file's names names it (sort key, smallest first), wherever a file is shown under one
        name: the audit's page and the rewrite's change. One listed in ``pages = [...]``, else the name
        that resolves in the earliest template dir (as Django's loader picks the file: django-machina's
        ``board_base.html`` from ``templates/machina``, not ``machina/board_base.html`` from ``templates``),
        else the one with the fewest symlinks to the file (``inside.html``, not ``same.html`` linking to
        it; a symlinked dir on the way counts), else the first in sort order. Deterministic: it never
        depends on the walk's order."""
        rank = self.dir_rank(name)
        wanted = name in self.config.pages
        return (not wanted, len(self.search_dirs) if rank is None else rank, _links(self.find_template(name)), name)

    def names_per_file(self, names: Iterable[str]) -> list[tuple[str, list[str]]]:
        """``(the name it is shown under, its other names)`` of each file ``names`` reach, in
        ``name_order`` of the shown names; a name no dir resolves stays on its own."""
        return one_per_file(sorted(names, key=self.name_order), self.find_template)

    def file_key(self, name: str) -> str:
        """What identifies the file Django renders for ``name``: its real path (``Path.resolve``), so the
        names of one file (overlapping template dirs, symlinks) share it; ``name`` itself when no dir
        resolves it (a relative name never equals an absolute path)."""
        found = self.find_template(name)
        return name if found is None else str(found.resolve())

    def find_template(self, name: str) -> Path | None:
        """The file Django's filesystem loader renders for ``name``: the first dir's existing file,
        symlinks followed (``safe_join`` checks the joined path, not where a link leads); None when
        no dir has it or the name leaves its dir."""
        found = self._found(name)
        return None if found is None else found[1]

    def dir_rank(self, name: str) -> int | None:
        """Which of ``search_dirs`` (0 = the first) holds the file Django renders for ``name``; None when none."""
        found = self._found(name)
        return None if found is None else found[0]

    def _found(self, name: str) -> tuple[int, Path] | None:
        norm = posixpath.normpath(name)
        if name.startswith("/") or norm.startswith("..") or "\x00" in name:
            return None
        for i, root in enumerate(self.search_dirs):
            candidate = root / norm
            if candidate.is_file():  # a dangling link is no file: Django goes on to the next dir too
                return i, candidate
        return None

    def load(self, name: str) -> Template:
        """The parsed template ``name``; raises ``TemplateNotFound`` or ``TemplateError``."""
        cached = self._parsed.get(name)
        if cached is None:
            cached = self._parsed[name] = self._read(name)
        if isinstance(cached, TemplateError):
            raise cached
        return cached

    def _read(self, name: str) -> Template | TemplateError:
        path = self.find_template(name)
        if path is None:
            dirs = ", ".join(self.display(d) for d in self.search_dirs) or "(none configured)"
            hint = (
                f"searched: {dirs}; add the folder that holds it: --templates DIR (templates = [...]) for your own,"
                " library_templates = [...] in [tool.assetopt] for an installed app's (Django admin's: django/contrib/admin/templates), read and never written"
            )
            return TemplateNotFound(f"template {name!r} not found", hint=hint)
        shown = self.display(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            return TemplateError(f"cannot read: {exc.strerror}", path=shown)
        if b"\x00" in data[:8192]:
            return TemplateError("binary file among the templates: skipped", path=shown, hint="move it out of the template dirs or add it to exclude")
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            return TemplateError(
                f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                path=shown,
                lineno=line,
                hint="Django reads templates as UTF-8: re-save the file as UTF-8",
            )
        try:
            return parse_template(name, source, shown, frozenset(self.config.static_tags))
        except TemplateError as exc:
            return exc


def one_per_file(items: Iterable[T], path_of: Callable[[T], Path | None], same: Callable[[T], Hashable] = lambda _: None) -> list[tuple[T, list[T]]]:
    """Each file once: (the first item of each real file, the later items of that file), in order.
    Real file is ``Path.resolve``: symlinks and overlapping template dirs (django-machina's
    ``templates/machina`` before ``templates``) give one file two names. ``same`` splits a file's items
    further (rewrite: by their rewritten text). An item whose ``path_of`` is None stays on its own. Two
    different files are never merged, however alike their names."""
    out: list[tuple[T, list[T]]] = []
    first: dict[tuple[Path, Hashable], int] = {}
    for item in items:
        path = path_of(item)
        key = None if path is None else (path.resolve(), same(item))
        if key is not None and key in first:
            out[first[key]][1].append(item)
            continue
        if key is not None:
            first[key] = len(out)
        out.append((item, []))
    return out


def _links(path: Path | None) -> int:
    """How many symlinks lead from ``path`` to a file that is none: its symlinked dirs (``alias/list.html``
    with ``alias -> real`` has one more than ``real/list.html``), then its last part (at most 40, as the OS)."""
    if path is None:
        return 0
    hops = sum(1 for d in path.parents if d.is_symlink())
    while path is not None and path.is_symlink() and hops < 40:
        path, hops = path.parent / os.readlink(path), hops + 1
    return hops


def _installed(path: Path) -> bool:
    return any(part in ("site-packages", "dist-packages") for part in path.parts)


def _names_in(roots: tuple[Path, ...], exclude: tuple[str, ...], loops: dict[str, tuple[Path, Path]] | None = None) -> set[str]:
    return {name for root in roots for name, _ in template_files(root, exclude, loops)}


def template_files(root: Path, exclude: tuple[str, ...] = (), loops: dict[str, tuple[Path, Path]] | None = None) -> list[tuple[str, Path]]:
    """``(name, path)`` of every template under ``root``, sorted by name: every file ``walk_files``
    finds, whatever its extension (Django renders ``.txt``, ``.xml``, ``.djhtml`` alike), but editor
    leftovers and the names ``exclude`` matches. The one listing the tool reads templates by."""
    return [
        (name, path)
        for name, path in walk_files(root, loops)
        if not name.endswith(("~", ".swp", ".pyc")) and not any(fnmatch.fnmatch(name, pat) for pat in exclude)
    ]


def walk_files(root: Path, loops: dict[str, tuple[Path, Path]] | None = None) -> list[tuple[str, Path]]:
    """``(name, path)`` of every file under ``root`` whose name has no part starting with ``.``,
    sorted by name. Symlinked dirs are followed, as Django's loader follows them (``safe_join`` checks
    the joined path, not where a link leads): ``templates/shop -> ../../shared/shop`` gives
    ``shop/...`` names. A link to a dir already on the way down (an ancestor, or itself) would never
    end: it is not entered, and ``loops`` gets ``real path of the link -> (that path, its target)``,
    once per link however often (through other links) it is met. Two links to one dir (not a loop) both give
    names, as both render in Django: callers group them by file (``one_per_file``)."""
    found: list[tuple[str, Path]] = []
    above: dict[str, frozenset[str]] = {str(root): frozenset({os.path.realpath(root)})}  # dirpath -> real dirs on the way down
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        chain = above.pop(dirpath)
        keep = []
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            path = os.path.join(dirpath, d)
            real = os.path.realpath(path)
            if real in chain:
                if loops is not None:
                    where = Path(os.path.realpath(dirpath), d)  # the link itself, however it was reached
                    loops.setdefault(str(where), (where, Path(real)))
                continue
            above[path] = chain | {real}
            keep.append(d)
        dirnames[:] = keep
        rel = Path(dirpath).relative_to(root).as_posix()
        for f in filenames:
            if not f.startswith("."):
                found.append((f if rel == "." else f"{rel}/{f}", Path(dirpath) / f))
    return sorted(found)
