"""django-compressor's offline compression as a step of ``collectstatic``, and the build-time check that
every ``{% compress %}`` block is in its offline manifest.

Why here: with ``COMPRESS_OFFLINE = True`` a ``{% compress %}`` block renders only what
``manage.py compress`` stored in ``COMPRESS_ROOT/CACHE/manifest.json``, keyed by the hash of the block's
*rendered* inner HTML; a block that is not there raises ``OfflineGenerationError`` on the request
(``lessons.md``: the most common compressor failure, and ``compress`` only logs the templates it
skipped). So ``collectstatic`` runs compressor's own machinery and then fails the build, naming the
template and line, for every block the manifest lacks.

Ordering (``docs/compressor.md``): this runs *after* Django has hashed the collected files and written
``staticfiles.json``, and before precompression. Compressor renders each block, so ``{% static %}`` gives
the hashed URLs production renders (the keys match), and it reads those hashed files from
``COMPRESS_ROOT``, which must therefore be the folder collectstatic writes (``conf.static_root()``: ``STATIC_ROOT`` unless the storage names another ``location``). Its output (``CACHE/css/*.css``,
``CACHE/js/*.js``) is named by content already, so Django never hashes it (no double hashing), and the
precompression that follows gives it ``.gz``/``.br`` siblings like every other file.

Uses compressor's own pieces (``Command.compress``, ``DjangoParser``, ``get_offline_hexdigest``) rather
than re-deriving its keys. Imports compressor only when called. Never used by the command line.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import CommandError
from django.template import Context
from django.template import TemplateDoesNotExist as DjangoTemplateDoesNotExist
from django.template import TemplateSyntaxError as DjangoTemplateSyntaxError

from ...errors import CompressError
from ...io.fs import write_if_changed
from ...io.project import Project
from . import conf

__all__ = [
    "CompressError", "MissingBlock", "compressor_active", "offline_compress", "missing_blocks",
    "offline_step", "manifest_location",
]  # fmt: skip

logger = logging.getLogger("assetopt")

_COMPRESS_RE = re.compile(r"\{%-?\s*compress\b[^%]*%\}")
_WALK_RE = re.compile(rb"\{%-?\s*(?:compress|extends)\b")
_NO_BLOCKS = "No 'compress' template tags found"
_FIX = "run `python manage.py collectstatic` again after fixing it; a block missing from the manifest raises OfflineGenerationError on the request"


@dataclass(frozen=True)
class MissingBlock:
    """A ``{% compress %}`` block: where it is and why production would not find it (or might not)."""

    path: str  # template file on disk (or the template name when no file is known)
    lineno: int
    tag: str  # the opening tag, e.g. "{% compress css %}"
    reason: str
    certain: bool  # True: its key is not in the manifest; False: it reads variables the offline context lacks

    def message(self) -> str:
        return f"{self.path}:{self.lineno}: {self.tag} {self.reason}"


def compressor_active() -> bool:
    """The project uses compressor offline and has not opted out (``ASSETOPT["OFFLINE_COMPRESS"]``):
    exactly when ``{% compress %}`` reads the offline manifest on requests."""
    if not apps.is_installed("compressor") or not conf.offline_compress():
        return False
    from compressor.conf import settings as compress_settings

    return bool(compress_settings.COMPRESS_ENABLED and compress_settings.COMPRESS_OFFLINE)


def manifest_location() -> tuple[Any, str]:
    """(storage, name) of compressor's offline manifest."""
    from compressor.conf import settings as compress_settings
    from compressor.storage import default_offline_manifest_storage

    return default_offline_manifest_storage, compress_settings.COMPRESS_OFFLINE_MANIFEST


def _check_root(static_root: Path) -> None:
    from compressor.conf import settings as compress_settings

    root = Path(compress_settings.COMPRESS_ROOT).resolve()
    if root != static_root.resolve():
        static_setting = getattr(settings, "STATIC_ROOT", None)
        if static_setting and Path(static_setting).resolve() == static_root.resolve():
            fix = "remove COMPRESS_ROOT (it defaults to STATIC_ROOT)"
        else:  # the storage's location is not STATIC_ROOT: compressor's default would miss it too
            fix = f"set COMPRESS_ROOT = {str(static_root)!r}, the staticfiles storage's location"
        raise CompressError(
            f"COMPRESS_ROOT is {root}, not the folder collectstatic writes to ({static_root}): compressor must read the hashed files collectstatic just wrote",
            path="settings.COMPRESS_ROOT",
            hint=f"{fix}, or set ASSETOPT['OFFLINE_COMPRESS'] = False and run `manage.py compress` yourself",
        )


