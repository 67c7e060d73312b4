"""Django integration: add ``"assetopt.contrib.django"`` to ``INSTALLED_APPS``.

Gives ``{% load assetopt %}`` (the ``{% bundle %}`` tag). Settings live in one dict,
``settings.ASSETOPT``, read when used (so ``override_settings`` works); see ``conf.py``.
"""
