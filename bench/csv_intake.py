"""CSV intake: upload + type inference + load of one file into the SQLite warehouse.

Writes a 200,000-row, 12-column CSV the way spreadsheets export it (thousands separators,
month-first dates and timestamps, zero-padded codes, free text, some empty cells), then
goes through the product's own path in a scratch VAR_DIR: the upload service (parsing and
checking the file, storing it as UTF-8), the bundle's schema (what the Schema tab shows)
and the load service into a scratch SQLite warehouse. Then runs csvkit's
`csvsql --insert` on the same file into another SQLite file, when csvkit is installed.
Peak memory (VmHWM) is this process's, so csvsql's subprocess is not in it.

    .venv/bin/python bench/csv_intake.py [--rows 200000]

Last line: rows_per_s=X csvsql_rows_per_s=Y peak_mb=Z
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORK = Path(tempfile.mkdtemp(prefix="csv-intake-bench-"))
os.environ["VAR_DIR"] = str(WORK / "var")
os.environ["WAREHOUSE_URL"] = f"sqlite:///{WORK / 'warehouse.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
sys.path.insert(0, str(REPO))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from backend.selectors.bundles import bundle_schema_view  # noqa: E402
from backend.services.bundles import bundle_create, table_create_from_csv  # noqa: E402
from backend.services.loads import load_run  # noqa: E402
from bench.measure import peak_mb, write_rows  # noqa: E402
from tests.support.users import user_default  # noqa: E402

HEADER = ["id", "qty", "price", "amount", "active", "day", "seen_at"]
HEADER += ["code", "city", "note", "score", "ratio"]
CITIES = ["Paris", "Zürich", "São Paulo", "Kraków", "Oslo", "Lima", "東京", "Cairo"]
WORDS = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit"]
WORDS += ["sed", "do", "eiusmod", "tempor"]


def fake_row(i: int, rnd: random.Random, day0: date, ts0: datetime) -> list[str]:
    maybe = lambda text: "" if rnd.random() < 0.05 else text  # noqa: E731  some empty cells
    day = day0 + timedelta(days=rnd.randint(0, 3650))
    seen = ts0 + timedelta(seconds=rnd.randint(0, 10**8))
    return [
        str(i),
        maybe(str(rnd.randint(-1000, 100_000))),
        f"{rnd.uniform(0, 2_000_000):,.2f}",  # thousands separators
        f"{rnd.uniform(-5000, 50_000):.2f}",
        rnd.choice(("true", "false")),
        f"{day.month}/{day.day}/{day.year}",  # month-first
        maybe(f"{seen.month}/{seen.day}/{seen.year} {seen.hour}:{seen:%M:%S}"),
        f"C{rnd.randint(0, 99999):05d}",
        rnd.choice(CITIES),
        maybe(" ".join(rnd.choices(WORDS, k=rnd.randint(3, 30)))),
        maybe(f"{rnd.random() * 100:.4f}"),
        f"{rnd.random():.6f}",
    ]


def write_csv(path: Path, rows: int) -> None:
    rnd, day0, ts0 = random.Random(7), date(2015, 1, 1), datetime(2020, 1, 1)
    write_rows(path, HEADER, (fake_row(i, rnd, day0, ts0) for i in range(rows)))


def product_rate(path: Path, rows: int) -> float:
    user = user_default()
    bundle = bundle_create(owner=user, name="bench", target_table="bench_rows", load_mode="append")
    started, cpu = time.perf_counter(), time.process_time()
    table, _ = table_create_from_csv(
        owner=user, name=path.name, content=path.read_bytes(), bundle_id=bundle.pk
    )
    uploaded = time.perf_counter()
    bundle.refresh_from_db()
    view = bundle_schema_view(by=bundle.owner, bundle_id=bundle.pk)
    inferred = time.perf_counter()
    result = load_run(  # the worker's call; it records the Run itself
        bundle_id=bundle.pk,
        username=user.username,
        task_id=str(uuid.uuid4()),
        trigger="manual",
        on_progress=lambda phase, n: None,
    )
    loaded, cpu = time.perf_counter(), time.process_time() - cpu
    assert result["rows"] == rows, (result, table.n_rows)
    print(", ".join(f"{c['name']} {c['type']}" for c in view["columns"]))
    print(f"upload {uploaded - started:.1f}s, schema {inferred - uploaded:.1f}s, ", end="")
    print(f"load {loaded - inferred:.1f}s")
    # The machine may be shared: CPU time says what the work costs whatever else runs.
    print(f"cpu time {cpu:.1f}s: {rows / cpu:,.0f} rows per cpu-second")
    return rows / (loaded - started)


def csvsql_rate(path: Path, rows: int) -> float | None:
    csvsql = shutil.which("csvsql", path=str(Path(sys.executable).parent)) or shutil.which("csvsql")
    if csvsql is None:
        print("csvsql: not installed (pip install csvkit to compare)")
        return None
    target = f"sqlite:///{WORK / 'csvsql.sqlite3'}"
    started = time.perf_counter()
    subprocess.run([csvsql, "--insert", "--db", target, str(path)], check=True)
    return rows / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--no-csvsql", action="store_true", help="skip the csvsql comparison")
    args = parser.parse_args()
    try:
        call_command("migrate", verbosity=0)
        path = WORK / "intake.csv"
        write_csv(path, args.rows)
        size_mb = path.stat().st_size / 2**20
        print(f"csv: {args.rows} rows x {len(HEADER)} columns, {size_mb:.0f} MB")
        rate = product_rate(path, args.rows)
        peak = peak_mb()
        print(f"upload + infer + load: {rate:,.0f} rows/s, peak {peak:.0f} MB")
        theirs = None if args.no_csvsql else csvsql_rate(path, args.rows)
        if theirs is not None:
            print(f"csvsql --insert: {theirs:,.0f} rows/s")
        shown = f"{theirs:.0f}" if theirs is not None else "na"
        print(f"rows_per_s={rate:.0f} csvsql_rows_per_s={shown} peak_mb={peak:.0f}")
    finally:
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
