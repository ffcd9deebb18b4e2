"""Settings for the Hart Rehab patient education site.

Everything that differs between a laptop, CI and production is read from the
environment (see README.md and .env.example); the defaults are the safe ones.
"""

import datetime
import os
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from hartrehab import limits

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# CORE
DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        # One line, no traceback: the person starting the site needs to know what to set.
        sys.exit(
            "hartrehab: DJANGO_SECRET_KEY is not set. Set it to a long random value "
            "(or set DJANGO_DEBUG=1 on a laptop); see README.md."
        )
    SECRET_KEY = "django-insecure-debug-only-key"  # noqa: S105 - only ever used with DEBUG on
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # SECURITY: the admin site is hartrehab's OTP-enforcing StaffAdminSite.
    "hartrehab.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "markdownx",
    "django_tasks",
    "django_tasks_db",
    "articles",
    "intake",
    "outcomes",
    "frontcache",
    # SECURITY
    "hartrehab",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Staff accounts: single-use recovery codes for a lost phone.
    "django_otp.plugins.otp_static",
    "axes",
]

MIDDLEWARE = [
    # SECURITY: outermost, so the request log sees the final status and timing.
    "hartrehab.requestlog.RequestLogMiddleware",
    # MONITORING: each request counted and timed by view, for /metrics.
    "hartrehab.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # OUTCOMES: counts views of public pages, the page cache's replays and 304s included.
    "outcomes.middleware.CountingMiddleware",
    # Whole public pages from memory, checked against the newest publish (docs/BENCHMARKS.md).
    "frontcache.pagecache.PublicPageCacheMiddleware",
    # SECURITY: public or staff Content Security Policy by path.
    "hartrehab.csp.SiteCSPMiddleware",
    # Multipart and oversized bodies refused from their headers, before CSRF reads the body.
    "hartrehab.requestbody.RequestBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # SECURITY: second factor, then the staff-only URL guard that relies on it.
    "django_otp.middleware.OTPMiddleware",
    "hartrehab.staff.StaffOnlyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # SECURITY: django-axes wants to be last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hartrehab.urls"
WSGI_APPLICATION = "hartrehab.wsgi.application"
ADMIN_PATH = env("DJANGO_ADMIN_PATH", "admin").strip("/") + "/"

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
                "hartrehab.context_processors.site",
            ],
        },
    },
]

