"""Run by PostgreSQL's COPY FROM PROGRAM for the Redshift shim: fetch gzip CSV parts by URL
and write them, unzipped and in order, to stdout. Standard library only: the server's own
python3 runs it, as the database's OS user."""

import gzip
import shutil
import sys
import urllib.request

for url in sys.argv[1:]:
    with urllib.request.urlopen(url) as response, gzip.GzipFile(fileobj=response) as part:
        shutil.copyfileobj(part, sys.stdout.buffer, 1 << 20)
