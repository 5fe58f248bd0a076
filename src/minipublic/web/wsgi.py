"""WSGI entry point (``minipublic.web.wsgi:application``) for gunicorn, waitress or mod_wsgi."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minipublic.web.settings")
application = get_wsgi_application()