# DATABASES
# SQLite in the project folder unless DATABASE_URL says otherwise (PostgreSQL in production).
DATABASES = {
    # An empty DATABASE_URL means "not set", as for every other variable here.
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Every wait for the database in a web request has a limit (hartrehab/limits.py, which
# gunicorn.conf.py also reads): a slow or locked database gives the 503 page, not a killed worker.
# manage.py commands (migrate, load_content, the worker) are nobody's request; a migration may
# rightly wait for a lock or run long, so they run without the PostgreSQL limits.
RUNNING_COMMAND = Path(sys.argv[0]).name == "manage.py"
DATABASE_STATEMENT_TIMEOUT_MS = limits.STATEMENT_TIMEOUT_MS
DATABASE_LOCK_TIMEOUT_MS = limits.LOCK_TIMEOUT_MS
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets gunicorn's workers read while one writes; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue on the busy timeout instead of failing with "database is
    # locked". Connections are kept (DJANGO_CONN_MAX_AGE) as for PostgreSQL: opening one and
    # running these pragmas cost more than the page cache's whole answer (docs/BENCHMARKS.md).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20 if RUNNING_COMMAND else DATABASE_LOCK_TIMEOUT_MS / 1000,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif not RUNNING_COMMAND:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS} "
        f"-c lock_timeout={DATABASE_LOCK_TIMEOUT_MS}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# TASKS
# Outbound calls (staff email, later cache purges and review emails) never run inside a
# request: a request stores a task in the site's own database, in the same transaction as the
# row it concerns, and the worker (`manage.py db_worker`) runs it. No Redis needed.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# CACHES
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "hartrehab",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Whole public pages kept in each worker's memory (frontcache/pagecache.py). Off under DEBUG,
# where templates change while the process runs.
PUBLIC_PAGE_CACHE = env_bool("DJANGO_PUBLIC_PAGE_CACHE", not DEBUG)

# MONITORING
# /metrics (Prometheus) answers a bearer token or a listed address; anything else gets a 404.
METRICS_TOKEN = env("METRICS_TOKEN")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS")

# EDGE CACHE (frontcache/)
# Public pages say how long a shared cache (Varnish, a CDN) may keep them: fresh for
# FRONTCACHE_S_MAXAGE seconds, then served while it asks again for
# FRONTCACHE_STALE_WHILE_REVALIDATE more, and for FRONTCACHE_STALE_IF_ERROR while the site is
# down. Browsers still ask every time (max-age=0). A publish purges the changed pages.
FRONTCACHE_S_MAXAGE = int(env("FRONTCACHE_S_MAXAGE", "60"))
FRONTCACHE_STALE_WHILE_REVALIDATE = int(env("FRONTCACHE_STALE_WHILE_REVALIDATE", "30"))
FRONTCACHE_STALE_IF_ERROR = int(env("FRONTCACHE_STALE_IF_ERROR", "86400"))
# Where purges go (frontcache/backends.py); all empty: no edge cache, nothing is purged.
FRONTCACHE_PURGE_LOCATIONS = env_list("FRONTCACHE_PURGE_LOCATIONS")
FRONTCACHE_CLOUDFLARE_ZONE_ID = env("FRONTCACHE_CLOUDFLARE_ZONE_ID")
FRONTCACHE_CLOUDFLARE_API_TOKEN = env("FRONTCACHE_CLOUDFLARE_API_TOKEN")
FRONTCACHE_CLOUDFLARE_API_URL = env(
    "FRONTCACHE_CLOUDFLARE_API_URL", "https://api.cloudflare.com/client/v4"
)
FRONTCACHE_CLOUDFRONT_DISTRIBUTION_ID = env("FRONTCACHE_CLOUDFRONT_DISTRIBUTION_ID")
FRONTCACHE_CLOUDFRONT_ENDPOINT_URL = env("FRONTCACHE_CLOUDFRONT_ENDPOINT_URL")
FRONTCACHE_TIMEOUT_SECONDS = float(env("FRONTCACHE_TIMEOUT_SECONDS", "5"))
FRONTCACHE_RETRY_SECONDS = int(env("FRONTCACHE_RETRY_SECONDS", "60"))
FRONTCACHE_RETRY_ATTEMPTS = int(env("FRONTCACHE_RETRY_ATTEMPTS", "5"))

# AUTH
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# ACCOUNTS
# Argon2 first: new and changed passwords use it; older PBKDF2 hashes upgrade on next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out user+address before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failures from one address for one username lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lock ends 15 minutes after the fifth failure, as the lockout page says; trying again
# while locked does not restart the clock.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "hartrehab.admin_site.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["otp_token"]
# The client's address for the lockout (hartrehab.admin_site.client_ip): REMOTE_ADDR, or behind
# this many reverse proxies that each append to X-Forwarded-For, the entry the outermost wrote.
TRUSTED_PROXY_COUNT = int(env("DJANGO_TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "hartrehab.admin_site.client_ip"
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "Hart Rehab")
# Staff sessions are the only sessions (public pages store nothing); each request restarts
# the clock, so a session ends after this long idle.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A staff invitation (or second-factor reset) link works once, for this many hours.
STAFF_INVITE_HOURS = int(env("STAFF_INVITE_HOURS", "72"))
# Single-use recovery codes each staff member gets when they enrol their authenticator.
STAFF_RECOVERY_CODES = 10
# URL prefixes, besides the admin, that only verified staff may reach (hartrehab.staff).
STAFF_URL_PREFIXES = ["/markdownx/", "/staff/"]

# INTERNATIONALIZATION
LANGUAGE_CODE = "en-us"
TIME_ZONE = env("DJANGO_TIME_ZONE", "America/New_York")
USE_I18N = False
USE_TZ = True

# STATIC FILES
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 365 * 24 * 60 * 60

# EMAIL
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# A dead mail server must not hold a worker for long (never more than 10 s).
EMAIL_TIMEOUT = min(int(env("EMAIL_TIMEOUT", "10")), 10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Hart Rehab website <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# SECURITY
# Each transport setting has its own variable so a laptop or a test run can serve plain HTTP.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# A container's health check talks plain HTTP to the process itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(env("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading is hard to undo (browsers ship the list), so it is its own, explicit choice.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    # Only behind a proxy that always sets (overwrites) X-Forwarded-Proto itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if SESSION_COOKIE_SECURE:
    # __Host- cookies are refused by browsers unless Secure, host-only and path "/": no
    # subdomain or plain-HTTP page can set or overwrite them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The largest request body (by Content-Length) any page takes, and the form fields Django will
# read; hartrehab.requestbody refuses a larger one, or any multipart body, before reading it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
# A CSRF failure on a public page gets the site's page with the phone and the crisis lines.
CSRF_FAILURE_VIEW = "hartrehab.views.csrf_failure"
if not SECURE_HSTS_PRELOAD:
    # check --deploy warns whenever preload is off; here off is a decision, not an omission.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# CSP: django-csp 4. Public pages run no script at all; the JSON-LD data block is
# not script execution, so script-src 'none' does not touch it.
_CSP_LOCKDOWN = {
    "object-src": [NONE],
    "base-uri": [NONE],
    "frame-ancestors": [NONE],
    "form-action": [SELF],
}
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [NONE],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "manifest-src": [SELF],
        # No script runs here (script-src 'none'), so this lets nothing connect; it is for
        # auditors that fetch /robots.txt from inside the page, such as Lighthouse, whose SEO
        # audit fails under default-src 'none' alone (GoogleChrome/lighthouse#4386).
        "connect-src": [SELF],
        **_CSP_LOCKDOWN,
    }
}
# The admin and the markdown editor run Django's and markdownx's own script files and fetch
# the preview from this site; a template that must inline a script uses request.csp_nonce.
STAFF_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        **_CSP_LOCKDOWN,
    }
}

