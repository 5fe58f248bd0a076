"""Django settings for the minipublic site, read from the environment.

Every setting has a safe default so that ``minipublic demo`` works on a fresh
machine with nothing configured. The environment variables are:

``MINIPUBLIC_DATA_DIR``
    Folder for the SQLite database, the generated secret key, sent mail (file
    backend) and collected static files. Default ``./var``.
``DATABASE_URL``
    A database URL (``postgres://user@host:5432/db``); unset means a SQLite
    file ``minipublic.sqlite3`` in the data folder.
``SECRET_KEY``
    Unset means a key generated once and kept in ``<data dir>/secret_key``.
``ALLOWED_HOSTS``
    Comma-separated host names. Default ``127.0.0.1,localhost``.
``MINIPUBLIC_DEBUG``
    ``1`` turns Django's debug pages on. Off otherwise: users never see a
    stack trace.
``MINIPUBLIC_DEV``
    ``1`` marks a developer's or demonstration machine (``minipublic demo``
    sets it): mail may then be printed on the console and
    ``MINIPUBLIC_BASE_URL`` may be left unset. Without it (and without
    ``MINIPUBLIC_DEBUG``) the site refuses to start until both are
    configured, so sign-in links never land in server logs.
``EMAIL_HOST`` (with ``EMAIL_PORT``, ``EMAIL_HOST_USER``, ``EMAIL_HOST_PASSWORD``,
``EMAIL_USE_TLS``, ``DEFAULT_FROM_EMAIL``)
    Send mail by SMTP. ``MINIPUBLIC_EMAIL=file`` writes it to
    ``<data dir>/outbox`` instead. Neither: mail is printed on the console,
    which is allowed only with ``MINIPUBLIC_DEV`` or ``MINIPUBLIC_DEBUG``.
``MINIPUBLIC_BASE_URL``
    The site's public address, e.g. ``https://assemblies.example.org``:
    absolute links in mail start with it. Required unless ``MINIPUBLIC_DEV``
    or ``MINIPUBLIC_DEBUG``.
``MINIPUBLIC_HTTPS``
    ``1`` when the site is served over HTTPS (behind a proxy that sets
    ``X-Forwarded-Proto``): secure cookies, HTTPS redirect and HSTS.
``REDIS_URL``
    Run background tasks on RQ workers through Redis instead of the database
    queue, and keep Django's cache there (shared by every web process: the
    public voting rate limits and the map version count across processes).

To add an app, append it to ``MINIPUBLIC_APPS`` below and include its
``urls.py`` in ``minipublic/web/urls.py``; its permission rows and demo loader
are found from this list (see docs/site.md).
"""

import os
import secrets
import time
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

WEB_DIR = Path(__file__).resolve().parent


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("MINIPUBLIC_DATA_DIR") or "./var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Return SECRET_KEY from the environment, or the one kept in the data folder."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    try:
        # O_EXCL: when several processes start at once (test workers, web +
        # worker), exactly one writes the key and the others read it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.05)
        raise RuntimeError(f"{path} is empty; delete it to generate a new key") from None
    key = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_flag("MINIPUBLIC_DEBUG")
# A developer's or demonstration machine (see the module docstring).
MINIPUBLIC_DEV = _env_flag("MINIPUBLIC_DEV")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# The site's own apps, in the order their demo loaders run. Append new apps here.
MINIPUBLIC_APPS = [
    "minipublic.web.assemblies",
    "minipublic.web.people",
    "minipublic.web.progress",
    "minipublic.web.recruitment",
    "minipublic.web.selection",
    "minipublic.web.learning",
    "minipublic.web.deliberation",
    "minipublic.web.decisions",
    "minipublic.web.followup",
    "minipublic.web.evaluation",
    "minipublic.web.api",
    "minipublic.web.privacy",
]

REDIS_URL = os.environ.get("REDIS_URL", "").strip()

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks_db",
    "ninja",  # the REST API's documentation page and its static files
    *MINIPUBLIC_APPS,
]
if REDIS_URL:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before the session and every view: NUL in the address is refused (PostgreSQL).
    "minipublic.web.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "minipublic.web.people.middleware.ParticipantMiddleware",
    # axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "minipublic.web.urls"
