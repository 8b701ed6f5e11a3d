"""Settings for the safeguarding concern recorder.

One file, every value read from the environment through django-environ with a typed, secure
default. `.env.example` lists every variable. A variable that is set but malformed stops start-up
with a message naming it; nothing is silently read as a default.
"""

import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file fills in what the real environment leaves unset.
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name, default):
    """A strict boolean: "maybe" is an error, not False."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}.")


def env_int(name, default):
    raw = env.str(name, default=None)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def _without_password(url):
    """A database URL as an error message may show it (messages end up in logs): any
    password replaced by ***."""
    scheme, separator, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not separator or not at or ":" not in userinfo:
        return url
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{host}"


def env_database(name, default):
    raw = env.str(name, default=default)
    shown = _without_password(raw)
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{name} must be a database URL such as postgres://user@host:5432/name "
            f"or sqlite:////absolute/path.sqlite3, not {shown!r}."
        )
    try:
        config = environ.Env.db_url_config(raw)
    except Exception as error:  # django-environ raises several types for bad URLs
        message = str(error).replace(raw, shown)
        raise ImproperlyConfigured(f"{name} could not be read: {message}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} must name a database, not {shown!r}.")
    return config


DEBUG = env_bool("DEBUG", False)


def _guessable(key):
    """Django's own test of a secret key (check --deploy, security.W009)."""
    return len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-")


def _secret_key():
    key = env.str("SECRET_KEY", default="")
    if key and not DEBUG and _guessable(key):
        raise ImproperlyConfigured(
            "SECRET_KEY is too easy to guess: use at least 50 random characters (python -c "
            '"import secrets; print(secrets.token_urlsafe(50))").'
        )
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random value in the environment "
            "(DEBUG is off, so no development key is generated)."
        )
    # Development only: generate one key and keep it beside the code, git-ignored.
    path = Path(env.str("SECRET_KEY_FILE", default=str(BASE_DIR / ".secret_key")))
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SERVICE_NAME = env.str("SERVICE_NAME", default="Record a safeguarding concern")


def _site_url():
    url = env.str("SITE_URL", default="").rstrip("/")
    if DEBUG:
        return url or "http://127.0.0.1:8000"
    # Every email's link starts with it: a default would send people to a dead address.
    if not url.startswith("https://"):
        raise ImproperlyConfigured(
            "SITE_URL must be the service's public https:// address, for example "
            "https://safeguarding.example.gov.uk (links in emails use it; DEBUG is off)."
        )
    return url


SITE_URL = _site_url()

INSTALLED_APPS = [
    "safeguarding.apps.OperatorsAdminConfig",  # django.contrib.admin, for operators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_forms_gds",
    # The project package is an app so templates can {% load presenters %}.
    "safeguarding",
    "schools",
    "audit",
    "concerns",
    "advice",
    "workflow",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "safeguarding.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware's Host check: load balancers ask by the server's own address.
    "safeguarding.middleware.HealthCheckMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A form sent after the session ended is kept for its author: before the sign-in redirect.
    "safeguarding.kept.KeepTypedFormMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",
    "safeguarding.middleware.SessionLifetimeMiddleware",
    "safeguarding.middleware.RequireSecondFactorMiddleware",
    "schools.middleware.CurrentMembershipMiddleware",
    "audit.context.RequestDetailsMiddleware",
]

ROOT_URLCONF = "safeguarding.urls"
WSGI_APPLICATION = "safeguarding.wsgi.application"

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
                "safeguarding.context_processors.service",
            ],
        },
    },
]