# ARTICLES
ARTICLES_CONTENT_DIR = Path(env("ARTICLES_CONTENT_DIR", str(BASE_DIR / "content")))
ARTICLES_REVIEW_INTERVAL_DAYS = int(env("ARTICLES_REVIEW_INTERVAL_DAYS", "365"))
ARTICLES_MAX_SOURCE_BYTES = 1024 * 1024
# The longest article body (markdown, UTF-8 bytes) the editor, the live preview and
# load_content accept: the render's cost grows with it.
ARTICLES_MAX_BODY_BYTES = int(env("ARTICLES_MAX_BODY_BYTES", str(100 * 1024)))
# A render that takes longer is stopped and refused; well under gunicorn's timeout, so the
# editor gets a message instead of a killed worker.
ARTICLES_RENDER_TIMEOUT_SECONDS = float(env("ARTICLES_RENDER_TIMEOUT_SECONDS", "5"))
# --- editors' workflow ---
# On, a medical reviewer may approve a version they wrote or edited themselves (a practice
# with one clinician); off, another reviewer must.
ARTICLES_ALLOW_SELF_APPROVAL = env_bool("ARTICLES_ALLOW_SELF_APPROVAL", False)
# The sender of the workflow's emails (submitted, returned, published, reviews due).
ARTICLES_NOTIFY_FROM = env("ARTICLES_NOTIFY_FROM") or DEFAULT_FROM_EMAIL
# How many of a version's listed reviewers must approve it: "all" (the default), or a number
# (at least 1; a version listing fewer needs all of them).
_REQUIRED_APPROVALS = env("ARTICLES_REQUIRED_APPROVALS", "all").strip().lower()
if _REQUIRED_APPROVALS in ("", "all"):
    ARTICLES_REQUIRED_APPROVALS = None
elif _REQUIRED_APPROVALS.isdigit() and int(_REQUIRED_APPROVALS) >= 1:
    ARTICLES_REQUIRED_APPROVALS = int(_REQUIRED_APPROVALS)
else:
    raise ImproperlyConfigured(
        "ARTICLES_REQUIRED_APPROVALS: expected 'all' or a number from 1, "
        f"not {_REQUIRED_APPROVALS!r}"
    )
# --- end editors' workflow ---

# CLINIC
CLINIC_NAME = "Hart Rehab"
# The clinic's own line, shown where a patient may need to call instead of writing.
# Empty means "not configured": pages then show only the national crisis lines.
CLINIC_PHONE = env("CLINIC_PHONE")