WSGI_APPLICATION = "minipublic.web.wsgi.application"
ASGI_APPLICATION = "minipublic.web.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "minipublic.web.people.context_processors.participant",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'minipublic.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server's threads and the task worker share the file. IMMEDIATE
    # transactions take the write lock when they begin, so two requests that
    # read then write queue up behind each other instead of one failing with
    # "database is locked" (a DEFERRED transaction cannot wait to upgrade its
    # read lock); the busy timeout is how long they wait; WAL lets readers
    # go on while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Staff sign in with email + password; members never have a password (they
# use a personal link, see minipublic.web.people).
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "assemblies:my_assemblies"
LOGOUT_REDIRECT_URL = "assemblies:home"
PASSWORD_RESET_TIMEOUT = 7 * 24 * 3600  # staff invitation links last a week

# Login throttling: five failures lock out for 15 minutes, counted three ways
# at once: per account (whatever the address, so a botnet cannot try one
# account from many machines), per address (so one machine cannot try many
# accounts), and per (account, address).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address", ["username", "ip_address"]]

# Password-reset (and staff-invitation) emails: at most this many per account
# and per address in the window, whatever is typed (see people.throttle).
MINIPUBLIC_RESET_LIMIT_PER_ACCOUNT = 3
MINIPUBLIC_RESET_LIMIT_PER_IP = 10
MINIPUBLIC_RESET_WINDOW_SECONDS = 3600
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "people/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Member sign-in links: valid this long, and once only.
MINIPUBLIC_SIGN_IN_LINK_MAX_AGE = int(os.environ.get("MINIPUBLIC_SIGN_IN_LINK_DAYS", "7")) * 86400
SESSION_COOKIE_AGE = 30 * 86400
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if _env_flag("MINIPUBLIC_HTTPS"):
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # One year of HSTS, subdomains included (`check --deploy` W004/W005).
    SECURE_HSTS_SECONDS = int(os.environ.get("MINIPUBLIC_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Only a header: the domain joins browsers' preload lists if someone submits it.
    SECURE_HSTS_PRELOAD = os.environ.get("MINIPUBLIC_HSTS_PRELOAD", "1") != "0"
# Content security policy (Django's own): scripts and everything else only
# from this site, never inline -- put JavaScript in static files, no
# onclick=, no <script> bodies (a json_script data block is fine).
# Inline style attributes are still allowed (style-src 'unsafe-inline'): a
# few pages size bars with them; scripts never.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("cy", "Cymraeg")]
# Dates as "3 December 2026, 07:24" (not Django's American English default).
FORMAT_MODULE_PATH = ["minipublic.web.formats"]
LOCALE_PATHS = [WEB_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [WEB_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# whitenoise serves from the apps' static folders directly, so neither the
# demo nor the tests need a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"

# Mail uses Django 6.1's MAILERS setting (EMAIL_BACKEND is deprecated).
if os.environ.get("EMAIL_HOST"):
    _mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": os.environ["EMAIL_HOST"],
            "port": int(os.environ.get("EMAIL_PORT", "587")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": _env_flag("EMAIL_USE_TLS") or "EMAIL_USE_TLS" not in os.environ,
        },
    }
elif os.environ.get("MINIPUBLIC_EMAIL", "console") == "file":
    _mailer = {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(DATA_DIR / "outbox")},
    }
else:
    # Only on a developer's or demonstration machine: a system check
    # (minipublic.web.checks) refuses to start a production site with it.
    _mailer = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
MAILERS = {"default": _mailer}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "minipublic <noreply@localhost>")
# Absolute links in emails (sign-in links, invitations) start with this.
# Required in production (checked by minipublic.web.checks); the default is
# for developers and the demo only.
MINIPUBLIC_BASE_URL_SET = bool(os.environ.get("MINIPUBLIC_BASE_URL", "").strip())
MINIPUBLIC_BASE_URL = os.environ.get("MINIPUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Background tasks: Django's tasks framework. The database queue needs no
# other service; with REDIS_URL the same tasks run on RQ workers.
if REDIS_URL:
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Django's cache: in Redis when there is one, so that every web process (and
# the task worker) sees the same rate-limit counters and map version; else
# each process has its own memory cache (see docs/deliberation.md).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "minipublic",
        }
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
