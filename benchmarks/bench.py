"""Benchmark claimsdb on a synthetic or real-shaped corpus and report figures, each beside a baseline from the same run.

    uv run python benchmarks/bench.py --claims 100000 --out benchmarks/results.json
    uv run python benchmarks/bench.py --corpus real --claims 50000 --out benchmarks/results-real-50k.json

Two corpora: `synthetic` (corpus.py: files of 20-100 generated claims) and `real` (real_corpus.py:
the project's own seeds/ copied with renamed ids and distinct documents until about --claims).

Every step runs as its own process (like a user's command), timed by wall clock, with its peak
resident memory read from the kernel (os.wait4). Baselines, measured in the same run on the same
corpus so machine speed cancels out:
  - load: a plain single-process pipeline (PyYAML's C loader -> pydantic -> sqlite3.executemany)
    that does less than `claims load` (no anchoring, no references, no full-text index, no runs);
  - export: the sqlite3 shell's own CSV output of the same rows (needs the `sqlite3` program);
  - the floor (both corpora): PyYAML's C loader merely parsing the same seed files in one process
    (floor.py); cold load / floor says how far a load is from "as fast as parsing".
Steps run with bytecode caching on (PYTHONDONTWRITEBYTECODE dropped), as an installed claimsdb
runs: otherwise every step would first compile claimsdb and its libraries (~3 s here).
Figures are reported, never asserted: tests only check that this script runs (tests/test_benchmark.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import generate  # noqa: E402
from real_corpus import generate as generate_real  # noqa: E402

CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass
class Figure:
    name: str
    seconds: float
    peak_rss_mib: float
    claims: int
    baseline: str | None = None
    baseline_seconds: float | None = None
    target: str = ""
    cpu_seconds: float | None = None
    """User + system CPU of the step and its worker processes: steadier than wall time on a shared machine."""
    runs: list[float] = field(default_factory=list)
    """Every run's wall time, in order, when the step was repeated (`seconds` is their median's)."""
    paired_ratios: list[float] = field(default_factory=list)
    """A cold load's ratio to the floor run just before it, for each pair (--repeat)."""

    @property
    def ratio(self) -> float | None:
        return round(self.seconds / self.baseline_seconds, 2) if self.baseline_seconds else None

    def row(self) -> dict[str, object]:
        per_second = round(self.claims / self.seconds) if self.claims and self.seconds else None
        return {**asdict(self), "claims_per_second": per_second, "ratio_to_baseline": self.ratio}


def run(args: list[str], *, stdout: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak RSS MiB). Fails loudly on a non-zero exit."""
    seconds, rss, _cpu = measure(args, stdout=stdout, env=env)
    return seconds, rss


def measure(
    args: list[str], *, stdout: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, float, float]:
    """Run a command; return (wall seconds, peak RSS MiB, CPU seconds of it and the children it waited for)."""
    out = stdout.open("wb") if stdout else subprocess.DEVNULL
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=out, stderr=subprocess.PIPE, env={**CHILD_ENV, **(env or {})})
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode() if process.stderr else ""
    if stdout:
        out.close()  # type: ignore[union-attr]
    if process.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(args)}\n{error}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


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
        t = time.perf_counter(); rows = list_claims(session, ClaimFilter(search={word!r}, limit=50))
        search.append(time.perf_counter() - t)
print(json.dumps({{"show": statistics.median(show), "search": statistics.median(search), "hits": len(rows)}}))
"""
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=CHILD_ENV)
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
    edited = text.replace("statement: Synthetic claim 0 ", "statement: Edited synthetic claim 0 ", 1)
    path.write_text(edited, encoding="utf-8")


def floor(corpus: Path) -> tuple[float, float]:
    """The bare single-process C-YAML parse of the corpus's seed files, as its own process."""
    return run([sys.executable, str(HERE / "floor.py"), str(corpus)])


