"""Ordna settings: one module, driven by the environment (see docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from ordna.envconfig import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("ORDNA_VAR_DIR", str(PROJECT_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# Without SECRET_KEY a built-in development key is used (fine for the local demo);
# `ordna check --deploy` warns about it (ordna.core.checks, ordna.W001).
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    SECRET_KEY = "ordna-insecure-development-key-change-me-0123456789-abcdefghij"
    ORDNA_INSECURE_KEY = True
else:
    ORDNA_INSECURE_KEY = False

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "django_htmx",
    "template_partials",
    "ordna.core",
    "ordna.audit",
    "ordna.organisation",
    "ordna.catalogue",
    "ordna.agreements",
    "ordna.orders",
    "ordna.procurement",
    "ordna.invoicing",
    "ordna.accounts",
    "ordna.api",
    "ordna.demo",
    "ordna.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ordna.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ordna.accounts.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ordna.urls"
WSGI_APPLICATION = "ordna.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "ordna.core.context_processors.navigation",
            ],
        },
    }
]

# --- Database --------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", "")
SQLITE_BUSY_TIMEOUT = env_int("SQLITE_BUSY_TIMEOUT", 20)
SQLITE_OPTIONS = {
    # IMMEDIATE: a write transaction takes the lock at BEGIN, so two writers queue on
    # the busy timeout instead of one failing half-way with "database is locked".
    "transaction_mode": "IMMEDIATE",
    "timeout": SQLITE_BUSY_TIMEOUT,
    "init_command": (
        "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT * 1000};"
    ),
}
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
        DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "ordna.sqlite3",
            "OPTIONS": dict(SQLITE_OPTIONS),
            "TEST": {"NAME": VAR_DIR / "test-ordna.sqlite3"},
        }
    }
ALLOW_SQLITE_IN_PRODUCTION = env_bool("ALLOW_SQLITE_IN_PRODUCTION", False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth and sessions -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Idle timeout: the cookie expires this long after the last request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
# The session (and so its expiry) is renewed at most once a minute by
# ordna.accounts.middleware, not on every request: one write a minute instead of one a
# request, which matters for SQLite and for pages that poll.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Absolute timeout: a session ends this long after login, however active.
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 10 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "ordna_session"
CSRF_COOKIE_NAME = "ordna_csrftoken"

AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# --- HTTPS and security headers --------------------------------------------------------
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True  # HTMX sends the token from the page (hx-headers), not the cookie
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", True)
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    # TLS ends at the proxy: trust its X-Forwarded-Proto, and count failed sign-ins per
    # client address it forwards (not per proxy address).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 1)
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
CSRF_FAILURE_VIEW = "ordna.core.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LANGUAGE_COOKIE_NAME = "ordna_language"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media"))))},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- E-mail ----------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ordna@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background work -------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# The worker writes a heartbeat this often; /healthz reports its age.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 10)

# --- API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ordna.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "ordna.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "ordna.api.errors.problem_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ordna API",
    "DESCRIPTION": "The purchaser-provider model of a Swedish municipality.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ordna.api.schema.add_problem_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "LegalPersonKindEnum": "ordna.organisation.models.LegalPerson.Kind",
        "UnitKindEnum": "ordna.organisation.models.Unit.Kind",
        "RoleEnum": "ordna.accounts.models.Role",
        "AgreementKindEnum": "ordna.agreements.models.Agreement.Kind",
        "AgreementStatusEnum": "ordna.agreements.models.Agreement.Status",
        "PriceListStatusEnum": "ordna.catalogue.models.PriceList.Status",
        "OrderKindEnum": "ordna.orders.models.Order.Kind",
        "OrderStateEnum": "ordna.orders.workflow.State",
        "RouteEnum": "ordna.procurement.models.Route",
        "LawEnum": "ordna.procurement.models.Law",
        "DeviationKindEnum": "ordna.orders.models.Deviation.Kind",
        "TransitionNameEnum": "ordna.api.order_serializers.TRANSITION_NAMES",
    },
}

# --- Logging ---------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Orders: a delivered order nobody has answered is accepted automatically after this many
# working days (docs/configuration.md).
ORDER_AUTO_ACCEPT_WORKING_DAYS = env_int("ORDER_AUTO_ACCEPT_WORKING_DAYS", 10)
# Service levels for an ad hoc need that names no service (working days).
ORDER_DEFAULT_RESPONSE_DAYS = env_int("ORDER_DEFAULT_RESPONSE_DAYS", 2)
# The largest file that may be attached to an order, in bytes (docs/configuration.md).
ORDER_ATTACHMENT_MAX_BYTES = env_int("ORDER_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
# Procurement routes: EUR → SEK for a threshold whose official SEK value is not known
# (the 2024–2025 rate by default); results that use it are provisional.
ROUTE_EUR_SEK_RATE = env_str("ROUTE_EUR_SEK_RATE", "10.8126")
# Invoicing (docs/configuration.md): VAT on sales to companies and external customers
# when the service says nothing, and the revenue account of an ad hoc need with no service.
INVOICING_DEFAULT_VAT_PERCENT = env_str("INVOICING_DEFAULT_VAT_PERCENT", "25")
INVOICING_AD_HOC_ACCOUNT = env_str("INVOICING_AD_HOC_ACCOUNT", "3459")
# Accounts of the SIE export: receivables and output VAT for invoices to companies and
# external customers, and the internal purchaser's cost account (set them to the
# municipality's chart of accounts).
INVOICING_RECEIVABLE_ACCOUNT = env_str("INVOICING_RECEIVABLE_ACCOUNT", "1510")
INVOICING_OUTPUT_VAT_ACCOUNT = env_str("INVOICING_OUTPUT_VAT_ACCOUNT", "2611")
INVOICING_INTERNAL_COST_ACCOUNT = env_str("INVOICING_INTERNAL_COST_ACCOUNT", "7690")
# The rule set whose published version routes every need (docs/configuration.md).
ROUTE_RULE_SET = env_str("ROUTE_RULE_SET", "Borås Stad — kommunövergripande riktlinjer")
# An ad hoc order worth this many kronor or more needs a route assessment before it is
# submitted (0: every ad hoc order).
ROUTE_ASSESSMENT_REQUIRED_FROM_SEK = env_int("ROUTE_ASSESSMENT_REQUIRED_FROM_SEK", 100_000)
# Koncernnytta: the procurement cost assumed per route when nobody gives one (SEK).
ROUTE_PROCUREMENT_COST_SEK = {
    "direct_award": env_int("ROUTE_PROCUREMENT_COST_DIRECT_SEK", 15_000),
    "national_procedure": env_int("ROUTE_PROCUREMENT_COST_NATIONAL_SEK", 120_000),
    "eu_procedure": env_int("ROUTE_PROCUREMENT_COST_EU_SEK", 250_000),
    "framework_call_off": env_int("ROUTE_PROCUREMENT_COST_CALL_OFF_SEK", 10_000),
}
# The address people reach Ordna at, for links in e-mail (no trailing slash needed).
ORDNA_BASE_URL = env_str("BASE_URL", "http://127.0.0.1:8000")
