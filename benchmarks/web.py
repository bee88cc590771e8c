"""Time the web site's pages on a large database, through `claims serve` over HTTP on loopback.

    uv run python benchmarks/web.py --claims 1000000 --out benchmarks/results-web-1m.json
    uv run python benchmarks/web.py --db /tmp/claims-1m.db --out ...   # reuse a loaded database

Builds the database (benchmarks/corpus.py + `claims load`, under a temporary folder) unless --db
names one, starts `claims serve` as a user would, and asks for each page over HTTP: "cold" is the
first request after the server started (its connection pool and SQLite's page cache empty; the
operating system's file cache is left as it is), "warm" the median of the requests after it.
Each row also says what the page showed: its total (or "many") and how many facets it could not
count within the time limit. The exact counts on demand (the page's "count them exactly" link)
are timed too, as a figure beside the target, not against it. Figures are reported, never
asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import generate  # noqa: E402

TARGET_MS = 300


@dataclass
class PageFigure:
    name: str
    path: str
    status: int
    cold_ms: float
    warm_ms: float
    shown: str
    """The page's heading: its total ("1000000 claims"), "Many claims", or a claim's statement."""
    facets_not_counted: int
    bytes: int
    on_target: bool | None
    """Whether the warm and cold times are within TARGET_MS (None: an on-demand figure)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, path: str) -> tuple[int, str, float]:
    """One GET on a new connection: (status, body, seconds to the last byte)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode("utf-8")
        return response.status, body, time.perf_counter() - started
    finally:
        connection.close()


def wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"claims serve exited:\n{log.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("claims serve did not start listening within 600 s")


def build(claims: int, work: Path) -> Path:
    """A database of `claims` synthetic claims, loaded with the real `claims load`."""
    corpus, db = work / "seeds", work / "claims.db"
    generate(corpus, claims)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "claimsdb", "--db", str(db), "load", str(corpus), "-q"], check=True)
    print(f"loaded {claims:,} claims in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return db


def sizes(db: str) -> tuple[int, int]:
    """(claims, documents) in the database: a SQLite path or a PostgreSQL URL."""
    from sqlalchemy import text

    from claimsdb.db.database import Database

    with Database(db, read_only=True) as database, database.engine.connect() as connection:
        claims = connection.execute(text("SELECT count(*) FROM claims")).scalar_one()
        return claims, connection.execute(text("SELECT count(*) FROM documents")).scalar_one()


def pages(documents: int) -> list[tuple[str, str]]:
    """(name, path) of the pages the target names, for a database built by benchmarks/corpus.py."""
    middle = documents // 2
    return [
        ("front page", "/"),
        ("filtered: a type and a claimant", "/?claimant=org-3&type=offence"),
        ("search: a common word", "/?q=witnesses"),
        ("search: a rare word (one claim's tag)", f"/?q={middle}x5"),
        ("claim page", f"/claims/c-{middle}-1"),
    ]


def heading(body: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()[:80] if found else ""


def measure(port: int, name: str, path: str, repeat: int, *, on_demand: bool = False) -> PageFigure:
    status, body, cold = get(port, path)
    warm = [get(port, path)[2] for _ in range(repeat)]
    warm_ms = statistics.median(warm) * 1000
    return PageFigure(
        name=name, path=path, status=status, cold_ms=round(cold * 1000, 1), warm_ms=round(warm_ms, 1),
        shown=heading(body), facets_not_counted=body.count("Not counted in time."), bytes=len(body.encode()),
        on_target=None if on_demand else cold * 1000 <= TARGET_MS and warm_ms <= TARGET_MS,
    )  # fmt: skip


def benchmark(db: str, documents: int, repeat: int, count_time_limit: int, log: Path) -> list[PageFigure]:
    port = free_port()
    command = [
        sys.executable, "-m", "claimsdb", "--db", str(db), "serve", "--port", str(port),
        "--count-time-limit", str(count_time_limit),
    ]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    try:
        wait_for(port, process, log)
        wanted = pages(documents)
        figures = [measure(port, name, path, repeat) for name, path in wanted]
        for name, path in wanted[:3]:  # the exact counts a reader can ask for
            exact = path + ("&" if "?" in path else "?") + "exact=1"
            figures.append(measure(port, f"{name}, every count exact (on demand)", exact, 2, on_demand=True))
        return figures
    finally:
        process.terminate()
        process.wait(timeout=30)


def report(figures: list[PageFigure], claims: int) -> None:
    print(f"\nclaimsdb web, {claims:,} claims, {os.cpu_count()} cores, target {TARGET_MS} ms a page")
    print(f"{'page':<58} {'cold ms':>8} {'warm ms':>8}  {'on target':<9}  shown")
    for figure in figures:
        target = "-" if figure.on_target is None else ("yes" if figure.on_target else "MISS")
        missing = figure.facets_not_counted
        shown = figure.shown + (f" ({missing} facets not counted)" if missing else "")
        print(f"{figure.name:<58} {figure.cold_ms:>8.0f} {figure.warm_ms:>8.0f}  {target:<9}  {shown}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000, help="claims to build (ignored with --db)")
    parser.add_argument("--db", help="a database built from benchmarks/corpus.py to reuse: a SQLite path or a URL")
    parser.add_argument("--repeat", type=int, default=7, help="warm requests per page (the median is kept)")
    parser.add_argument("--count-time-limit", type=int, default=200, help="claims serve --count-time-limit, ms")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the working folder (corpus, database, server log)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="claimsdb-web-bench-"))
    try:
        db = args.db if args.db else str(build(args.claims, work))
        claims, documents = sizes(db)
        load = os.getloadavg()[0]
        figures = benchmark(db, documents, args.repeat, args.count_time_limit, work / "serve.log")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    report(figures, claims)
    print(f"load average over the last minute when it started: {load:.1f}")
    if args.out:
        payload = {
            "claims": claims, "cores": os.cpu_count(), "python": sys.version.split()[0], "target_ms": TARGET_MS,
            "backend": "postgresql" if "://" in db and not db.startswith("sqlite") else "sqlite", "load_average": load,
            "count_time_limit_ms": args.count_time_limit, "how": "HTTP to claims serve on loopback, a new connection "
            "per request; cold = first request after the server started (OS file cache not dropped), warm = median",
            "figures": [asdict(f) for f in figures],
        }  # fmt: skip
        args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"\nfigures written to {args.out}")


if __name__ == "__main__":
    main()
