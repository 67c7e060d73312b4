"""Read the scripts the templates load and find the self-locating ones (``text.self_locating``); list
the stylesheets and scripts the templates load that the static dirs do not hold (never bundled).

The I/O around a pure check: every classic ``<script src>`` with a static path, in every template,
is looked up in the static dirs and read once. ``bundle_self_locating`` (glob patterns of logical
paths) forces a script back into bundles: the user checked that it works there.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from pathlib import Path

from ..errors import TemplateError
from ..templates.assets import asset_of
from ..templates.refs import RefKind
from ..templates.tags import StartTag
from ..text.inline_js import ScriptFacts, script_facts
from ..text.js_writes import WriteFacts
from ..text.self_locating import self_locating_reason
from .cache import ContentCache
from .pool import Task, cached_map
from .project import Project
from .staticfiles import Lookup

__all__ = ["self_locating_scripts", "read_script_facts", "missing_assets"]


def self_locating_scripts(project: Project) -> dict[str, str]:
    """Logical path -> why the script finds its own files by its own URL, for the scripts the
    templates load; forced ones (``bundle_self_locating``) left out."""
    forced = project.config.bundle_self_locating
    out: dict[str, str] = {}
    for path in sorted(_script_paths(project)):
        if any(fnmatch.fnmatch(path, pat) for pat in forced):
            continue
        text = _read(project, path)
        why = self_locating_reason(path, text) if text is not None else None
        if why is not None:
            out[path] = why
    return out


_FACTS_STEP = "script-facts-3"  # 2: what the script may assign (text.js_writes)


def read_script_facts(project: Project, jobs: int | None = 1) -> dict[str, ScriptFacts]:
    """Logical path -> what ``templates.defer`` needs from the script (``text.inline_js.script_facts``),
    cached by content (lexing jQuery costs about half a second); a script that could not be read is
    left out (never deferred)."""
    tasks: dict[str, Task[str]] = {}
    for path in sorted(_script_paths(project)):
        found = project.static.find(path)
        if found.status is not Lookup.FOUND or found.file is None:
            continue
        try:
            data = found.file.read_bytes()
        except OSError:
            continue
        tasks[path] = Task(hashlib.sha256(data).hexdigest(), str(found.file), len(data))
    payloads, _ = cached_map(
        _facts_job, tasks.values(), ContentCache(project.config.cache_dir), _FACTS_STEP, jobs=jobs, valid=lambda p: _unpack(p) is not None
    )
    out: dict[str, ScriptFacts] = {}
    for path, task in tasks.items():
        facts = _unpack(payloads[task.key])
        if facts is not None:
            out[path] = facts
    return out


def _facts_job(file: str) -> bytes:
    facts = script_facts(Path(file).read_bytes().decode("utf-8", errors="replace"))
    w = facts.writes
    writes = {k: sorted(getattr(w, k)) for k in _WRITE_SETS}
    data = {"hazard": facts.hazard, "words": sorted(facts.words), "writes": {**writes, "dynamic": w.dynamic}}
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


_WRITE_SETS = ("globals_written", "props_written", "indexed", "string_words", "calls_on", "escapes")


def _unpack(payload: bytes) -> ScriptFacts | None:
    try:
        data = json.loads(payload)
        hazard, words, writes = data["hazard"], data["words"], data["writes"]
        sets = [writes[k] for k in _WRITE_SETS]
        dynamic = writes["dynamic"]
    except (ValueError, TypeError, KeyError):
        return None
    if not (hazard is None or isinstance(hazard, str)) or not isinstance(words, list) or not all(isinstance(x, list) for x in sets):
        return None
    if not (dynamic is None or isinstance(dynamic, str)):
        return None
    g, p, i, sw, co, es = (frozenset(str(w) for w in x) for x in sets)
    write_facts = WriteFacts(g, p, i, sw, co, es, dynamic)
    return ScriptFacts(hazard, frozenset(str(w) for w in words), write_facts)


def _read(project: Project, path: str) -> str | None:
    found = project.static.find(path)
    if found.status is not Lookup.FOUND or found.file is None:
        return None
    try:
        return found.file.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None


def missing_assets(project: Project) -> frozenset[str]:
    """Logical paths of the stylesheets and scripts the templates load that no static dir holds (or
    that leave them): a ``{% bundle %}`` around one would make ``assetopt build`` fail."""
    paths = _asset_paths(project, ("css", "js"))
    return frozenset(p for p in paths if project.static.find(p).status is not Lookup.FOUND)


def _script_paths(project: Project) -> set[str]:
    return _asset_paths(project, ("js",))


def _asset_paths(project: Project, kinds: tuple[str, ...]) -> set[str]:
    """Logical static paths of the ``<link rel=stylesheet>``/``<script src>`` (``kinds``) of every template."""
    paths: set[str] = set()
    for name in project.template_names():
        try:
            template = project.load(name)
        except TemplateError:
            continue  # reported by whoever reads it for real
        for item in template.items:
            if isinstance(item, StartTag) and item.name in ("script", "link"):
                asset = asset_of(item, template, project.config.static_url)
                if asset is not None and asset.kind in kinds and asset.ref is not None and asset.ref.kind is RefKind.STATIC:
                    paths.update(asset.ref.paths)
    return paths
