"""Render steps through Django's test client with the configured cache: python drive.py < steps.json.

Each step is [username, method, path, data] or [username, method, path, data, headers]; the answer is the list of response bodies. Migrates the
database and creates alice and bob first (idempotent)."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop_settings")
import django  # noqa: E402

django.setup()
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

call_command("migrate", interactive=False, verbosity=0)
users = {name: get_user_model().objects.get_or_create(username=name, defaults={"email": f"{name}@shop.example"})[0] for name in ("alice", "bob")}
steps = json.load(sys.stdin)
out = []
for who, method, url, data, *more in steps:
    client = Client()
    if who:
        client.force_login(users[who])
    headers = more[0] if more else {}
    response = client.post(url, data, headers=headers) if method == "POST" else client.get(url, headers=headers)
    out.append(response.content.decode())
json.dump(out, sys.stdout)
