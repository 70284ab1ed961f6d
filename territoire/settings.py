"""Territoire settings: one file, driven by the environment (see .env.example).

Defaults give a working checkout with no server at all (SQLite under var/, tasks run
inline, e-mails printed on the console). Production sets DEBUG=false, HTTPS=true,
SECRET_KEY (or SECRET_KEY_FILE), DATABASE_URL=postgres://..., REDIS_URL=redis://...
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from territoire.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("TERRITOIRE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# Without an explicit key, a development key is used; `check --deploy` rejects it.
SECRET_KEY = env_str("SECRET_KEY", "django-insecure-dev-only-territoire-change-me")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- HTTPS: on in production, off for the demo on http://127.0.0.1 -----------------
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Core first: its templates override allauth's (layout, accessible forms).
    "territoire.core",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "ninja",
    "django_htmx",
    "django_rq",
]
# Business modules: every package under territoire/ with an apps.py, in name order, or
# the comma-separated list TERRITOIRE_MODULES (e.g. "reports,opendata") to enable fewer.
# Each registers itself with core in its AppConfig.ready (territoire/core/modules.py).
_available = sorted(
    p.parent.name for p in (BASE_DIR / "territoire").glob("*/apps.py") if p.parent.name != "core"
)
TERRITOIRE_MODULES = env_list("TERRITOIRE_MODULES", _available)
INSTALLED_APPS += [f"territoire.{name}" for name in TERRITOIRE_MODULES if name in _available]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "territoire.core.middleware.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "territoire.core.middleware.LanguageMiddleware",
    "territoire.core.middleware.NulCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "territoire.core.middleware.TenantMiddleware",
    "territoire.core.middleware.StaffMfaMiddleware",
]

ROOT_URLCONF = "territoire.urls"
WSGI_APPLICATION = "territoire.wsgi.application"
ASGI_APPLICATION = "territoire.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "territoire.core.context_processors.territoire",
            ],
        },
    },
]

# --- Database: SQLite file under var/ by default, PostgreSQL in production ------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'territoire.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the server read while a background task writes; IMMEDIATE avoids
    # "database is locked" on write-after-read inside one transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, background tasks: embedded by default, Redis in production --------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS_BACKEND = env_str("TASKS_BACKEND", "rq" if REDIS_URL else "immediate")
if TASKS_BACKEND == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"TASKS_BACKEND={TASKS_BACKEND!r}: use 'immediate' or 'rq'.")
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 3600}}

# --- People and authentication ----------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "territoire.core.passwords.CnilPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "site:after_login"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_FORMS = {"signup": "territoire.core.forms.ResidentSignupForm"}
ACCOUNT_ADAPTER = "territoire.core.auth_adapter.AccountAdapter"
# Lockout: after 5 failed log-ins for one account, further attempts are refused for
# 15 minutes (allauth's login_failed limit, kept in the shared cache).
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("LOGIN_FAILED_LIMIT", "10/15m/ip,5/15m/key"),
    "signup": "20/h/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Territoire")
MFA_RECOVERY_CODE_COUNT = 10

# --- Internationalisation: French first, English available -------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "territoire" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "territoire_lang"
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files and uploads (storage) ---------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
# WhiteNoise warns when the folder is missing (before the first `collectstatic`).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": env_str("FILE_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("STATIC_MANIFEST", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG)
# Requests bigger than this are refused before reaching a view (bad input, DoS).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- E-mail -------------------------------------------------------------------------
_email_backend = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
_email_options: dict[str, object] = {}
if _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": 30,
    }
elif _email_backend.endswith("filebased.EmailBackend"):
    # One file per message in EMAIL_FILE_PATH: used by the browser tests to read links.
    _email_options = {"file_path": env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mails"))}
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Territoire <ne-pas-repondre@territoire.invalid>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Maps: tiles are configurable; every page works without them ---------------------
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "© contributeurs OpenStreetMap")

# --- API ----------------------------------------------------------------------------
API_RATE_ANON = env_str("API_RATE_ANON", "120/min")
API_RATE_KEY = env_str("API_RATE_KEY", "1200/min")
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 1000

# --- Logs: one JSON object per line on stderr ----------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "territoire.core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]}
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Platform ----------------------------------------------------------------------
TERRITOIRE_INSTANCE_NAME = env_str("TERRITOIRE_INSTANCE_NAME", "Territoire")
# Host name -> tenant slug, e.g. "valmont.example.fr=valmont-sur-mer,..." (see ARCHITECTURE.md).
TERRITOIRE_HOSTS = dict(
    item.split("=", 1) for item in env_list("TERRITOIRE_HOSTS", []) if "=" in item
)

# Leaflet comes from the xstatic-leaflet package, never from a CDN.
from xstatic.pkg import leaflet as _leaflet  # noqa: E402

STATICFILES_DIRS = [("leaflet", _leaflet.BASE_DIR)]

# --- Sensors ------------------------------------------------------------------------
# Raw readings older than this are deleted by `territoire sensors purge`; their hourly
# and daily aggregates are kept.
SENSORS_RAW_RETENTION_DAYS = env_int("SENSORS_RAW_RETENTION_DAYS", 400)
# Readings older than this or than the retention (or more than 5 minutes in the future)
# are rejected.
SENSORS_MAX_BACKFILL_DAYS = env_int("SENSORS_MAX_BACKFILL_DAYS", 730)
# Largest HTTP bulk request, in items and in bytes.
SENSORS_MAX_BATCH_ITEMS = env_int("SENSORS_MAX_BATCH_ITEMS", 50_000)
SENSORS_MAX_BODY_BYTES = env_int("SENSORS_MAX_BODY_BYTES", 8 * 1024 * 1024)

# --- opendata -------------------------------------------------------------------------
# Rows of published resources: "auto" = a PostgreSQL schema when the database is
# PostgreSQL, else one SQLite file per resource version under OPENDATA_DIR/tables.
OPENDATA_STORE = env_str("OPENDATA_STORE", "auto")
OPENDATA_DIR = Path(env_str("OPENDATA_DIR", str(VAR_DIR / "opendata")))
OPENDATA_MAX_UPLOAD_MB = env_int("OPENDATA_MAX_UPLOAD_MB", 1024)
# Key of the HMAC that pseudonymises personal columns (also OPENDATA_PSEUDONYM_KEY_FILE);
# derived from SECRET_KEY when empty. Changing it changes every published pseudonym.
OPENDATA_PSEUDONYM_KEY = env_str("OPENDATA_PSEUDONYM_KEY", "")
OPENDATA_K = env_int("OPENDATA_K", 5)  # k-anonymity on quasi-identifiers
OPENDATA_MIN_COUNT = env_int("OPENDATA_MIN_COUNT", 11)  # smaller people-counts are suppressed
# A load that has not progressed for this long (killed process) is marked failed.
OPENDATA_STALE_LOAD_MINUTES = env_int("OPENDATA_STALE_LOAD_MINUTES", 30)
