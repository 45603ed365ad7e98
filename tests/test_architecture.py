"""The code keeps its shape: dependency direction, migrations, lint."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.processes import REPO

BIN = Path(sys.executable).parent


def run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)


def test_import_contracts_hold():
    result = run(str(BIN / "lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_models_and_migrations_agree():
    result = run(sys.executable, "manage.py", "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_lint_and_format_are_clean():
    lint = run(str(BIN / "ruff"), "check", ".")
    assert lint.returncode == 0, lint.stdout
    fmt = run(str(BIN / "ruff"), "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout


def test_types_check():
    result = run(str(BIN / "mypy"))
    assert result.returncode == 0, result.stdout


# Test modules under tests/backend that cover a path through several modules rather than one,
# each kept apart for the reason given.
TESTS_ACROSS_MODULES = {
    "services/test_conversion_workers.py": (
        "starts a worker per test with other settings; beside test_conversion.py's shared "
        "worker, that worker would take these tests' conversions"
    ),
    "services/test_load_retries.py": (
        "starts a worker per test; beside test_loads.py's shared worker, that worker would "
        "take these tests' loads"
    ),
    "services/test_csv_intake.py": (
        "CSV files from upload through the Schema tab to a load into each warehouse"
    ),
    "services/test_s3_production.py": (
        "the production path end to end: S3 files, a worker without a disk, COPY loads"
    ),
    "test_schedule_beat.py": "schedules saved by the service, fired by a real beat to a worker",
    "integrations/test_pdf_stages.py": (
        "the table engine's stages (header, spans, rulings, rotation, quality), each on a table "
        "drawn for it and read through the one extraction call"
    ),
    "integrations/test_warehouse_connect.py": (
        "connecting: URL parsing, both drivers' errors, and the Redshift shim the tests rely on"
    ),
    "integrations/test_warehouse_s3_scenarios.py": (
        "test_warehouse.py's scenarios again, with Redshift loads staged through S3 and COPY"
    ),
}


def module_under_test(test_file: Path) -> Path:
    """backend/<package path>/<module>.py for tests/backend/<package path>/test_<module>.py."""
    relative = test_file.relative_to(REPO / "tests" / "backend")
    return REPO / "backend" / relative.parent / (relative.name.removeprefix("test_"))


def test_backend_tests_mirror_the_modules_they_test():
    tests = sorted((REPO / "tests" / "backend").rglob("test_*.py"))
    unmatched = [
        str(test.relative_to(REPO))
        for test in tests
        if str(test.relative_to(REPO / "tests" / "backend")) not in TESTS_ACROSS_MODULES
        and not module_under_test(test).exists()
        and not module_under_test(test).with_suffix("").joinpath("__init__.py").exists()
    ]
    assert not unmatched, (
        "name each test file after the module it tests "
        f"(tests/backend/x/test_y.py for backend/x/y.py): {unmatched}"
    )
    across = [REPO / "tests" / "backend" / name for name in TESTS_ACROSS_MODULES]
    assert all(path.exists() for path in across), "an exception names a file that is gone"