def offline_compress(static_root: Path) -> dict[str, str]:
    """Run compressor's offline compression (the ``compress`` command's own ``compress()``) and write its
    manifest only when its bytes change (sorted keys: compressor's thread pool fills it in any order).
    Returns the manifest; raises ``CompressError`` naming the template when a block fails to render."""
    from compressor.cache import flush_offline_manifest
    from compressor.exceptions import OfflineGenerationError
    from compressor.management.commands.compress import Command

    _check_root(static_root)
    log = io.StringIO()
    try:
        manifest, _count, _results = Command().compress("django", {".html"}, 1, False, log)
    except OfflineGenerationError as exc:
        if _NO_BLOCKS in str(exc):
            manifest = {}
        else:
            raise CompressError(f"django-compressor: {exc}", path="{% compress %}", hint=_FIX) from None
    except CommandError as exc:  # "An error occurred during rendering <template>: ..."
        found = re.search(r"rendering (\S+): ", str(exc))
        raise CompressError(
            f"django-compressor could not compress a block: {exc}", path=found.group(1) if found else "{% compress %}", hint=_FIX
        ) from None
    for line in log.getvalue().splitlines():
        if line.startswith(("Invalid template", "Error parsing", "Unreadable", "Non-existent", "UnicodeDecodeError")):
            logger.warning("assetopt: django-compressor: %s", line)  # the blocks it skipped are named by missing_blocks
    data = json.dumps(dict(sorted(manifest.items())), indent=2).encode("utf-8")
    storage, name = manifest_location()
    try:
        target = Path(storage.path(name))
    except NotImplementedError:  # a remote manifest storage: compressor's own writer
        from compressor.cache import write_offline_manifest

        write_offline_manifest(dict(sorted(manifest.items())))
    else:
        write_if_changed(target, data)
    flush_offline_manifest()
    return dict(manifest)


