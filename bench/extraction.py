"""Benchmark of the PDF table extractor on the two development corpora.

For each corpus (../shared/corpus-icdar and ../shared/corpus) every scored
case is extracted three ways and scored with the corpus scorer, taking the
best-matching table found:

  area     the case's area (the region a person would drag), as in the manifest
  tight    the tight ICDAR region where the manifest has one (text touches it)
  no area  the whole page: the engine must find the table itself

Besides accuracy it prints, per corpus: exact matches, accuracy per kind, the
stream cases whose references put each header line on its own row (other
tools' convention, reported apart and left out of the corpus figure), and the
precision of table finding on whole documents (a table found on a page whose
references hold none counts against it).  Pages/s is extraction time alone, in
this one process, over whole documents.  The last line is one line of
key=value pairs.

Usage: python bench/extraction.py [--corpus icdar|corpus] [--only ID,ID] [--show-diffs N]
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO))

from backend.integrations.pdf import PdfError, extract_tables  # noqa: E402

CORPORA = {"icdar": SHARED / "corpus-icdar", "corpus": SHARED / "corpus"}


def load_scorer(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_tables", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load scorer {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["score_tables"] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


def split_header_reference(case: dict) -> bool:
    """Stream references from tabula and camelot: one row per header line."""
    return case["kind"] == "stream" and not case["id"].startswith("icdar-")


def tables_for(case: dict, base: Path, area: list[float] | None) -> list[list[list[str]]]:
    kwargs: dict = {"pages": case["pages"], "password": case.get("password")}
    if area:
        kwargs["area"] = tuple(area)
    try:
        return [t.rows for t in extract_tables(base / case["pdf"], **kwargs).tables]
    except PdfError:
        return []


def best_score(st: ModuleType, case: dict, base: Path, tables: list, tmp: Path):
    expected = st.read_csv(base / case["expected_csv"])
    results = [st.compare(case["id"], case["kind"], expected, None)]
    for i, rows in enumerate(tables):
        path = tmp / f"{case['id']}-{i}.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
        results.append(st.compare(case["id"], case["kind"], expected, st.read_csv(path)))
    return max(results, key=lambda r: r.accuracy)


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def score_mode(st, cases, base, tmp, mode: str, diffs: int) -> dict[str, object]:
    scores = {}
    for case in cases:
        area = case.get("area")
        if mode == "tight":
            area = case.get("icdar_region") or area
        elif mode == "no area":
            area = None
        best = best_score(st, case, base, tables_for(case, base, area), tmp)
        scores[case["id"]] = best
        if mode == "area":
            mark = "*" if best.exact else ""
            print(f"  {case['id']:34s} {case['kind']:9s} {best.accuracy:.3f}{mark}")
            for r, c, want, have in best.diffs[:diffs]:
                print(f"      r{r} c{c}: expected {want!r}, got {have!r}")
    return scores


def report(name: str, cases: list[dict], by_mode: dict[str, dict]) -> dict[str, float]:
    main = [c for c in cases if not split_header_reference(c)]
    apart = [c for c in cases if split_header_reference(c)]
    figures = {}
    for mode, scores in by_mode.items():
        acc = mean([scores[c["id"]].accuracy for c in main])
        exact = sum(scores[c["id"]].exact for c in main)
        print(f"{name} {mode:8s} cell_accuracy={acc:.3f} exact={exact}/{len(main)}")
        figures[mode] = acc
    area = by_mode["area"]
    for kind in sorted({c["kind"] for c in main}):
        of_kind = [area[c["id"]] for c in main if c["kind"] == kind]
        acc = mean([s.accuracy for s in of_kind])
        print(f"{name} kind {kind:9s} cases={len(of_kind):2d} cell_accuracy={acc:.3f}")
    if apart:
        acc = mean([area[c["id"]].accuracy for c in apart])
        print(f"{name} split-header stream references (apart): cases={len(apart)} {acc:.3f}")
    return figures


def whole_documents(base: Path, cases: list[dict]) -> tuple[int, float, int, int, int]:
    """Pages, seconds, tables found on pages with references, on pages without,
    and in documents without any reference (not counted either way)."""
    refs: Counter[tuple[str, int]] = Counter()
    for c in cases:
        if c.get("expected_csv"):
            refs[(c["pdf"], c["pages"][0])] += 1
    referenced = {pdf for pdf, _ in refs}
    pages = seconds = 0.0
    hits = misses = unreferenced = 0
    for pdf in sorted({c["pdf"] for c in cases if c["kind"] not in ("encrypted", "corrupt")}):
        start = time.perf_counter()
        try:
            result = extract_tables(base / pdf)
        except PdfError:
            continue
        seconds += time.perf_counter() - start
        pages += result.pages_done
        if pdf not in referenced:
            unreferenced += len(result.tables)
            continue
        found = Counter((pdf, t.first_page) for t in result.tables)
        for key, n in found.items():
            hits += min(n, refs[key])
            misses += max(0, n - refs[key])
    return int(pages), seconds, hits, misses, unreferenced


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scorer", type=Path, default=SHARED / "tools/score_tables.py")
    ap.add_argument("--show-diffs", type=int, default=0, metavar="N")
    ap.add_argument("--only", default="", help="comma-separated case ids to run")
    ap.add_argument("--corpus", choices=sorted(CORPORA), help="run one corpus only")
    args = ap.parse_args(argv)
    st = load_scorer(args.scorer)
    summary: dict[str, float] = {}
    total_pages, total_seconds = 0, 0.0
    with tempfile.TemporaryDirectory() as tmpdir:
        for name, base in CORPORA.items():
            if args.corpus and name != args.corpus:
                continue
            cases = json.loads((base / "manifest.json").read_text(encoding="utf-8"))
            scored = [c for c in cases if c.get("expected_csv")]
            if args.only:
                scored = [c for c in scored if c["id"] in args.only.split(",")]
            print(f"== {name}: {base}")
            modes = ("area", "tight", "no area")
            by_mode = {
                m: score_mode(st, scored, base, Path(tmpdir), m, args.show_diffs) for m in modes
            }
            figures = report(name, scored, by_mode)
            summary[f"{name}_cell_accuracy"] = figures["area"]
            summary[f"{name}_tight_area"] = figures["tight"]
            summary[f"{name}_no_area"] = figures["no area"]
            if args.only:
                continue
            pages, seconds, hits, misses, unreferenced = whole_documents(base, cases)
            precision = hits / (hits + misses) if hits + misses else 1.0
            print(
                f"{name} whole documents: pages={pages} tables on pages with references={hits} "
                f"on pages without={misses} precision={precision:.3f} "
                f"(in documents without references: {unreferenced})"
            )
            summary[f"{name}_precision"] = precision
            total_pages, total_seconds = total_pages + pages, total_seconds + seconds
    summary["pages_per_s"] = total_pages / total_seconds if total_seconds else 0.0
    print(
        " ".join(
            f"{k}={v:.3f}" if k != "pages_per_s" else f"{k}={v:.1f}" for k, v in summary.items()
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
