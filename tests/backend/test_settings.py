"""Settings: embedded defaults on a laptop, environment overrides in production."""

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


def load_settings(tmp_path, **env: str) -> dict:
    """Import the settings in a fresh interpreter with only `env` set."""
    base = {"PATH": "/usr/bin:/bin", "VAR_DIR": str(tmp_path / "var")}
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
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
