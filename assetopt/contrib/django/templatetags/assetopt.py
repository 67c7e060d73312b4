"""``{% load assetopt %}``: the template tag library. ``{% bundle "css" %}...{% endbundle %}`` (one tag per
built bundle, ``bundle_tag.py``) and ``{% picture %}...{% endpicture %}`` (an ``<img>`` with modern formats
and widths, ``picture_tag.py``). Both read ``conf.tag_settings()`` and the manifest through ``tag_memo``;
setting ``ASSETOPT["BUNDLES"] = False`` makes both print their inner markup unchanged (the rollback).
"""

from __future__ import annotations

from django import template

from ..bundle_tag import BundleNode, BundleNotBuilt, do_bundle
from ..picture_tag import PictureNode, do_picture

__all__ = ["register", "BundleNode", "BundleNotBuilt", "PictureNode", "do_bundle", "do_picture"]

register = template.Library()
register.tag("bundle", do_bundle)
register.tag("picture", do_picture)
