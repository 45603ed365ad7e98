"""S3 settings: files and load staging stay off until a bucket is named."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.processes import REPO

PROBE = """
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
