"""WSGI entry point for the example ERP site."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erp.settings")

application = get_wsgi_application()
