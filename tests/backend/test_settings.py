"""Settings: embedded defaults on a laptop, environment overrides in production; files and load
staging stay off S3 until a bucket is named."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.processes import REPO

PROBE = """
import json
from backend import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "db_engine": db["ENGINE"], "db_name": str(db["NAME"]), "db_options": db.get("OPTIONS", {}),
    "db_host": db.get("HOST", ""), "broker": s.CELERY_BROKER_URL,
    "transport": s.CELERY_BROKER_TRANSPORT_OPTIONS, "results": s.CELERY_RESULT_BACKEND,
    "extended": s.CELERY_RESULT_EXTENDED, "track_started": s.CELERY_TASK_TRACK_STARTED,
    "media": str(s.MEDIA_ROOT), "warehouse": s.WAREHOUSE_URL, "secret": s.SECRET_KEY,
    "tz": s.TIME_ZONE, "upload_mb": s.UPLOAD_MAX_MB,
}))
"""


def load_settings(tmp_path, probe_script: str = PROBE, **env: str) -> dict:
    """Import the settings in a fresh interpreter with only `env` set; what `probe_script`
    prints of them."""
    base = {"PATH": "/usr/bin:/bin", "VAR_DIR": str(tmp_path / "var")}
    out = subprocess.run(
        [sys.executable, "-c", probe_script],
        cwd=REPO,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_defaults_need_no_server(tmp_path):
    s = load_settings(tmp_path)
    var = tmp_path / "var"
    assert s["db_engine"] == "django.db.backends.sqlite3"
    assert s["db_name"] == str(var / "db.sqlite3")
    assert s["db_options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in s["db_options"]["init_command"]
    assert s["db_options"]["timeout"] >= 5
    assert s["broker"] == "filesystem://localhost//"
    assert s["transport"]["data_folder_in"] == str(var / "broker" / "queue")
    assert s["transport"]["polling_interval"] <= 0.3
    assert (var / "broker" / "queue").is_dir()
    assert (s["results"], s["extended"], s["track_started"]) == ("django-db", True, True)
    assert s["media"] == str(var / "media")
    assert s["warehouse"] == f"sqlite:///{var / 'warehouse.sqlite3'}"
    assert (s["tz"], s["upload_mb"]) == ("UTC", 200)


def test_environment_overrides_every_default(tmp_path):
    s = load_settings(
        tmp_path,
        DATABASE_URL="postgres://app:pw@db.internal:5432/dataops",
        CELERY_BROKER_URL="redis://cache.internal:6379/0",
        WAREHOUSE_URL="redshift://loader@cluster.example:5439/dev",
        DJANGO_SECRET_KEY="s3cret",
        TIME_ZONE="Europe/Berlin",
        UPLOAD_MAX_MB="50",
    )
    assert s["db_engine"] == "django.db.backends.postgresql"
    assert (s["db_host"], s["db_name"]) == ("db.internal", "dataops")
    assert s["broker"] == "redis://cache.internal:6379/0"
    # Longer than the longest task's hard limit (a load: 3,000 + 60 s), shorter than an hour.
    assert 3060 < s["transport"]["visibility_timeout"] < 3600
    assert s["warehouse"] == "redshift://loader@cluster.example:5439/dev"
    assert (s["secret"], s["tz"], s["upload_mb"]) == ("s3cret", "Europe/Berlin", 50)


def test_sqlite_database_url_keeps_the_safe_options(tmp_path):
    s = load_settings(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/other.sqlite3")
    assert s["db_name"] == str(tmp_path / "other.sqlite3")
    assert s["db_options"]["transaction_mode"] == "IMMEDIATE"


S3_PROBE = """
import json
from backend import settings as s
from backend.integrations.warehouse import S3Staging
staging = S3Staging.from_settings(s.LOAD_S3_STAGING)
print(json.dumps({
    "storages": s.STORAGES, "beat": s.CELERY_BEAT_SCHEDULE,
    "staging": None if staging is None else [staging.bucket, staging.prefix, staging.iam_role,
                                             staging.part_mb, staging.region],
}))
"""


def probe(tmp_path, **env: str) -> dict:
    return load_settings(tmp_path, S3_PROBE, **env)


def test_without_buckets_files_stay_local_and_loads_insert(tmp_path):
    found = probe(tmp_path)
    assert found["storages"]["default"]["BACKEND"].endswith("FileSystemStorage")
    assert found["staging"] is None
    assert "sweep-load-staging" not in found["beat"]  # the sweep runs only with S3 staging
    sessions = {"task": "clear_expired_sessions", "schedule": 3600.0}
    assert found["beat"]["clear-expired-sessions"] == sessions  # always, like the reconciler


def test_buckets_put_files_on_s3_and_loads_through_copy_with_a_sweep(tmp_path):
    found = probe(
        tmp_path,
        FILES_S3_BUCKET="files-b",
        LOAD_S3_BUCKET="stage-b",
        LOAD_S3_PREFIX="runs",
        LOAD_S3_IAM_ROLE="arn:aws:iam::1:role/copy",
        LOAD_S3_PART_MB="32",
        LOAD_S3_SWEEP_EVERY_S="600",
        S3_REGION="eu-central-1",
    )
    default = found["storages"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == "files-b"
    assert default["OPTIONS"]["region_name"] == "eu-central-1"
    assert found["staging"] == [
        "stage-b",
        "runs/",
        "arn:aws:iam::1:role/copy",
        32.0,
        "eu-central-1",
    ]
    assert found["beat"]["sweep-load-staging"] == {"task": "sweep_load_staging", "schedule": 600.0}