class _RecordingContext(Context):
    """A ``Context`` that remembers the names looked up and not found: a block that reads one renders
    differently on a request that has it, so its key there is not the one compressed offline."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.missing: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        try:
            return super().__getitem__(key)
        except KeyError:
            self.missing.add(key)
            raise


def _offline_contexts() -> list[dict[str, Any]]:
    """``COMPRESS_OFFLINE_CONTEXT`` as the ``compress`` command reads it (a dict, a list, or a dotted
    path to a function returning them)."""
    from importlib import import_module

    from compressor.conf import settings as compress_settings
    from compressor.utils import get_mod_func

    contexts = compress_settings.COMPRESS_OFFLINE_CONTEXT
    if isinstance(contexts, str):
        module, function = get_mod_func(contexts)
        contexts = getattr(import_module(module), function)()
    return list(contexts) if isinstance(contexts, (list, tuple)) else [contexts]


def _raw_blocks(source: str) -> list[tuple[int, str]]:
    return [(source.count("\n", 0, m.start()) + 1, m.group()) for m in _COMPRESS_RE.finditer(source)]


def _tag(node: Any) -> str:
    token = getattr(node, "token", None)
    return "{% " + token.contents + " %}" if token is not None else "{% compress %}"


def _where(node: Any, fallback: str) -> tuple[str, int]:
    origin, token = getattr(node, "origin", None), getattr(node, "token", None)
    path = str(origin.name) if origin is not None and origin.name else fallback
    return path, (token.lineno if token is not None and token.lineno else 0)


def missing_blocks(templates: Iterable[tuple[str, Path]], manifest: dict[str, Any]) -> list[MissingBlock]:
    """Every ``{% compress %}`` block of ``templates`` ((name, file) pairs) whose offline key, computed
    the way ``compress`` computes it (each offline context, ``extends`` and ``block.super`` resolved by
    compressor's ``DjangoParser``, key by ``get_offline_hexdigest``), is not in ``manifest`` (certain), and
    every block that reads a variable the offline context lacks (uncertain: a request that has it renders
    another key). Templates are read only if they hold ``compress`` or ``extends``."""
    from compressor.cache import get_offline_hexdigest
    from compressor.exceptions import TemplateDoesNotExist, TemplateSyntaxError
    from compressor.offline.django import DjangoParser

    parser = DjangoParser(charset="utf-8")
    contexts = _offline_contexts()
    found: dict[tuple[str, int], MissingBlock] = {}
    for name, path in templates:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if _WALK_RE.search(data) is None:
            continue
        own = _raw_blocks(data.decode("utf-8", "replace"))
        try:
            template = parser.parse(name)
        except (TemplateSyntaxError, TemplateDoesNotExist, DjangoTemplateSyntaxError, UnicodeDecodeError) as exc:
            for lineno, tag in own:  # compress skipped the whole file (and only logged it)
                found.setdefault(
                    (str(path), lineno),
                    MissingBlock(str(path), lineno, tag, f"is not in the offline manifest: the template does not compile ({exc})", True),
                )
            continue
        for offline in contexts:
            context = _RecordingContext(parser.get_init_context(offline))
            try:
                nodes = list(parser.walk_nodes(template, context=context))
            except (TemplateSyntaxError, TemplateDoesNotExist, DjangoTemplateSyntaxError, DjangoTemplateDoesNotExist) as exc:
                for lineno, tag in own:
                    found.setdefault(
                        (str(path), lineno),
                        MissingBlock(str(path), lineno, tag, f"is not in the offline manifest: its parent template cannot be read ({exc})", True),
                    )
                continue
            for node in nodes:
                where = _where(node, str(path))
                context.missing = set()
                context.push()
                try:
                    key = get_offline_hexdigest(parser.render_nodelist(template, context, node))
                except Exception as exc:  # noqa: BLE001 - any error of any tag: compress failed on it too
                    found.setdefault(
                        where, MissingBlock(*where, _tag(node), f"does not render under the offline context ({type(exc).__name__}: {exc})", True)
                    )
                    continue
                finally:
                    context.pop()
                reads = sorted(context.missing - {"block"})
                if key not in manifest:
                    via = f" (as {name} extends it)" if where[0] != str(path) else ""
                    why = f": it reads {', '.join(reads)}, which COMPRESS_OFFLINE_CONTEXT lacks" if reads else ""
                    if not why and not name.endswith(".html"):
                        why = ": `manage.py compress` reads only *.html templates (rename it, or move the block)"
                    found[where] = MissingBlock(*where, _tag(node), f"{via} is not in the offline manifest{why}".lstrip(), True)
                elif reads and where not in found:
                    found[where] = MissingBlock(
                        *where, _tag(node),
                        f"reads {', '.join(reads)}, which COMPRESS_OFFLINE_CONTEXT lacks: a request where {'they render' if len(reads) > 1 else 'it renders'} something else raises OfflineGenerationError",
                        False,
                    )  # fmt: skip
    return sorted(found.values(), key=lambda b: (not b.certain, b.path, b.lineno))


def read_manifest() -> dict[str, Any] | None:
    """Compressor's offline manifest as stored, None when there is none or it cannot be read (a
    truncated copy of an interrupted deploy): every block would raise, as with no manifest."""
    storage, name = manifest_location()
    if not storage.exists(name):
        return None
    try:
        with storage.open(name) as fh:
            data = json.loads(fh.read().decode("utf-8"))
    except (OSError, ValueError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return None
    return data if isinstance(data, dict) else None


def templates_of(project: Project) -> list[tuple[str, Path]]:
    out = []
    for name in project.all_template_names():  # an app's {% compress %} blocks need the manifest too
        path = project.find_template(name)
        if path is not None:
            out.append((name, path))
    return out


def _output_names(manifest: dict[str, str]) -> list[str]:
    """The files the manifest's HTML points to, relative to COMPRESS_ROOT."""
    from compressor.conf import settings as compress_settings

    placeholder = re.escape(compress_settings.COMPRESS_URL_PLACEHOLDER)
    names = {m.group(1) for html in manifest.values() for m in re.finditer(placeholder + r"([^\"'\s>]+)", html)}
    return sorted(names)


def offline_step(static_root: Path, project: Project) -> Generator[tuple[str, str | None, Any], None, bool]:
    """The collectstatic step: compress offline, yield the files compressor wrote, then an error for
    every block the manifest lacks (template file:line) and a logged warning for every block that reads
    what the offline context lacks. Returns False when it yielded an error."""
    if settings.DEBUG:  # ManifestStaticFilesStorage gives unhashed URLs under DEBUG: other keys than production's
        logger.warning(
            "assetopt: collectstatic runs with DEBUG on: {% static %} renders unhashed URLs, so the offline manifest matches only DEBUG pages; run it with DEBUG = False"
        )
    try:
        manifest = offline_compress(static_root)
    except CompressError as exc:
        yield exc.path or "{% compress %}", None, exc
        return False
    for name in _output_names(manifest):
        if not (static_root / name).is_file():
            yield (
                name,
                None,
                CompressError(f"the offline manifest points to {name}, which compressor did not write into {static_root}", path=name, hint=_FIX),
            )
            return False
        yield name, name, True
    blocks = missing_blocks(templates_of(project), manifest)
    for block in blocks:
        if not block.certain:
            logger.warning("assetopt: %s", block.message())
    errors = [b for b in blocks if b.certain]
    if len(errors) > 1:
        logger.error("assetopt: %s", "\n".join(b.message() for b in errors))  # collectstatic raises the first
    for block in errors:
        yield block.path, None, CompressError(f"{block.tag} {block.reason}", path=block.path, lineno=block.lineno, hint=_FIX)
    return not errors
