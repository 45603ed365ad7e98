"""Benchmark of the PDF table extractor on the shared corpus.

For every case of the manifest, runs extract_tables with the case's pages,
area and password, writes the produced tables as CSV and scores them with the
corpus scorer.  Two rules pick the table scored per case: the best-matching
produced table ("best") and the largest one ("largest").  The last line is

    cell_accuracy=0.XXX exact=N/M pages_per_s=F

for the best-match rule; pages/s covers every page converted (large cases
included).

Usage: python bench/extraction.py [--manifest PATH] [--scorer PATH] [--show-diffs N]
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from backend.integrations.pdf import PasswordRequired, PdfError, extract_tables  # noqa: E402


def load_scorer(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_tables", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load scorer {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["score_tables"] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def run_case(case: dict, base: Path) -> tuple[list[list[list[str]]], int, float, str]:
    """Tables (as rows), pages converted, seconds, note."""
    kwargs = {"pages": case["pages"]}
    if case.get("area"):
        kwargs["area"] = tuple(case["area"])
    pdf = base / case["pdf"]
    note = ""
    if case["kind"] == "encrypted":
        try:
            extract_tables(pdf, **kwargs)
            note = "NO ERROR without password (unexpected)"
        except PasswordRequired as exc:
            note = f"raises PasswordRequired without password: {exc}"
    if case.get("password"):
        kwargs["password"] = case["password"]
    start = time.perf_counter()
    try:
        result = extract_tables(pdf, **kwargs)
    except PdfError as exc:
        return (
            [],
            len(case["pages"]),
            time.perf_counter() - start,
            f"{note} {type(exc).__name__}: {exc}",
        )
    seconds = time.perf_counter() - start
    return [t.rows for t in result.tables], result.pages_done, seconds, note


def score_case(st: ModuleType, case: dict, base: Path, tables: list, tmp: Path, diffs: int):
    expected = st.read_csv(base / case["expected_csv"])
    results = []
    for i, rows in enumerate(tables):
        path = tmp / f"{case['id']}-{i}.csv"
        write_csv(path, rows)
        results.append(st.compare(case["id"], case["kind"], expected, st.read_csv(path)))
    empty = st.compare(case["id"], case["kind"], expected, None)
    best = max(results, key=lambda r: r.accuracy, default=empty)
    largest = (
        results[
            max(
                range(len(tables)),
                key=lambda i: len(tables[i]) * max(map(len, tables[i]), default=0),
            )
        ]
        if tables
        else empty
    )
    for r, c, want, have in best.diffs[:diffs]:
        print(f"    r{r} c{c}: expected {want!r}, got {'<none>' if have is None else repr(have)}")
    return best, largest


def summarise(label: str, results: list) -> tuple[float, int]:
    by_kind: dict[str, list] = {}
    for r in results:
        by_kind.setdefault(r.kind, []).append(r)
    for kind, rs in sorted(by_kind.items()):
        acc = sum(r.accuracy for r in rs) / len(rs)
        print(
            f"{label:7s} kind {kind:9s} cases={len(rs):2d} cell_accuracy={acc:.3f} "
            f"exact={sum(r.exact for r in rs)}/{len(rs)}"
        )
    mean = sum(r.accuracy for r in results) / len(results) if results else 0.0
    exact = sum(r.exact for r in results)
    print(f"{label:7s} overall cell_accuracy={mean:.3f} exact={exact}/{len(results)}")
    return mean, exact


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--manifest", type=Path, default=REPO / "../shared/corpus/manifest.json")
    ap.add_argument("--scorer", type=Path, default=REPO / "../shared/tools/score_tables.py")
    ap.add_argument("--show-diffs", type=int, default=0, metavar="N")
    ap.add_argument("--only", default="", help="comma-separated case ids to run")
    args = ap.parse_args(argv)
    st = load_scorer(args.scorer)
    cases = json.loads(args.manifest.read_text(encoding="utf-8"))
    if args.only:
        cases = [c for c in cases if c["id"] in args.only.split(",")]
    base = args.manifest.parent
    best_all, largest_all, pages, seconds = [], [], 0, 0.0
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for case in cases:
            tables, n_pages, secs, note = run_case(case, base)
            pages, seconds = pages + n_pages, seconds + secs
            shapes = [f"{len(t)}x{max(map(len, t), default=0)}" for t in tables][:5]
            head = f"{case['id']:40s} {case['kind']:9s} {secs:6.2f}s tables={len(tables)} {shapes}"
            if not case.get("expected_csv"):
                print(f"{head} not scored {note}".rstrip())
                continue
            best, largest = score_case(st, case, base, tables, tmp, args.show_diffs)
            best_all.append(best)
            largest_all.append(largest)
            print(
                f"{head} best={best.accuracy:.3f}{'*' if best.exact else ''} "
                f"largest={largest.accuracy:.3f} exp={best.exp_shape} {note}".rstrip()
            )
    print()
    summarise("largest", largest_all)
    mean, exact = summarise("best", best_all)
    rate = pages / seconds if seconds else 0.0
    print(f"cell_accuracy={mean:.3f} exact={exact}/{len(best_all)} pages_per_s={rate:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
