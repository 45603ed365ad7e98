"""How long a page picture takes: drawn the first time, read from storage after.

    .venv/bin/python bench/page_render.py [PDF] [--pages N]

Runs against a scratch VAR_DIR (a SQLite database and file storage), converts nothing: the
document row is stored and each page is drawn at the Documents page's size, then asked for
again (what switching back to a table costs). Last line: key=value figures in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="dataops-bench-"))

import django  # noqa: E402

django.setup()

from django.core.files import File  # noqa: E402
from django.core.management import call_command  # noqa: E402

from backend.models import Document  # noqa: E402
from backend.services.page_images import page_image  # noqa: E402
from tests.support.users import user_default  # noqa: E402

RENDER_PX = 920  # the Documents page draws pictures twice its 460 px width


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "pdf", nargs="?", default=ROOT / ".." / "shared" / "corpus" / "camelot__us-020.pdf"
    )
    parser.add_argument("--pages", type=int, default=6)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    owner = user_default()
    pdf = Path(args.pdf)
    document = Document(
        owner=owner, name=pdf.name, sha256=f"bench-{time.time_ns()}", size_bytes=pdf.stat().st_size
    )
    with pdf.open("rb") as fh:
        document.file.save(pdf.name, File(fh, name=pdf.name))
    first, cached = [], []
    for page in range(1, args.pages + 1):
        for timings in (first, cached):
            start = time.perf_counter()
            page_image(owner=owner, document_id=document.pk, page=page, width_px=RENDER_PX)
            timings.append((time.perf_counter() - start) * 1000)
        print(f"page {page}: first {first[-1]:.1f} ms, cached {cached[-1]:.1f} ms")
    print(
        f"pdf={pdf.name} pages={args.pages} width_px={RENDER_PX} "
        f"first_ms_median={statistics.median(first):.1f} first_ms_max={max(first):.1f} "
        f"cached_ms_median={statistics.median(cached):.1f} cached_ms_max={max(cached):.1f}"
    )


if __name__ == "__main__":
    main()
