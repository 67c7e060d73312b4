"""Plan the rewrite of one template: the public face of ``assetopt.rewrite``.

Pure: a ``Template`` and a ``RewriteContext`` (everything the transforms need to know about the
project, gathered beforehand by ``rewrite.project``) in, a ``TransformResult`` out. Applying the edits
is ``rewrite.edits.apply_edits``; nothing here reads or writes files.
"""

from __future__ import annotations

from .rewrite.context import DEFAULT_ONLY, CacheRule, RewriteContext, context_from_config
from .rewrite.plan import plan_rewrite

__all__ = ["RewriteContext", "CacheRule", "plan_rewrite", "context_from_config", "DEFAULT_ONLY"]