def cpu_figure(name: str, args: list[str], claims: int, baseline: Figure | None, target: str) -> Figure:
    """A step measured with its CPU time, its ratio taken to `baseline`'s wall time."""
    seconds, rss, cpu = measure(args)
    base_seconds = baseline.seconds if baseline else None
    return Figure(name, seconds, rss, claims, baseline.name if baseline else None, base_seconds, target, cpu)


def warm_up(work: Path) -> None:
    """One throwaway command, so Python's bytecode cache is written before anything is timed."""
    run(claims_cmd(work / "warm.db", "--help"))
    run([sys.executable, "-c", "import claimsdb.api, claimsdb.seeds, claimsdb.load.write, yaml, pydantic"])


def benchmark(claims: int, work: Path) -> list[Figure]:
    corpus, db, baseline_db = work / "seeds", work / "claims.db", work / "baseline.db"
    generate(corpus, claims)
    figures: list[Figure] = []

    floor_s, floor_rss = floor(corpus)
    figures.append(Figure("floor: C-YAML parse of the seed files", floor_s, floor_rss, claims))
    base_s, base_rss = run([sys.executable, str(HERE / "baseline.py"), str(corpus), str(baseline_db)])
    figures.append(Figure("baseline: plain pipeline (load)", base_s, base_rss, claims))

    seconds, rss = run(claims_cmd(db, "load", str(corpus), "-q"))
    target = "faster than the baseline; ~10 s at 100,000"
    figures.append(Figure("claims load, cold", seconds, rss, claims, "plain pipeline", base_s, target))
    figures.append(Figure("claims load, cold / floor", seconds, rss, claims, "floor", floor_s, "within 1.5x the floor"))

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
    target = "within 4x of the shell; under 100 MiB"
    figures.append(Figure("claims export", seconds, rss, claims, "sqlite3 shell", shell_s, target))

    timings = query_timings(db, f"c-{claims // 200}-1", "witnesses")
    figures.append(Figure("query time: claims show", timings["show"], 0, 0, target="under 100 ms"))
    search = f"query time: list --search, first page ({timings['hits']} rows)"
    figures.append(Figure(search, timings["search"], 0, 0, target="under 100 ms"))
    figures.append(Figure("claims --help, whole process", help_seconds(), 0, 0, target="under 150 ms"))
    return figures


