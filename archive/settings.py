"""Settings for the incident archive, read from the environment.

Every setting that differs between a laptop and production comes from an
environment variable, read through the small typed helpers below. A bad value
stops the process with a message naming the variable.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from archive import db

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false/1/0), got {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}.") from None


def tile_source(tile_url: str) -> str | None:
    """The CSP source expression allowing a Leaflet tile URL template, e.g. https://*.tile.example.org."""
    parts = urlsplit(tile_url.replace("{s}", "*"))
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

# A development key is only acceptable when DEBUG is on; production refuses to start without one.
if DEBUG:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
else:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    "archive.apps.ArchiveAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "import_export",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Citations inline under each claim on the incident's change form.
    "nested_admin",
    "incidents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "archive.security.RequestSizeLimitMiddleware",
    "archive.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "archive.security.RefuseNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The reader's language: the django_language cookie the switcher sets, else Accept-Language
    # (Django's LocaleMiddleware, adding "Vary: Accept-Language, Cookie").
    "archive.locale.ReaderLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records the acting user and URL as context on every history event of the request.
    "pghistory.middleware.HistoryMiddleware",
    # A page or API item a replica does not have yet (published a moment ago) is asked of the
    # primary before the answer is a 404 (archive.replicas).
    "archive.replicas.PrimaryOnMissMiddleware",
    # Every request outside the admin reads the public read model, as a role that can read
    # nothing else (incidents.readmodel).
    "incidents.readmodel.reads.PublicReadsMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

# Widgets drawn by Jinja2 where Django ships its templates for it (archive/renderers.py).
FORM_RENDERER = "archive.renderers.WidgetRenderer"
ROOT_URLCONF = "archive.urls"
WSGI_APPLICATION = "archive.wsgi.application"
ASGI_APPLICATION = "archive.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "incidents.context_processors.archive",
            ],
        },
    },
]

DATABASES = {"default": db.configure(BASE_DIR)}
# Public requests read the published archive's read model, on the primary or a read replica.
DATABASE_ROUTERS = ["archive.routers.ReadModelRouter"]
# Streaming replicas of the primary, comma-separated postgresql:// URLs: public pages, the API and
# exports read from one of them (archive.replicas.choose), everything else from the primary.
DATABASES.update(db.replica_databases(env_list("DATABASE_REPLICA_URLS", [])))
# The replicas public reads may use; tests empty it, except the replicas' own (tests/conftest.py).
DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("REDIS_URL"),
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "archive"),
        }
    }
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # Without Redis, the API and export throttles still need counters that every worker
    # shares (a local-memory cache per worker would multiply each budget by the number of
    # workers): PostgreSQL's table, created by the incidents app's migrations.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "archive_cache",
            # Each write counts the table's rows and culls above this; keep it small enough to
            # count cheaply and large enough that a crawl from many addresses does not cull
            # the throttles' counters (expired entries go first).
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }

AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out client before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The interface languages. The names are each language's own, as a reader looks for it in the switcher.
LANGUAGES = [("en", "English"), ("fr", "Français"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# No URL prefix: public URLs stay stable and citable whatever the reader's language. The
# switcher's cookie is a preference only: no script reads it, and it travels like the others.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Leaflet's files come from the django-leaflet wheel; its Django app is not installed because
# its admin widgets need GDAL, which this project does not use.
STATICFILES_DIRS = [Path(importlib.util.find_spec("leaflet").submodule_search_locations[0]) / "static"]
if (BASE_DIR / "static").is_dir():
    STATICFILES_DIRS.insert(0, BASE_DIR / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve static files from the installed packages directly when collectstatic has not run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "admin:login"

# --- The archive's own settings ------------------------------------------------------------
# A reviewer may publish an incident they edited last only when this is on (small teams).
ARCHIVE_ALLOW_SELF_REVIEW = env_bool("ARCHIVE_ALLOW_SELF_REVIEW", False)
ARCHIVE_NAME = env_str("ARCHIVE_NAME", "Open Incident Archive")
ARCHIVE_BASE_URL = env_str("ARCHIVE_BASE_URL", "http://127.0.0.1:8000")
# Map tiles: empty means markers on a plain background, which works with no network.
ARCHIVE_TILE_URL = env_str("ARCHIVE_TILE_URL", "-")
if ARCHIVE_TILE_URL == "-":
    ARCHIVE_TILE_URL = ""
ARCHIVE_TILE_ATTRIBUTION = env_str("ARCHIVE_TILE_ATTRIBUTION", "-").removeprefix("-")
# Facet counts on the public list: the time budget of the one counting query, and how long
# a result is cached (the cache key also changes whenever a published or retracted incident changes).
ARCHIVE_FACET_TIMEOUT_MS = env_int("ARCHIVE_FACET_TIMEOUT_MS", 1000)
ARCHIVE_FACET_CACHE_SECONDS = env_int("ARCHIVE_FACET_CACHE_SECONDS", 600)
# Result sets estimated larger than this are not counted at all (they would overrun the budget).
ARCHIVE_FACET_COUNT_LIMIT = env_int("ARCHIVE_FACET_COUNT_LIMIT", 150_000)
# Above this many results (by the planner's estimate) the actor facets, one link lookup per incident, are skipped.
ARCHIVE_FACET_ACTOR_LIMIT = env_int("ARCHIVE_FACET_ACTOR_LIMIT", 20_000)

# --- Imports and the admin's exports (django-import-export) ----------------------------------
# An import is all or nothing: one transaction, rolled back on any bad row.
IMPORT_EXPORT_USE_TRANSACTIONS = True
# The admin's formats (incidents.spreadsheet) neutralise formulas more thoroughly than this
# switch does on its own, but both rely on it being on.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Largest file the admin's import accepts (the request cap ARCHIVE_MAX_REQUEST_BYTES applies first).
ARCHIVE_IMPORT_MAX_BYTES = env_int("ARCHIVE_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
ARCHIVE_IMPORT_MAX_ROWS = env_int("ARCHIVE_IMPORT_MAX_ROWS", 100_000)

# --- REST framework ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_ANON_THROTTLE", "120/minute"),
        "user": env_str("API_USER_THROTTLE", "600/minute"),
        "export": env_str("EXPORT_THROTTLE", "60/minute"),
    },
    # Without this DRF would key throttles on the whole X-Forwarded-For header, which the
    # client writes; see archive.security.client_ip.
    "NUM_PROXIES": env_int("ARCHIVE_PROXY_COUNT", 0),
    # A browser asking for HTML gets the browsable API (read-only for the public: no forms to
    # write with); scripts, which ask for JSON or anything, get JSON.
    "DEFAULT_RENDERER_CLASSES": ["incidents.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Incident archive API",
    "DESCRIPTION": "Published incidents, actors, sources and attributed claims.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Reads are public: the schema declares no security scheme, so the docs offer no login.
    "AUTHENTICATION_WHITELIST": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "incidents.schema.parameter_bounds",
    ],
    # Several models have a "kind" field with their own choices; name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "ActorKindEnum": "incidents.models.ActorKind",
        "SourceKindEnum": "incidents.models.SourceKind",
        "ClaimKindEnum": "incidents.models.ClaimKind",
        "RelationKindEnum": "incidents.models.RelationKind",
    },
}

CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

# Every curated model keeps a history of inserts, updates and deletes, written by pghistory's
# triggers (incidents.history.tracked), so bulk writes, QuerySet.update() and raw SQL are recorded
# too. The bulk writers, which record the insert events of their rows themselves in one statement
# per table, set HISTORY_PAUSED for their transaction: the insert triggers then record none of
# their rows.
HISTORY_PAUSED = "archive.history_paused"
PGHISTORY_ADMIN_MODEL = "pghistory.Events"

# One handler, on the root logger, so every record is written once. Django's own default
# configuration also gives its "django" logger a console handler (in debug), whose records
# would then reach the root's handler as well and print twice: it gets none here.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {"django": {"handlers": []}},
}

# --- Security ------------------------------------------------------------------------------
# See docs/security.md for what each setting defends against and the test that proves it.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
# Behind a TLS-terminating proxy Django sees plain HTTP; trust the proxy's header only when
# there is a proxy that sets it (and strips it from clients).
if env_bool("ARCHIVE_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Nonce-based CSP: no inline script or style runs unless the server wrote it this request.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *filter(None, [tile_source(ARCHIVE_TILE_URL)])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Request size: Django's cap on non-file form data, and ours on any body, uploads included.
ARCHIVE_MAX_REQUEST_BYTES = env_int("ARCHIVE_MAX_REQUEST_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
# An incident's form carries every claim and report: the seed's 24 claims send 1,148 fields, over
# Django's 1,000. Ten thousand is about two hundred claims; the byte caps above still hold.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 10_000)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

# Login lockout (django-axes): a client that fails this often for one username waits.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The same client address as the API throttles, honouring ARCHIVE_PROXY_COUNT.
AXES_CLIENT_IP_CALLABLE = "archive.security.client_ip"

# Two-factor for staff (django-otp, TOTP). On by default in production.
ARCHIVE_REQUIRE_2FA = env_bool("ARCHIVE_REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = ARCHIVE_NAME
