"""Django and Celery settings: the only module that reads the environment.

Every default runs on one laptop with no server (SQLite, a filesystem broker,
files under var/); each has an environment variable that points it at a real
engine in production. `.env.example` lists them all.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-local-development-key")
# Seals PDF passwords while their conversion waits or runs (backend/sealing.py): a Fernet
# key (Fernet.generate_key()); empty derives one from SECRET_KEY. Web and workers share it.
PDF_PASSWORD_KEY = os.environ.get("PDF_PASSWORD_KEY", "")
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django_celery_beat",
    "django_celery_results",
    "backend",
]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")


def _sqlite_database(path: Path) -> dict:
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock
    # at BEGIN so two writers queue on the busy timeout instead of failing with
    # "database is locked" halfway through a transaction.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
        # A file, not memory, so worker threads and processes see the test data.
        "TEST": {"NAME": str(path.with_name("test-" + path.name))},
    }


def _database(url: str | None) -> dict[str, Any]:
    if not url:
        return _sqlite_database(VAR_DIR / "db.sqlite3")
    if url.startswith("sqlite:"):
        return _sqlite_database(Path(dj_database_url.parse(url)["NAME"]).resolve())
    return dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))


DATABASES = {"default": _database(os.environ.get("DATABASE_URL"))}

# S3, for files and for load staging. Without keys boto3 finds credentials itself
# (instance role, AWS_* variables, profile); S3_ENDPOINT_URL is for S3-compatible stores.
S3_REGION = os.environ.get("S3_REGION", "")
S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")
S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID", "")
S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY", "")

MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded PDFs and produced CSVs: on S3 when FILES_S3_BUCKET is set, so workers on
# several machines share them; else under MEDIA_ROOT.
FILES_S3_BUCKET = os.environ.get("FILES_S3_BUCKET", "")
_S3_STORAGE = "storages.backends.s3.S3Storage"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": os.environ.get(
            "FILE_STORAGE_BACKEND",
            _S3_STORAGE if FILES_S3_BUCKET else "django.core.files.storage.FileSystemStorage",
        ),
    },
}
if FILES_S3_BUCKET and STORAGES["default"]["BACKEND"] == _S3_STORAGE:
    STORAGES["default"]["OPTIONS"] = {
        "bucket_name": FILES_S3_BUCKET,
        "location": os.environ.get("FILES_S3_PREFIX", "files"),
        "region_name": S3_REGION or None,
        "endpoint_url": S3_ENDPOINT_URL or None,
        "access_key": S3_ACCESS_KEY_ID or None,
        "secret_key": S3_SECRET_ACCESS_KEY or None,
        "addressing_style": "path" if S3_ENDPOINT_URL else None,
        "file_overwrite": False,  # a second upload of report.pdf gets its own name
    }
# Both limits match .streamlit/config.toml's server.maxUploadSize (megabytes).
UPLOAD_MAX_MB = int(os.environ.get("UPLOAD_MAX_MB", "200"))
# Uploaded CSV files: a file past one of these is refused naming the line, so that reading it
# stays bounded in memory whatever its shape. Redshift holds at most 1,600 columns and
# 65,535 bytes in a VARCHAR.
CSV_MAX_COLUMNS = int(os.environ.get("CSV_MAX_COLUMNS", "1600"))
CSV_MAX_FIELD_CHARS = int(os.environ.get("CSV_MAX_FIELD_CHARS", "65535"))
CSV_MAX_LINE_CHARS = int(os.environ.get("CSV_MAX_LINE_CHARS", "1000000"))
# A table's column facts (its profile) are read by a worker, never by the web process; a
# table still without them after this long is asked for again (the request may be lost).
TABLE_PROFILE_ASK_AGAIN_S = 300

WAREHOUSE_URL = os.environ.get("WAREHOUSE_URL", f"sqlite:///{VAR_DIR / 'warehouse.sqlite3'}")
# Redshift loads write gzip CSV parts to this bucket and COPY them (without a bucket they
# INSERT). COPY reads as LOAD_S3_IAM_ROLE, or else with the S3 credentials above.
LOAD_S3_STAGING = {
    "bucket": os.environ.get("LOAD_S3_BUCKET", ""),
    "prefix": os.environ.get("LOAD_S3_PREFIX", "load-staging/"),
    "iam_role": os.environ.get("LOAD_S3_IAM_ROLE", ""),
    "part_mb": float(os.environ.get("LOAD_S3_PART_MB", "16")),
    "region": S3_REGION,
    "endpoint_url": S3_ENDPOINT_URL,
    "access_key_id": S3_ACCESS_KEY_ID,
    "secret_access_key": S3_SECRET_ACCESS_KEY,
}

# Sign-in: Django's users, password hashers and database sessions (no Django admin is served).
# A session ends after this many seconds, or at sign-out in every tab.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# After SIGN_IN_MAX_FAILURES failed sign-ins within SIGN_IN_LOCKOUT_S seconds, for one user
# name or from one client address, sign-in is refused there until the window has passed.
SIGN_IN_MAX_FAILURES = int(os.environ.get("SIGN_IN_MAX_FAILURES", "5"))
SIGN_IN_LOCKOUT_S = int(os.environ.get("SIGN_IN_LOCKOUT_S", "900"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

# The filesystem broker's folder (queue and control messages); other brokers ignore it.
BROKER_DIR = Path(os.environ.get("BROKER_DIR", VAR_DIR / "broker")).resolve()
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://localhost//")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem"):
    for sub in ("queue", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        # A queued task starts within a tenth of a second of being sent.
        "polling_interval": 0.1,
    }
    if os.environ.get("BROKER_KEEP_PROCESSED", "0") == "1":
        # Every message a worker took stays in var/broker/processed, to read what was sent.
        CELERY_BROKER_TRANSPORT_OPTIONS["store_processed"] = True
        CELERY_BROKER_TRANSPORT_OPTIONS["processed_folder"] = str(BROKER_DIR / "processed")
        (BROKER_DIR / "processed").mkdir(exist_ok=True)

CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "django-db")
# Messages survive a broker restart (RabbitMQ: durable queues, persistent messages; a send
# returns once the broker has the message).
CELERY_TASK_DEFAULT_DELIVERY_MODE = "persistent"
if CELERY_BROKER_URL.startswith(("amqp", "pyamqp")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"confirm_publish": True}
    if os.environ.get("CELERY_QUORUM_QUEUES", "0") == "1":
        # Replicated queues (RabbitMQ 3.8+): a message outlives the loss of one node.
        CELERY_TASK_DEFAULT_QUEUE_TYPE = "quorum"
        CELERY_WORKER_DETECT_QUORUM_QUEUES = True
CELERY_RESULT_EXTENDED = True
CELERY_TASK_TRACK_STARTED = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_CONCURRENCY = int(os.environ.get("CELERY_WORKER_CONCURRENCY", "2"))
# Long PDF conversions would otherwise sit prefetched behind one another.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The worker's timer thread sleeps this long between looks (Celery's default is 1 s), and a
# warm shutdown waits for it: at 0.1 s, Ctrl-C stops the worker well inside honcho's five
# seconds on a busy machine too. The thread wakes 10 times a second, which costs nothing.
CELERY_WORKER_TIMER_PRECISION = 0.1
CELERY_BEAT_SCHEDULER = "backend.beat:DatabaseScheduler"
# Beat wakes at least once a second, so an edited schedule is seen and fired on time.
CELERY_BEAT_MAX_LOOP_INTERVAL = 1

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"run": {"()": "backend.logs.RunIdFilter"}},
    "formatters": {
        "run": {"format": "%(asctime)s %(levelname)s run=%(run_id)s %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["run"], "formatter": "run"}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# PDF conversion. A document longer than CONVERSION_PARALLEL_MIN_PAGES is split
# into parts of CONVERSION_PART_PAGES pages that several worker processes convert
# at once. Time limits are per task (a part, or a whole short document).
CONVERSION_PART_PAGES = int(os.environ.get("CONVERSION_PART_PAGES", "50"))
CONVERSION_PARALLEL_MIN_PAGES = int(os.environ.get("CONVERSION_PARALLEL_MIN_PAGES", "100"))
CONVERSION_SOFT_TIME_LIMIT_S = int(os.environ.get("CONVERSION_SOFT_TIME_LIMIT_S", "600"))
# A longer PDF is refused (at upload when it opens there, else by the conversion) before a
# page is read: thousands of pages cost minutes and gigabytes for a table or two.
PDF_MAX_PAGES = int(os.environ.get("PDF_MAX_PAGES", "2000"))
# A conversion may grow its worker process by at most this much: a file that needs more
# (a decompression bomb) fails with one line instead of exhausting the machine. A pool
# process left larger than WORKER_MAX_MEMORY_MB after a task is replaced by a fresh one.
CONVERSION_MEMORY_MB = int(os.environ.get("CONVERSION_MEMORY_MB", "768"))
CELERY_WORKER_MAX_MEMORY_PER_CHILD = int(os.environ.get("WORKER_MAX_MEMORY_MB", "600")) * 1024
# A conversion task whose worker process was lost (killed, out of memory) is sent again
# this many times; then its run fails, naming the pages.
CONVERSION_MAX_RETRIES = int(os.environ.get("CONVERSION_MAX_RETRIES", "2"))

# Warehouse loads: an unreachable warehouse is retried with exponential backoff
# (LOAD_RETRY_BASE_S, doubled each time) before the run fails.
LOAD_MAX_RETRIES = int(os.environ.get("LOAD_MAX_RETRIES", "4"))
LOAD_RETRY_BASE_S = float(os.environ.get("LOAD_RETRY_BASE_S", "10"))
# Under 50 minutes, so that Redis's visibility timeout (below) can exceed every task's
# hard limit and still give a lost message back within the hour.
LOAD_SOFT_TIME_LIMIT_S = int(os.environ.get("LOAD_SOFT_TIME_LIMIT_S", "3000"))
# Beat sweeps away staged load files that a killed worker left behind.
LOAD_S3_SWEEP_EVERY_S = float(os.environ.get("LOAD_S3_SWEEP_EVERY_S", "3600"))
# Every RECONCILE_EVERY_S beat has a worker look for runs that are queued or running but
# whose task no worker and no queue holds, twice at least RUN_LOST_AFTER_S apart: such a
# run's task is sent again (RECONCILE_MAX_RESENDS times at most), then the run is closed.
RECONCILE_EVERY_S = float(os.environ.get("RECONCILE_EVERY_S", "30"))
RUN_LOST_AFTER_S = float(os.environ.get("RUN_LOST_AFTER_S", "60"))
RECONCILE_MAX_RESENDS = int(os.environ.get("RECONCILE_MAX_RESENDS", "2"))
# Expired sign-ins are deleted from the session table this often (Django leaves them).
SESSIONS_CLEAR_EVERY_S = float(os.environ.get("SESSIONS_CLEAR_EVERY_S", "3600"))
CELERY_BEAT_SCHEDULE = {
    "reconcile-runs": {"task": "reconcile_runs", "schedule": RECONCILE_EVERY_S},
    "clear-expired-sessions": {
        "task": "clear_expired_sessions",
        "schedule": SESSIONS_CLEAR_EVERY_S,
    },
}
if LOAD_S3_STAGING["bucket"]:
    CELERY_BEAT_SCHEDULE["sweep-load-staging"] = {
        "task": "sweep_load_staging",
        "schedule": LOAD_S3_SWEEP_EVERY_S,
    }
# Redis gives a message a worker took but never acknowledged (the worker died) back after
# the visibility timeout: longer than any task's hard limit, or a task still running would
# be delivered twice; under an hour. The reconciler usually sends such a task sooner.
# Hard limits: the soft limit plus the time a task needs to record why it stopped.
CONVERSION_HARD_TIME_LIMIT_S = CONVERSION_SOFT_TIME_LIMIT_S + 30
LOAD_HARD_TIME_LIMIT_S = LOAD_SOFT_TIME_LIMIT_S + 60
LONGEST_TASK_HARD_LIMIT_S = max(CONVERSION_HARD_TIME_LIMIT_S, LOAD_HARD_TIME_LIMIT_S)
if CELERY_BROKER_URL.startswith(("redis", "rediss")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(
            os.environ.get("REDIS_VISIBILITY_TIMEOUT_S", LONGEST_TASK_HARD_LIMIT_S + 240)
        )
    }