def touch_one_real_file(corpus: Path, original: str | None = None) -> str:
    """Change one claim's statement in the middle copy's first file of claims, as a curator's edit would
    (to the file's `original` text, when given: the edit made again); returns the text before the edit."""
    files = [p for p in sorted(corpus.glob("copy-*/*.yaml")) if "\nclaims:" in p.read_text(encoding="utf-8")]
    path = files[len(files) // 2]
    text = original if original is not None else path.read_text(encoding="utf-8")
    edited = re.sub(r"^(    statement: )(?=[A-Za-z])", r"\1Edited, ", text, count=1, flags=re.MULTILINE)
    if edited == text:
        raise SystemExit(f"{path}: no claim statement to edit")
    path.write_text(edited, encoding="utf-8")
    return text


def benchmark_real(claims: int, work: Path, repeat: int = 1) -> list[Figure]:
    """The real-shaped corpus: the floor, then cold, nothing-changed and one-file-changed loads.

    With `repeat`, each step runs that many times (the database removed before each cold load,
    the edited file and the database put back before each one-file load) and its median is kept:
    on a shared machine one run can be off by a second. The floor and the cold load take turns.
    """
    corpus, db = work / "real-seeds", work / "real.db"
    written = generate_real(corpus, claims)
    claims = written["claims"]
    label = f"real-shaped ({written['copies']} copies of seeds/)"
    load = claims_cmd(db, "load", str(corpus), "-q")
    floor_step = [sys.executable, str(HERE / "floor.py"), str(corpus)]

    def cold_load() -> Figure:
        for stale in work.glob("real.db*"):
            stale.unlink()
        return cpu_figure(f"{label}: claims load, cold", load, claims, None, "within 1.5x the floor (1.0x)")

    # the floor and the cold load taken in turns, so both see the machine as it is at the time
    # (on a shared machine the same step can take a fifth longer a few minutes later)
    floors, colds = [], []
    for _ in range(repeat):
        floors.append(cpu_figure(f"{label}: floor, C-YAML parse", floor_step, claims, None, ""))
        colds.append(cold_load())
    floor_figure, cold = _middle(floors), _middle(colds)
    cold.paired_ratios = [round(c.seconds / f.seconds, 2) for f, c in zip(floors, colds, strict=True)]
    cold.baseline, cold.baseline_seconds = "floor", floor_figure.seconds
    nothing = _median(repeat, lambda: cpu_figure(f"{label}: load, nothing changed", load, claims, cold,
                                                 "within 0.05x cold"))  # fmt: skip
    saved = {path: path.read_bytes() for path in work.glob("real.db*")}
    original = touch_one_real_file(corpus)

    def one_file_changed() -> Figure:
        for path, data in saved.items():
            path.write_bytes(data)
        touch_one_real_file(corpus, original)
        return cpu_figure(f"{label}: load, one file changed", load, claims, cold, "within 0.1x cold")

    one = _median(repeat, one_file_changed)
    nothing.baseline = one.baseline = "cold load"
    figures = [floor_figure, cold, nothing, one]
    return figures


def _median(repeat: int, step: Callable[[], Figure]) -> Figure:
    """The run of `step` with the median wall time, its CPU time that run's."""
    return _middle([step() for _ in range(repeat)])


def _middle(runs: list[Figure]) -> Figure:
    """The run with the median wall time (the upper one of an even number), with every run's time."""
    middle = sorted(runs, key=lambda figure: figure.seconds)[len(runs) // 2]
    if len(runs) > 1:
        middle.runs = [round(figure.seconds, 3) for figure in runs]
    return middle


def report(figures: list[Figure], claims: int) -> None:
    print(f"\nclaimsdb benchmark, {claims:,} claims, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{'step':<64} {'seconds':>9} {'CPU s':>7} {'claims/s':>10} {'peak MiB':>9} {'x baseline':>10}  target")
    for figure in figures:
        row = figure.row()
        per_second = f"{row['claims_per_second']:,}" if row["claims_per_second"] else ""
        rss = f"{figure.peak_rss_mib:.0f}" if figure.peak_rss_mib else ""
        ratio = f"{figure.ratio:.2f}" if figure.ratio is not None else ""
        cpu = f"{figure.cpu_seconds:.2f}" if figure.cpu_seconds is not None else ""
        print(f"{figure.name:<64} {figure.seconds:>9.3f} {cpu:>7} {per_second:>10} {rss:>9} {ratio:>10}  "
              f"{figure.target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the working folder (corpus, databases, CSVs)")
    parser.add_argument("--corpus", choices=("synthetic", "real", "both"), default="synthetic",
                        help="which corpus to measure (real: seeds/ copied to about --claims claims)")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3,
                        help="run each real-shaped step this many times and keep the median (default 3)")  # fmt: skip
    args = parser.parse_args()
    if args.corpus != "real" and shutil.which("sqlite3") is None:
        raise SystemExit("the export baseline needs the sqlite3 shell (Debian: apt-get install sqlite3)")
    work = Path(tempfile.mkdtemp(prefix="claimsdb-bench-"))
    try:
        warm_up(work)
        figures = benchmark(args.claims, work) if args.corpus != "real" else []
        if args.corpus != "synthetic":
            figures += benchmark_real(args.claims, work, args.repeat)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    report(figures, args.claims)
    if args.out:
        payload = {"claims": args.claims, "corpus": args.corpus, "cores": os.cpu_count(),
                   "python": sys.version.split()[0], "load_average": os.getloadavg(),
                   "figures": [f.row() for f in figures]}  # fmt: skip
        args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"\nfigures written to {args.out}")


if __name__ == "__main__":
    main()