DATABASES = {
    "default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections, checked before reuse so a restarted database is picked up at once.
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES["default"]["OPTIONS"] = {
        # Wait for a writer rather than failing at once; WAL lets readers run beside it.
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "schools.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: accounts are created by an administrator; there is no public sign-up.
ACCOUNT_ADAPTER = "schools.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_FORMS = {
    "login": "schools.forms.SignInForm",
    "change_password": "schools.forms.ChangePasswordForm",
    "reset_password": "schools.forms.ResetPasswordForm",
    "reset_password_from_key": "schools.forms.ResetPasswordKeyForm",
}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGOUT_REDIRECT_URL = "/account/login/"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
# A reset asked for an address with no account is answered by email too (so the page answers
# as fast either way, and its timing does not tell who has an account), with the service's own
# words (templates/account/email/unknown_account_*): no invitation to sign up, which nobody
# can. allauth's rate limit ("reset_password") caps how often one address is mailed.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# The account holder is emailed when the way they sign in changes (a password, the authenticator
# app, recovery codes, a passkey), in the service's words (templates/account/email/password_*,
# templates/mfa/email/): if it was not them, that email is how they find out.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Lockouts are django-axes' job (per account, visible to the authority's admin); allauth's own
# limit stays only as a per-address brake on password spraying.
ACCOUNT_RATE_LIMITS = {"login_failed": "30/m/ip"}
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300

# Second factor for every account (DfE cyber security standard for schools).
# Passkeys (WebAuthn) are an extra second step beside the app, never instead of it: they need
# JavaScript and the device they were made on, and the app works without either
# (docs/adr/003-second-factor.md). So no passwordless sign-in: the password, with its
# django-axes lockout, always comes first.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_PASSKEY_SIGNUP_ENABLED = False
MFA_ADAPTER = "schools.adapters.MFAAdapter"
# The passkey forms with the service's wording, and a failed passkey audited like a wrong code;
# a wrong code, after the password or before a download, counts towards the account's lockout
# (django-axes).
MFA_FORMS = {
    "authenticate": "schools.forms.SecondStepForm",
    "reauthenticate": "schools.forms.ReauthenticateCodeForm",
    "add_webauthn": "schools.forms.AddPasskeyForm",
    "edit_webauthn": "schools.forms.RenamePasskeyForm",
    "authenticate_webauthn": "schools.forms.PasskeyAuthenticateForm",
    "reauthenticate_webauthn": "schools.forms.PasskeyReauthenticateForm",
}
# Keys for authenticator secrets at rest (schools/secrets.py): the first encrypts, each decrypts.
# Set them apart from SECRET_KEY in production, so that replacing one leaves the other alone.
MFA_SECRET_KEYS = env.list("MFA_SECRET_KEYS", default=[]) or [SECRET_KEY]
if not DEBUG and any(_guessable(key) for key in MFA_SECRET_KEYS):
    raise ImproperlyConfigured(
        "MFA_SECRET_KEYS holds a key too easy to guess: use at least 50 random characters for "
        "each key."
    )
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Safeguarding concerns")

# Lockout: 5 failures for an account within 15 minutes pause its sign-in for 15 minutes. A
# wrong password and a wrong code from the app (schools.forms._CodeCountsTowardsLockout), at
# sign-in or before a download, each count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "schools.adapters.axes_username"
AXES_RESET_ON_SUCCESS = True
# A try while paused is refused but does not start the 15 minutes again: the page says to wait
# 15 minutes, and someone trying every few minutes would otherwise never get back in. No more
# guesses are allowed either way: every try while paused is refused, the right password too.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "account/locked_out.html"
AXES_LOCKOUT_CALLABLE = "schools.adapters.locked_out"  # the template, with the time left
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# A failed sign-in's query string and form are kept with the attempt: never the address asked
# for (`next`, which may hold a search for a child's name) nor the email address typed.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "login", "next", "code"]
# Not in Django's admin: deleting an attempt there clears a lockout, and deleting the logs erases
# sign-in history, with no audit row. Lockouts are cleared on the LA admin's page, audited, and
# the audit trail (read-only in the admin) holds every sign-in, failure and lockout.
AXES_ENABLE_ADMIN = False
# Lockouts are per account by design: locking by address would lock out a whole school behind
# one NAT address after five typos. allauth's per-address rate limit covers password spraying.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The audit report's covering index (audit.AuditEvent) carries extra columns PostgreSQL
    # reads; SQLite ignores them, which is all models.W040 says. Printed by every `make run`
    # and `make lint` on the default database, it read as something to fix.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# Sessions end after 12 hours however active they are.
SESSION_ABSOLUTE_AGE = timedelta(hours=env_int("SESSION_ABSOLUTE_HOURS", 12))

SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Shared by every app server: one-time codes, rate limits.
# A message after a redirect ("Amelia Ahmed has been added") is kept in the session, on the
# server: Django's default keeps it in a cookie, signed but readable, in the browser.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "cache_entries",
    }
}
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60)
# The idle expiry is moved on at most once a minute (safeguarding.middleware), not by saving the
# session on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_INTERVAL = timedelta(minutes=1)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
# A form refused for a stale token (signed in again in another tab) keeps what was typed.
CSRF_FAILURE_VIEW = "safeguarding.errors.csrf_failure"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer checks each server over plain http, behind the proxy that terminates TLS: a
# redirect would read as the server being down. The health page holds nothing about anyone.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)
# No inline script or style anywhere; the QR code for the authenticator app is a data: image.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
        "manifest-src": ["'self'"],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Whose address a request comes from, for allauth's per-address limits on sign-in and password
