"""Run by PostgreSQL's COPY FROM PROGRAM for the Redshift shim: fetch gzip CSV parts by URL
and write them, unzipped and in order, to stdout. Standard library only: the server's own
python3 runs it, as the database's OS user.

Several parts are fetched and unzipped at once, as a cluster's slices each read their own
files; each streams through a short queue of blocks, so no part is ever held whole.
"""

import gzip
import os
import queue
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor

BLOCK = 1 << 20
AT_ONCE = 4  # parts fetched at the same time
QUEUED_BLOCKS = 4  # unzipped blocks a part may hold while it waits for its turn


def fetch(url, blocks):
    """Put the part's unzipped blocks, then None; or the error that stopped it."""
    try:
        with urllib.request.urlopen(url) as response, gzip.GzipFile(fileobj=response) as part:
            while block := part.read(BLOCK):
                blocks.put(block)
        blocks.put(None)
    except BaseException as exc:  # reported by the writer, in order
        blocks.put(exc)


def main(urls):
    queues = [queue.Queue(QUEUED_BLOCKS) for _ in urls]
    pool = ThreadPoolExecutor(AT_ONCE)
    for url, blocks in zip(urls, queues):
        pool.submit(fetch, url, blocks)  # started in this order
    out = sys.stdout.buffer
    for blocks in queues:  # so the part written next has always started
        while (block := blocks.get()) is not None:
            if isinstance(block, BaseException):
                raise block
            out.write(block)
    out.flush()


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except BaseException as exc:  # COPY shows the program's exit and stderr
        print(f"fetching the staged parts failed: {exc}", file=sys.stderr)
        sys.stderr.flush()
        os._exit(1)  # fetch threads may be blocked on a full queue