# INTAKE (the contact form and staff queue; see README "Intake requests")
INTAKE_NOTIFY_EMAILS = env_list("INTAKE_NOTIFY_EMAILS")
# /healthz reports a backlog, and send_intake_notifications exits 1, when a request waited
# longer than this for its email.
INTAKE_NOTIFY_MAX_DELAY_MINUTES = int(env("INTAKE_NOTIFY_MAX_DELAY_MINUTES", "30"))
# The worker tries a failed email again after this long, until the request is late; then the
# send_intake_notifications cron job keeps trying, and says so.
INTAKE_NOTIFY_RETRY_SECONDS = int(env("INTAKE_NOTIFY_RETRY_SECONDS", "60"))
INTAKE_RETENTION_DAYS = int(env("INTAKE_RETENTION_DAYS", "365"))
INTAKE_RESPONSE_TIME = env("INTAKE_RESPONSE_TIME", "within one business day")
# The promise above in business hours: past it, the worklist marks a request overdue and
# send_intake_notifications emails staff a count. The hours are in TIME_ZONE.
INTAKE_RESPONSE_HOURS = int(env("INTAKE_RESPONSE_HOURS", "24"))
INTAKE_BUSINESS_HOURS = env("INTAKE_BUSINESS_HOURS", "Mon-Fri 08:00-18:00")
# A form sent sooner than this after it was shown, or later, comes back to be sent again.
INTAKE_MIN_SECONDS = int(env("INTAKE_MIN_SECONDS", "3"))
INTAKE_MAX_SECONDS = int(env("INTAKE_MAX_SECONDS", str(24 * 60 * 60)))
INTAKE_RATE_LIMIT = int(env("INTAKE_RATE_LIMIT", "20"))
INTAKE_RATE_LIMIT_WINDOW_SECONDS = int(env("INTAKE_RATE_LIMIT_WINDOW_SECONDS", "3600"))
INTAKE_RATE_LIMIT_KEY_PREFIX = env("INTAKE_RATE_LIMIT_KEY_PREFIX", "hartrehab:intake:rate")

# OUTCOMES (views and requests counted on this server: no cookie, no script, no visitor data)
OUTCOMES_ENABLED = env_bool("OUTCOMES_ENABLED", True)
# Each worker writes its counts at most this often (and when it stops gracefully); a worker
# killed with kill -9 loses at most this many seconds of counts.
OUTCOMES_FLUSH_SECONDS = max(int(env("OUTCOMES_FLUSH_SECONDS", "10")), 1)
# purge_outcomes deletes counts of days older than this; /privacy/ states it.
OUTCOMES_RETENTION_DAYS = int(env("OUTCOMES_RETENTION_DAYS", "730"))

# MARKDOWNX
MARKDOWNX_MARKDOWNIFY_FUNCTION = "articles.rendering.markdownify_for_preview"
# --- editors' workflow ---
# markdownx's own views have no login check, so markdownx.urls is never routed: the widget
# calls these staff-only wrappers (articles/staff_urls.py) instead.
MARKDOWNX_URLS_PATH = "/staff/markdownx/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/staff/markdownx/upload/"
# Upload is off (article pages show no images). Should it ever be routed: raster types only,
# never SVG (stored XSS, CVE-2024-2319), and small.
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/png", "image/jpeg", "image/webp"]
MARKDOWNX_UPLOAD_MAX_SIZE = 2 * 1024 * 1024
# The only paths that take files (multipart bodies), each with the largest body it takes.
REQUEST_BODY_UPLOAD_PATHS = {
    MARKDOWNX_UPLOAD_URLS_PATH: MARKDOWNX_UPLOAD_MAX_SIZE + DATA_UPLOAD_MAX_MEMORY_SIZE
}
# --- end editors' workflow ---

# LOGGING
# Everything to stdout, each line tagged with the request id (hartrehab.requestlog). Exception
# messages are withheld because they can quote data (a database error repeats the values).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "hartrehab.requestlog.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "()": "hartrehab.requestlog.WithheldMessageFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": sys.stdout,
            "formatter": "plain",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["stdout"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Replaces Django's own handlers, mail_admins among them: an error email would carry
        # the request, and the request can carry what a patient wrote. INFO whatever
        # DJANGO_LOG_LEVEL says: django.db.backends logs SQL with its parameters at DEBUG.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # The request line comes from hartrehab.requestlog; don't log 4xx/5xx twice.
        "django.request": {"handlers": [], "level": "ERROR", "propagate": True},
    },
}
# INTAKE: SQL parameters carry what patients typed; never log them, even at DEBUG.
LOGGING.setdefault("loggers", {})["django.db.backends"] = {"level": "INFO"}
