"""Settings, read from the environment (12-factor).

Nothing set gives the embedded default: a SQLite file, a local-memory cache, Celery tasks run
eagerly, DEBUG on and a generated development secret, so that `make run` works with Python alone.

- ``DATABASE_URL``   PostgreSQL (``postgres://user@host:5432/name``).
- ``REDIS_URL``      Redis as Celery broker, result backend and cache.
- ``DATABASE_REPLICA_URL``  a read replica for dashboards and reports (``agency.db.routers``).
- ``CROSSING_DATABASE_URL``  the same database as the crossing role (``DATABASE_CROSSING_ROLE``,
  default ``agency_crossing``), for cross-agency work only (``agency.db.routers``, ``agency.rls``).
- ``TENANT_CONTEXT_KEY``  signs the agency each transaction names for row-level security
  (``agency.rls``); derived from ``DJANGO_SECRET_KEY`` unless set. ``migrate`` stores it.
- ``ANSWER_CACHE``   computed answers kept in Redis until a table they read is written
  (``agency.answer_cache``); on by default with ``REDIS_URL``. ``ANSWER_CACHE_STATS`` counts the
  answers served and computed, for the benchmarks (``bench/load.py``).
- ``DJANGO_ENV=production``  secure settings: ``DJANGO_SECRET_KEY`` required, DEBUG off,
  secure cookies, HSTS, ``DJANGO_ALLOWED_HOSTS`` from the environment.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


# Commands that change the schema run as the tables' owner (see MIGRATION_DATABASE_URL).
OWNER_COMMANDS = {"migrate", "makemigrations", "flush", "createcachetable", "sqlflush"}


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


PRODUCTION = env("DJANGO_ENV", "development") == "production"


def _development_secret() -> str:
    """A random secret kept in a git-ignored file, so sessions survive a restart of `make run`."""
    path = BASE_DIR / ".dev-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env("DJANGO_SECRET_KEY")
    if not SECRET_KEY:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production.")
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY") or _development_secret()

# Signs the tenant context the application hands PostgreSQL (agency.rls): the row-level security
# policies accept the agency (and a client person's client) a transaction names only with its MAC,
# HMAC-SHA256 under this key, which ``migrate`` stores where the web role cannot read it. Derived
# from SECRET_KEY unless set; every process (web, worker, beat) must hold the key ``migrate`` stored.
TENANT_CONTEXT_KEY = (
    env("TENANT_CONTEXT_KEY")
    or hmac.new(SECRET_KEY.encode(), b"agency.rls.tenant-context-key", hashlib.sha256).hexdigest()
)

DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # recovery codes of two-step sign-in
    # The tenant core, then the apps in the order of the standard's chapters.
    "agency",
    "clients",
    "production",
    "accounts_ops",
    "extensions",
    "records",
    "evaluation",
    # The connectors to the platforms, above the chapter apps whose ingest services they feed.
    "platforms",
    # The features over every app: conformance reports, an agency's export and import, demo and
    # scale seeding; the search over every app.
    "reports",
    "portability",
    "demo",
    "search",
    # Notifications (in-app, e-mail, group bots), raised from the chapter apps' events.
    "notifications",
]

MIDDLEWARE = [
    # Outermost: the database away answers 503 (JSON under /api/), any API error JSON.
    "agency.middleware.ServiceUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    *(["whitenoise.middleware.WhiteNoiseMiddleware"] if PRODUCTION else []),
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether the session passed the second step of signing in (django-otp); TwoStepMiddleware below
    # keeps people who must sign in with two steps from everything else until it has.
    "django_otp.middleware.OTPMiddleware",
    # The signed-in person's chosen language, over the cookie and the browser's.
    "agency.middleware.PersonLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "agency.middleware.TwoStepMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A session idle past its agency's limit is signed out (agency/sessions.py).
    "agency.sessions.IdleSessionMiddleware",
    "agency.middleware.TenantMiddleware",
    # Last: turns a lockout into a clear 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"

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
                "agency.context_processors.tenant",
                "notifications.context_processors.bell",
            ],
        },
    },
]

# Forms open with one error summary (agency.forms.FormRenderer).
FORM_RENDERER = "agency.forms.FormRenderer"

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default: the web server, the worker and beat share the file. Write-ahead logging
    # lets reads go on beside a write; a transaction takes the write lock when it begins (and waits
    # for it up to 30 s), so two never fail on upgrading a read lock to a write lock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Offers the tenant context to the audit trail's triggers (agency.db.sqlite3).
    DATABASES["default"]["ENGINE"] = "agency.db.sqlite3"
# Every request runs in one transaction: a failed write leaves nothing half-done, and the
# PostgreSQL tenant setting (SET LOCAL) lives exactly as long as the request.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# The application connects as its own role, which row-level security binds; migrations run as the
# tables' owner (MIGRATION_DATABASE_URL), and grant the application's role data access only.
MIGRATION_DATABASE_URL = env("MIGRATION_DATABASE_URL")
DATABASE_APP_ROLE = None
if USING_POSTGRES:
    # PostgreSQL with the tenant context passed to the database per transaction (agency.db).
    DATABASES["default"]["ENGINE"] = "agency.db.postgresql"
    if MIGRATION_DATABASE_URL:
        owner = dj_database_url.parse(MIGRATION_DATABASE_URL)
        if owner["USER"] != DATABASES["default"]["USER"]:
            DATABASE_APP_ROLE = DATABASES["default"]["USER"]
        if len(sys.argv) > 1 and sys.argv[1] in OWNER_COMMANDS:
            DATABASES["default"].update({k: owner[k] for k in ("NAME", "USER", "PASSWORD", "HOST", "PORT")})

# A read replica for dashboards and reports (agency.db.routers): the same role and settings as
# DATABASE_URL, on the replica's host. Only reads that opt in (``replica_reads()``) go there.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    if DATABASES["replica"]["ENGINE"].endswith("postgresql"):
        DATABASES["replica"]["ENGINE"] = "agency.db.postgresql"
    # Opt-in blocks open their own transaction there; in tests the replica is the test database.
    DATABASES["replica"]["ATOMIC_REQUESTS"] = False
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# Cross-agency work (the platform admin, beat's fan-outs, webhooks and public links finding their
# agency, commands) runs as the crossing role, the one role row-level security lets past every
# agency (agency.rls), which the application's role must not be able to become. In production it
# logs in on a connection of its own, the ``all_agencies`` alias (CROSSING_DATABASE_URL, the same
# database as DATABASE_URL); without one, the default connection switches to the crossing role for
# those statements, which only a member of it may (the tables' owner; never the web role).
DATABASE_CROSSING_ROLE = env("DATABASE_CROSSING_ROLE")
CROSSING_DATABASE_URL = env("CROSSING_DATABASE_URL")
if not DATABASE_CROSSING_ROLE:
    DATABASE_CROSSING_ROLE = (
        dj_database_url.parse(CROSSING_DATABASE_URL)["USER"] if CROSSING_DATABASE_URL else ""
    ) or "agency_crossing"
if USING_POSTGRES:
    if CROSSING_DATABASE_URL and not (len(sys.argv) > 1 and sys.argv[1] in OWNER_COMMANDS):
        DATABASES["all_agencies"] = dj_database_url.parse(
            CROSSING_DATABASE_URL,
            conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
        DATABASES["all_agencies"]["ENGINE"] = "agency.db.postgresql"
        # Crossing work opens its own transactions there (the admin's saves, a command's batch).
        DATABASES["all_agencies"]["ATOMIC_REQUESTS"] = False
    else:
        DATABASES["default"]["CROSSING_ROLE"] = DATABASE_CROSSING_ROLE
DATABASE_ROUTERS = ["agency.db.routers.CrossingRouter", "agency.db.routers.ReplicaRouter"]
# Behind PgBouncer in transaction mode (docs/scaling.md): a server connection serves another
# client after every transaction, so nothing may outlive one. The tenant context is transaction-
# local already; server-side cursors (held across fetches) and prepared statements (kept per
# server connection) are turned off.
DATABASE_PGBOUNCER = env_bool("DATABASE_PGBOUNCER", False)
if DATABASE_PGBOUNCER:
    for alias in DATABASES:
        DATABASES[alias]["DISABLE_SERVER_SIDE_CURSORS"] = True
        if DATABASES[alias]["ENGINE"].startswith("agency.db.postgresql"):
            DATABASES[alias].setdefault("OPTIONS", {})["prepare_threshold"] = None

# --- Cache and Celery -----------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "agency.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Computed answers (dashboards, lists, the actor of an API token) kept until a table they read is
# written (agency.answer_cache). Only with a cache every process shares: a per-process memory
# cache would not see another process's writes.
ANSWER_CACHE = env_bool("ANSWER_CACHE", bool(REDIS_URL))
ANSWER_CACHE_STATS = env_bool("ANSWER_CACHE_STATS", False)  # count answers served and computed (benchmarks)
ANSWER_CACHE_SECONDS = int(env("ANSWER_CACHE_SECONDS", "600"))  # the longest an answer is kept
ANSWER_CACHE_REPLICA_SECONDS = int(env("ANSWER_CACHE_REPLICA_SECONDS", "10"))  # computed on a lagging replica
# The release of the code (e.g. its version or commit): processes of one release share their cached
# answers; empty: each process keeps its own, so no answer outlives the code that made it.
RELEASE = env("RELEASE", "")

# Without Redis (the embedded default), the broker is a SQLite file beside the database, which
# needs no server (kombu's SQLAlchemy transport): `make run` starts a real worker and beat on it,
# so tasks run asynchronously and the schedule runs as in production, on one machine. Such a
# broker holds no task results (the product reads none) and a message a worker took is handed
# back only at that worker's warm shutdown; a worker killed outright leaves the tasks it started
# to the outbox's recovery (agency.background). Redis is the broker for more than one machine.
_EMBEDDED_DIR = (
    Path(DATABASES["default"]["NAME"]).parent if DATABASES["default"]["ENGINE"].endswith("sqlite3") else BASE_DIR
)
EMBEDDED_BROKER_PATH = Path(env("EMBEDDED_BROKER_PATH", str(_EMBEDDED_DIR / "celery-broker.sqlite3")))
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or REDIS_URL or f"embedded+sqlite:///{EMBEDDED_BROKER_PATH}"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Tasks run in the process that sends them only when asked (the unit tests ask, per test).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "celery")
# Queues per kind of work, so that each kind scales with its own workers (docs/scaling.md). With
# CELERY_QUEUES_BY_KIND on, start one worker (or several) per queue: `celery -A project worker -Q
# ingest`, `-Q media`, `-Q reports`, `-Q scheduled`, and one on the default queue for the rest.
CELERY_QUEUES_BY_KIND = env_bool("CELERY_QUEUES_BY_KIND", False)
QUEUES_BY_KIND = {
    "ingest": ["accounts_ops.tasks.data_import_run_task", "accounts_ops.tasks.comments_classify_task"],
    "media": [
        "production.tasks.clip_probe_task",
        "production.tasks.cut_probe_task",
        "production.tasks.probe_requeue_task",
        "production.tasks.media_sweep_task",
    ],
    "reports": [
        "agency.tasks.conformance_report_build_task",
        "records.tasks.report_build_task",
        "records.tasks.export_task",
        "records.tasks.monthly_reports_task",
        "accounts_ops.tasks.persona_reports_batch_task",
    ],
    # Beat's fan-outs: one small task per agency each, never behind a long report.
    "scheduled": ["*_all_agencies_task"],
}
if CELERY_QUEUES_BY_KIND:
    CELERY_TASK_ROUTES = {name: {"queue": queue} for queue, names in QUEUES_BY_KIND.items() for name in names}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Shanghai"
# A message delivered to a worker that dies before acknowledging it (killed, its machine lost) is
# delivered again by Redis after this many seconds. It must exceed the longest task plus the
# longest retry countdown (BaseTask.retry_backoff_max), or a task still running or waiting for its
# retry is delivered twice (harmless, tasks are idempotent, but wasted work).
# A task whose worker was lost while running it is sent again sooner, by the outbox's relay, once
# that worker has shown no sign of life for two minutes (agency.background).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(env("CELERY_VISIBILITY_TIMEOUT", "3600"))}
if CELERY_BROKER_URL.startswith("embedded+"):
    # agency.broker: wait for the file's lock instead of failing at once while another process writes.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"connect_args": {"timeout": 30}}
    # honcho stops `make run` with SIGTERM to each process's group, so a worker's pool process dies
    # with the task it holds (a terminal's Ctrl+C sends SIGINT, which pool processes ignore). The
    # warm shutdown then waits this long for that task's result before it hands the message back
    # (Celery's default: 10 s); its pool process is on the same machine, whose result is there at
    # once, and the wait must end within honcho's grace (5 s) before it kills the worker.
    CELERY_WORKER_LOST_WAIT = 1.0
# The scheduler: beat's persistent schedule in this file, plus signs of life for the health report
# and the first run of a never-run entry at once (agency.background.Scheduler).
CELERY_BEAT_SCHEDULER = "agency.background:Scheduler"
CELERY_BEAT_SCHEDULE_FILENAME = env("CELERY_BEAT_SCHEDULE_FILE", str(_EMBEDDED_DIR / "celerybeat-schedule"))
# The most address space (MiB) one worker process may use; 0 for no limit. Reading an uploaded
# video (FFmpeg) is the one job whose memory a user's file decides: a file that needs more fails
# its reading ("unreadable") instead of taking the machine down. Applied in each pool process as it
# starts (agency.celery); set it on the workers of the media queue (CELERY_QUEUES_BY_KIND).
CELERY_WORKER_MEMORY_LIMIT_MB = int(env("CELERY_WORKER_MEMORY_LIMIT_MB", "0"))
# Sending a task first subscribes to its result; with Redis away that retries 20 times over 20
# seconds by default, holding the request that sent it. Give up after about a second instead: the
# task is kept in the outbox and relayed (agency.outbox), and the product reads no task results.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 2}}
# The one beat schedule. Fan-out tasks enqueue one task per agency, which runs in its context.
# Each app adds its entries under its own heading.
# --- Platform connectors (platforms/) --------------------------------------------------------------
# Each platform's open API: its base URL and the agency installation's app on it (client key and
# secret from the platform's developer console). Outside production the local simulator of the
# platforms' documented APIs stands in (`python -m platforms.simulator`, started by `make run`);
# production talks to the real platforms and needs each platform's app credentials.
PLATFORM_SIMULATOR_URL = env("PLATFORM_SIMULATOR_URL", "http://127.0.0.1:8900")
PLATFORMS = {
    "douyin": {
        "base_url": env(
            "DOUYIN_BASE_URL", "https://open.douyin.com" if PRODUCTION else PLATFORM_SIMULATOR_URL + "/douyin"
        ),
        "client_key": env("DOUYIN_CLIENT_KEY", "" if PRODUCTION else "sim-douyin-app"),
        "client_secret": env("DOUYIN_CLIENT_SECRET", "" if PRODUCTION else "sim-douyin-secret"),
    },
    "tiktok": {
        "base_url": env(
            "TIKTOK_BASE_URL", "https://open.tiktokapis.com" if PRODUCTION else PLATFORM_SIMULATOR_URL + "/tiktok"
        ),
        "client_key": env("TIKTOK_CLIENT_KEY", "" if PRODUCTION else "sim-tiktok-app"),
        "client_secret": env("TIKTOK_CLIENT_SECRET", "" if PRODUCTION else "sim-tiktok-secret"),
    },
}
# Fernet keys that encrypt the platforms' tokens at rest, comma-separated, newest first (rotation:
# platforms.crypto). Without them a key is derived from SECRET_KEY (a system check warns in production).
PLATFORM_TOKEN_KEYS = env_list("PLATFORM_TOKEN_KEYS")
PLATFORM_HTTP_TIMEOUT = float(env("PLATFORM_HTTP_TIMEOUT", "10"))

CELERY_BEAT_SCHEDULE = {
    # clients
    "clients-contract-status-daily": {
        "task": "clients.tasks.contract_status_all_agencies_task",
        "schedule": crontab(hour=0, minute=10),
    },
    # agency (the tenant core); the relay sends the tasks whose write committed while the broker
    # was down (agency.outbox)
    "agency-outbox-relay": {
        "task": "agency.tasks.outbox_relay_task",
        "schedule": crontab(minute="*"),
        # After an outage of the workers, one relay run catches up; the minutes missed need no run each.
        "options": {"expires": 55},
    },
    "conformance-snapshot-monthly": {
        "task": "agency.tasks.conformance_snapshot_all_agencies_task",
        "schedule": crontab(day_of_month=1, hour=1, minute=0),
    },
    # the monthly partitions of the daily metric tables, a year ahead (agency.partitions), as the
    # tables' owner: the worker that runs it needs MIGRATION_DATABASE_URL
    "agency-monthly-partitions": {
        "task": "agency.tasks.monthly_partitions_task",
        "schedule": crontab(day_of_month=1, hour=2, minute=15),
    },
    # the kept conformance results whose day has passed, computed again (reports.evidence)
    "conformance-refresh": {
        "task": "reports.tasks.conformance_refresh_all_agencies_task",
        "schedule": crontab(minute="*/15"),
    },
    # production (ch.5)
    "production-probe-requeue": {
        "task": "production.tasks.probe_requeue_all_agencies_task",
        "schedule": crontab(minute="*/15"),
    },
    "production-media-sweep-daily": {
        "task": "production.tasks.media_sweep_all_agencies_task",
        "schedule": crontab(hour=3, minute=40),
    },
    # accounts_ops (ch.6-7)
    "accounts-ops-boost-tasks-daily": {
        "task": "accounts_ops.tasks.boost_tasks_all_agencies_task",
        "schedule": crontab(hour=6, minute=0),
    },
    "accounts-ops-opinion-alerts-hourly": {
        "task": "accounts_ops.tasks.opinion_alerts_all_agencies_task",
        "schedule": crontab(minute=5),
    },
    "accounts-ops-persona-reports-daily": {
        "task": "accounts_ops.tasks.persona_reports_all_agencies_task",
        "schedule": crontab(hour=4, minute=30),
    },
    # platforms (the connectors): tokens refreshed before they expire, each connection synced every
    # night (and its deliveries retried when they are due)
    "platforms-refresh-hourly": {
        "task": "platforms.tasks.refresh_all_agencies_task",
        "schedule": crontab(minute=20),
    },
    "platforms-sync-nightly": {
        "task": "platforms.tasks.sync_all_agencies_task",
        "schedule": crontab(hour=2, minute=30),
    },
    "platforms-deliveries-due": {
        "task": "platforms.tasks.deliveries_due_all_agencies_task",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},
    },
    "platforms-publications-review": {
        "task": "platforms.tasks.publications_review_all_agencies_task",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 290},
    },
    # notifications: near-deadline kinds raised from what is due, bots retried, the daily digest
    "notifications-due-hourly": {
        "task": "notifications.tasks.due_all_agencies_task",
        "schedule": crontab(minute=15),
    },
    "notifications-webhooks-retry": {
        "task": "notifications.tasks.webhooks_retry_all_agencies_task",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},
    },
    "notifications-digest-daily": {
        "task": "notifications.tasks.digest_all_agencies_task",
        "schedule": crontab(hour=0, minute=50),
    },
    # extensions (ch.8)
    # records (ch.9)
    "records-inspection-lists-daily": {
        "task": "records.tasks.inspections_create_all_agencies_task",
        "schedule": crontab(hour=0, minute=20),
    },
    "records-monthly-reports": {
        "task": "records.tasks.monthly_reports_all_agencies_task",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
    },
    # evaluation (ch.10)
    "evaluation-yearly-daily": {
        "task": "evaluation.tasks.yearly_evaluation_all_agencies_task",
        "schedule": crontab(hour=1, minute=5),
    },
    "evaluation-survey-schedule-daily": {
        "task": "evaluation.tasks.survey_schedule_all_agencies_task",
        "schedule": crontab(hour=1, minute=20),
    },
    "evaluation-complaints-escalate-hourly": {
        "task": "evaluation.tasks.complaints_escalate_all_agencies_task",
        "schedule": crontab(minute=15),
    },
}

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # No composition rules (ASVS 6.2.5): no NumericPasswordValidator; words tied to the service are refused.
    {"NAME": "agency.passwords.ContextWordsValidator"},
]
# Brute-force protection (django-axes, agency/lockout.py), on the pages, the admin and the API's token
# endpoint alike, within AXES_COOLOFF_TIME: AXES_FAILURE_LIMIT failures of one username from one address,
# SIGNIN_FAILURE_LIMIT_PER_ADDRESS from one address across usernames (spraying), and
# SIGNIN_FAILURE_LIMIT_PER_USERNAME for one username across addresses. Known and unknown usernames alike.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]  # agency.lockout's order
AXES_HANDLER = "agency.lockout.LockoutHandler"
SIGNIN_FAILURE_LIMIT_PER_ADDRESS = int(env("SIGNIN_FAILURE_LIMIT_PER_ADDRESS", "20"))
SIGNIN_FAILURE_LIMIT_PER_USERNAME = int(env("SIGNIN_FAILURE_LIMIT_PER_USERNAME", "10"))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Two-step sign-in (django-otp: TOTP, and single-use recovery codes), required for agency admins and
# the platform admin (agency.twofactor): the name authenticator apps show.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "Short-video agency")
AXES_VERBOSE = False
# A session ends this many hours after its sign-in however active (agency/sessions.py; each agency
# sets the idle limit, "session_idle_minutes"). Django's own cookie age stays above it.
SESSION_MAX_HOURS = int(env("SESSION_MAX_HOURS", "12"))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "agency" / "locale"]
TIME_ZONE = "Asia/Shanghai"
# Thousands grouped in Chinese too (agency/formats/zh_Hans/formats.py).
FORMAT_MODULE_PATH = ["agency.formats"]
USE_I18N = True
USE_TZ = True
# The words list filters add to a field's name ("due date is less than or equal to"), in our own
# catalogue: django-filter ships none for zh_Hans.
FILTERS_VERBOSE_LOOKUPS = {
    "exact": "",
    "iexact": "",
    "contains": _("contains"),
    "icontains": _("contains"),
    "in": _("is in"),
    "gt": _("is greater than"),
    "gte": _("is greater than or equal to"),
    "lt": _("is less than"),
    "lte": _("is less than or equal to"),
    "startswith": _("starts with"),
    "istartswith": _("starts with"),
    "range": _("is in range"),
    "isnull": _("is empty"),
    "date": _("date"),
}

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "agency" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Size limits of uploads per kind, in bytes, over the defaults beside each kind's rule
# (agency/uploads.py): "photo=20971520,document=10485760"; kinds: profile_image, photo, cover,
# subtitles, document, import (files of platform data); clips: the agency's own setting.
UPLOAD_MAX_BYTES = {
    kind.strip(): int(size) for kind, size in (item.split("=", 1) for item in env_list("UPLOAD_MAX_BYTES"))
}

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that an anonymous request is answered 401 with WWW-Authenticate.
        "agency.api.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["agency.permissions.RolePermission"],
    # DRF's parsers; the multipart one refuses a body without its boundary (agency.api.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "agency.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "agency.api.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "agency.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "agency.api.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "agency.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# API tokens (agency.tokens): a personal token lasts API_TOKEN_DAYS (then it is refreshed, or a new
# one asked for); an integration token's expiry is chosen when it is made, at most
# INTEGRATION_TOKEN_MAX_DAYS away. When a token was last used is noted at most every
# TOKEN_LAST_USED_EVERY seconds.
API_TOKEN_DAYS = int(env("API_TOKEN_DAYS", "30"))
INTEGRATION_TOKEN_MAX_DAYS = int(env("INTEGRATION_TOKEN_MAX_DAYS", "365"))
TOKEN_LAST_USED_EVERY = int(env("TOKEN_LAST_USED_EVERY", "60"))
# /api/schema/ and /api/docs/ answer anyone only when API_SCHEMA_PUBLIC; else a signed-in person.
API_SCHEMA_PUBLIC = env_bool("API_SCHEMA_PUBLIC", not PRODUCTION)
SPECTACULAR_SETTINGS = {
    "TITLE": "Short-video agency operations API",
    "DESCRIPTION": (
        "Runs an agency's short-video service as T/CASME 短视频平台代运营服务规范 describes it. "
        "Every request acts inside one agency: send `X-Agency: <slug>` when your login belongs "
        "to more than one."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["agency.api.schema.SchemaAccess"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for a choice set that several fields share.
    "ENUM_NAME_OVERRIDES": {
        "SentConfirmationEnum": "accounts_ops.models.SentConfirmation",
        "DataImportKindEnum": "accounts_ops.models.imports.ImportKind",  # (a data import's, and its upload's)
        "PlatformEnum": "clients.models.Platform",
        # a bulk row's platform, by any of its names
        "PlatformNameEnum": "accounts_ops.api.imports_fields.PLATFORM_NAMES",
    },
    # A change's own component (``...UpdateRequest``) names its choice sets as its row's does.
    "POSTPROCESSING_HOOKS": ["agency.api.openapi.postprocess_schema_enums"],
}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REFERRER_POLICY = "same-origin"

# The earlier name of the import limit (UPLOAD_MAX_BYTES=import=...), still read when that says nothing.
if env("ACCOUNTS_OPS_IMPORT_MAX_BYTES"):
    UPLOAD_MAX_BYTES.setdefault("import", int(env("ACCOUNTS_OPS_IMPORT_MAX_BYTES")))

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", "no-reply@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    # Every platform request would be a line (with the account's open_id in its URL); the connectors
    # log what matters themselves (platforms.services), without tokens.
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}
