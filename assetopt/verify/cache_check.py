"""``verify --cache``: prove by rendering that no ``{% cache %}`` fragment serves one user's data to another.

The templates as they would be deployed (the project's own ``{% cache %}`` tags plus the
``[[tool.assetopt.cache]]`` rules, rewritten into a temporary copy; the sources are untouched) are
rendered with the project's settings in a child process (``contrib/django/cache_child.py``) as an
anonymous visitor and as each user, with caching off, and compared by ``cache_leaks.find_leaks``.
``cache_facts`` asks the same child what the static analysis cannot read from templates: which names
the context processors provide and which custom tags take the context.

What it never does: touch the project's cache backend or database rows (``force_login`` only), or
write outside a temporary folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import AssetoptError, FactsUnavailable, TemplateError
from ..io.project import Project, template_files
from ..rewrite.context import RewriteContext, context_from_config
from ..templates.cache_fragments import cache_name
from ..templates.cache_reads import CacheFacts
from ..templates.model import parse_template
from .cache_leaks import CacheCheck, find_leaks

__all__ = ["cache_facts", "check_cache"]

_TIMEOUT_S = 600
_CHILD = "assetopt.contrib.django.cache_child"


def _run_child(request: Mapping[str, Any], settings_module: str, pythonpath: Path) -> dict[str, Any]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module}
    here = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join([here, str(pythonpath), *filter(None, [os.environ.get("PYTHONPATH")])])
    full = {"settings": settings_module, "pythonpath": [str(pythonpath)], **request}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", _CHILD],
            input=json.dumps(full, default=str),
            capture_output=True,
            text=True,
            env=env,
            timeout=_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        raise AssetoptError(f"rendering the pages with {settings_module} took more than {_TIMEOUT_S} s") from None
    try:
        answer = json.loads(proc.stdout)
    except ValueError:
        answer = None
    if proc.returncode != 0 or not isinstance(answer, dict):
        if isinstance(answer, dict) and isinstance(answer.get("error"), str):
            raise AssetoptError(answer["error"])  # the child's message names the flag and what to do
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise AssetoptError(
            f"the cache check with Django ({settings_module}) failed:\n{tail}", hint="check --settings MODULE (importable from the project dir)"
        )
    return answer


def cache_facts(config: Config, settings_module: str, pythonpath: Path) -> CacheFacts:
    """The config's declarations plus what the project's settings say (context processors, tags).
    Raises ``FactsUnavailable`` when the settings import but Django cannot be set up with them, or the
    facts cannot be read; ``AssetoptError`` when the settings module cannot be imported."""
    answer = _run_child({"op": "facts"}, settings_module, pythonpath)
    if "unavailable" in answer:
        raise FactsUnavailable(
            f"--settings {settings_module}: the cache facts could not be gathered ({answer['unavailable']})",
            hint="{% cache %} rules are planned as without settings: custom tags refused, names from context processors keyed per user and URL",
        )
    return CacheFacts(
        user_context=config.user_context,
        constants=config.constants,
        processors=dict(answer["processors"]),
        tags=dict(answer["tags"]),
    )


def _fragment_names(project: Project, dirs: Sequence[Path]) -> set[str]:
    """The ``{% cache %}`` names of every template of the copy ``dirs``, listed as the rest of the tool
    lists templates (``template_files``: any extension, ``exclude`` honoured), so a fragment in a ``.txt``
    or ``.xml`` template no page rendered is "not proven", never silently absent."""
    names: set[str] = set()
    for root in dirs:
        for name, path in template_files(root, project.config.exclude):
            try:
                template = parse_template(name, path.read_text(encoding="utf-8"))
            except (TemplateError, UnicodeDecodeError):
                continue  # the rewrite reported it
            names.update(cache_name(t) for t in template.code if t.tag_name == "cache")
    return names


def check_cache(
    config: Config,
    settings_module: str,
    pythonpath: Path,
    users: Sequence[str],
    urls: Sequence[str] = (),
    base: RewriteContext | None = None,
) -> tuple[CacheCheck, Any]:
    """Rewrite only the cache rules into a temporary copy and render it (see the module docstring).
    Returns the check and the cache-only ``RewriteResult`` (its skips: rules refused statically)."""
    from ..rewrite.project import links_outside, mirror_root, plan_project, write_changes

    project = Project(config)
    ctx = replace(base or context_from_config(config), only=frozenset({"cache"}))
    if ctx.cache_facts.tags is None:
        try:
            ctx = replace(ctx, cache_facts=cache_facts(config, settings_module, pythonpath))
        except FactsUnavailable:
            pass  # the safe plan of no settings; the probe below, with the same settings, says what is wrong
    rewritten = plan_project(project, ctx)
    with tempfile.TemporaryDirectory(prefix="assetopt-cache-check-") as tmp:
        out = Path(tmp)
        # what links lead to outside the project is copied too: the check renders the copy instead of
        # the template dirs, and without it Django would render another dir's file of that name, or none
        write_changes(rewritten, project, out, links_outside=True)
        dirs = [out / mirror_root(project, root) for root in config.templates]
        expected = _fragment_names(project, dirs)
        answer = _run_child(
            {"op": "probe", "templates_dirs": [str(d) for d in dirs], "users": list(users), "urls": list(urls)},
            settings_module,
            pythonpath,
        )
    accounts = answer.get("accounts", True)  # False: no django.contrib.auth, rendered anonymously
    check = find_leaks(answer["renders"], users, expected, accounts)
    notes = [
        f"{project.display(path)} is {how}, {why}: its {{% cache %}} rule is checked as if applied, but rewrite --write will not edit that file"
        for path, how, why in links_outside(project)
        if path.resolve() in {c.path.resolve() for c in rewritten.changes}
    ]
    if answer.get("needs_arguments"):
        notes.append(f"not rendered (they need URL arguments; pass --url NAME:ARG for two objects each): {', '.join(answer['needs_arguments'])}")
    broken = [f"{r['url']} as {r['who']} ({r['status']})" for r in answer["renders"] if r["status"] >= 500]
    if broken:
        notes.append(f"pages that failed to render (their fragments are not checked there): {', '.join(broken)}")
    if len(users) < 2 and accounts:
        notes.append(
            f"the proof needs at least two signed-in users, got {len(users)}: --user NAME (twice), [tool.assetopt] users or ASSETOPT['USERS']"
        )
    return replace(check, notes=tuple(notes)), rewritten
