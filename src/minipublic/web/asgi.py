"""ASGI entry point (``minipublic.web.asgi:application``) for uvicorn or daphne."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minipublic.web.settings")
application = get_asgi_application()
