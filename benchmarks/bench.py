"""Benchmark claimsdb on a synthetic corpus and report figures, each beside a baseline from the same run.

    uv run python benchmarks/bench.py --claims 100000 --out benchmarks/results.json

Every step runs as its own process (like a user's command), timed by wall clock, with its peak
resident memory read from the kernel (os.wait4). Baselines, measured in the same run on the same
corpus so machine speed cancels out:
  - load: a plain single-process pipeline (PyYAML's C loader -> pydantic -> sqlite3.executemany)
    that does less than `claims load` (no anchoring, no references, no full-text index, no runs);
  - export: the sqlite3 shell's own CSV output of the same rows (needs the `sqlite3` program).
Figures are reported, never asserted: tests only check that this script runs (tests/test_benchmark.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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


@dataclass
class Figure:
    name: str
    seconds: float
    peak_rss_mib: float
    claims: int
    baseline: str | None = None
    baseline_seconds: float | None = None
    target: str = ""

    @property
    def ratio(self) -> float | None:
        return round(self.seconds / self.baseline_seconds, 2) if self.baseline_seconds else None

    def row(self) -> dict[str, object]:
        per_second = round(self.claims / self.seconds) if self.claims and self.seconds else None
        return {**asdict(self), "claims_per_second": per_second, "ratio_to_baseline": self.ratio}


def run(args: list[str], *, stdout: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak RSS MiB). Fails loudly on a non-zero exit."""
    out = stdout.open("wb") if stdout else subprocess.DEVNULL
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=out, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode() if process.stderr else ""
    if stdout:
        out.close()  # type: ignore[union-attr]
    if process.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(args)}\n{error}")
    return seconds, usage.ru_maxrss / 1024


def claims_cmd(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "claimsdb", "--db", str(db), *args]


def query_timings(db: Path, claim_id: str, word: str) -> dict[str, float]:
    """Query time of `show` and of the first page of a full-text search, median of 5, in one process."""
    probe = f"""
import json, statistics, time
from claimsdb import api
from claimsdb import provenance
from claimsdb.query import ClaimFilter, list_claims
show, search = [], []
with api.reading({str(db)!r}) as session:
    provenance.show(session, {claim_id!r}); list_claims(session, ClaimFilter(search={word!r}, limit=50))
    for _ in range(5):
        t = time.perf_counter(); provenance.show(session, {claim_id!r}); show.append(time.perf_counter() - t)
        t = time.perf_counter(); rows = list_claims(session, ClaimFilter(search={word!r}, limit=50)); search.append(time.perf_counter() - t)
print(json.dumps({{"show": statistics.median(show), "search": statistics.median(search), "hits": len(rows)}}))
"""
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def help_seconds() -> float:
    times = []
    for _ in range(5):
        seconds, _ = run([sys.executable, "-m", "claimsdb", "--help"])
        times.append(seconds)
    return statistics.median(times)


def touch_one_file(corpus: Path) -> None:
    """Change one claim's statement in one seed file, as a curator's edit would."""
    path = sorted(corpus.glob("article-*.yaml"))[len(list(corpus.glob("article-*.yaml"))) // 2]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("statement: Synthetic claim 0 ", "statement: Edited synthetic claim 0 ", 1), encoding="utf-8")


def benchmark(claims: int, work: Path) -> list[Figure]:
    corpus, db, baseline_db = work / "seeds", work / "claims.db", work / "baseline.db"
    generate(corpus, claims)
    figures: list[Figure] = []

    base_s, base_rss = run([sys.executable, str(HERE / "baseline.py"), str(corpus), str(baseline_db)])
    figures.append(Figure("baseline: plain pipeline (load)", base_s, base_rss, claims))

    seconds, rss = run(claims_cmd(db, "load", str(corpus), "-q"))
    figures.append(Figure("claims load, cold", seconds, rss, claims, "plain pipeline", base_s, "faster than the baseline; ~10 s at 100,000"))

    json_corpus, json_db = work / "seeds-json", work / "json.db"
    generate(json_corpus, claims, as_json=True)
    seconds, rss = run(claims_cmd(json_db, "load", str(json_corpus), "-q"))
    figures.append(Figure("claims load, cold, JSON seeds", seconds, rss, claims, "plain pipeline", base_s))

    seconds, rss = run(claims_cmd(db, "load", str(corpus), "-q"))
    figures.append(Figure("claims load, nothing changed", seconds, rss, claims, target="under 1 s at 100,000"))

    touch_one_file(corpus)
    seconds, rss = run(claims_cmd(db, "load", str(corpus), "-q"))
    figures.append(Figure("claims load, one file changed", seconds, rss, claims, target="under 2 s at 100,000"))

    shell_s, shell_rss = run(["sqlite3", "-csv", "-header", str(db), "SELECT * FROM claims"], stdout=work / "shell.csv")
    figures.append(Figure("baseline: sqlite3 shell CSV (export)", shell_s, shell_rss, claims))
    seconds, rss = run(claims_cmd(db, "export"), stdout=work / "claims.csv")
    figures.append(Figure("claims export", seconds, rss, claims, "sqlite3 shell", shell_s, "within 4x of the shell; under 100 MiB"))

    timings = query_timings(db, f"c-{claims // 200}-1", "witnesses")
    figures.append(Figure("query time: claims show", timings["show"], 0, 0, target="under 100 ms"))
    figures.append(Figure(f"query time: list --search, first page ({timings['hits']} rows)", timings["search"], 0, 0, target="under 100 ms"))
    figures.append(Figure("claims --help, whole process", help_seconds(), 0, 0, target="under 150 ms"))
    return figures


def report(figures: list[Figure], claims: int) -> None:
    print(f"\nclaimsdb benchmark, {claims:,} claims, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{'step':<52} {'seconds':>9} {'claims/s':>10} {'peak MiB':>9} {'x baseline':>10}  target")
    for figure in figures:
        row = figure.row()
        per_second = f"{row['claims_per_second']:,}" if row["claims_per_second"] else ""
        rss = f"{figure.peak_rss_mib:.0f}" if figure.peak_rss_mib else ""
        ratio = f"{figure.ratio:.2f}" if figure.ratio is not None else ""
        print(f"{figure.name:<52} {figure.seconds:>9.3f} {per_second:>10} {rss:>9} {ratio:>10}  {figure.target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the working folder (corpus, databases, CSVs)")
    args = parser.parse_args()
    if shutil.which("sqlite3") is None:
        raise SystemExit("the export baseline needs the sqlite3 shell (Debian: apt-get install sqlite3)")
    work = Path(tempfile.mkdtemp(prefix="claimsdb-bench-"))
    try:
        figures = benchmark(args.claims, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    report(figures, args.claims)
    if args.out:
        payload = {"claims": args.claims, "cores": os.cpu_count(), "python": sys.version.split()[0],
                   "figures": [f.row() for f in figures]}  # fmt: skip
        args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"\nfigures written to {args.out}")


if __name__ == "__main__":
    main()