# resets and for the audit trail (audit.context): behind the proxy every request reaches
# gunicorn from the proxy's own address, so counted by it one person's wrong passwords would
# stop the whole authority signing in. The person's is the one the last of our proxies wrote
# into X-Forwarded-For; without a proxy that header is anyone's to send, and is not read.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if BEHIND_TLS_PROXY else 0)

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
if (
    not DEBUG
    and EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
    and EMAIL_HOST_PASSWORD
    and not EMAIL_USE_TLS
    and EMAIL_HOST not in {"localhost", "127.0.0.1", "::1"}
):
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS must be true to sign in to a mail server on another machine: the "
        "EMAIL_HOST_PASSWORD, and every password-reset link, would cross the network in clear."
    )
# Send notification emails in a background thread after commit, so nobody waits for the mail
# server. Off only in the test suite, which delivers them in line to look at them.
NOTIFICATIONS_IN_BACKGROUND = env_bool("NOTIFICATIONS_IN_BACKGROUND", True)
# Off DEBUG, the service's own domain: mail servers refuse a sender "@localhost", and every
# email would wait in the outbox for good.
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL",
    default=f"safeguarding@{'localhost' if DEBUG else urlsplit(SITE_URL).hostname}",
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Hashed, compressed file names in production (run collectstatic); plain files in development.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "safeguarding.static_files.StaticFiles"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# Uploaded attachments: a private directory, never under static/ and never served by URL. They
# are read back only through the attachment download view, which checks scope and audits.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
PUPIL_IMPORT_MAX_BYTES = env_int("PUPIL_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
# No more of a file is kept than the largest these take, however much is sent
# (safeguarding/uploads.py); and one file a request, as every form of the service takes one.
FILE_UPLOAD_HANDLERS = [
    "safeguarding.uploads.OversizedFileHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_NUMBER_FILES = 1
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").strip().upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR or CRITICAL, "
        f"not {env.str('LOG_LEVEL')!r}."
    )

# One handler, whose lines carry no exception's message (safeguarding/logs.py). Django's own
# "django" logger loses its mail_admins handler: a server error's email would hold the form
# that was sent and the code's variables, a child's record among them, if ADMINS were set.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"()": "safeguarding.logs.WithoutMessages"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    # Never below INFO: Django's DEBUG lines hold SQL with its parameters, a child's name in them.
    "loggers": {
        "django": {
            "handlers": [],
            "level": "INFO" if LOG_LEVEL == "DEBUG" else LOG_LEVEL,
            "propagate": True,
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}
