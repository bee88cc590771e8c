"""The benchmark must not rot: run it small and check it reports every figure (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import PROJECT


def test_benchmark_runs_and_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    result = subprocess.run(
        [sys.executable, str(PROJECT / "benchmarks" / "bench.py"), "--claims", "1000", "--corpus", "both",
         "--repeat", "2", "--out", str(out)],
        capture_output=True, text=True, check=False, cwd=PROJECT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures = json.loads(out.read_text())
    names = [f["name"] for f in figures["figures"]]
    for expected in ("floor: C-YAML parse of the seed files", "baseline: plain pipeline (load)", "claims load, cold",
                     "claims load, cold / floor", "claims load, cold, JSON seeds",
                     "claims load, nothing changed", "claims load, one file changed", "claims export",
                     "query time: claims show", "claims --help, whole process"):  # fmt: skip
        assert any(name.startswith(expected) for name in names), expected
    assert all(f["seconds"] > 0 for f in figures["figures"])
    cold = next(f for f in figures["figures"] if f["name"] == "claims load, cold")
    assert cold["claims"] == 1000 and cold["peak_rss_mib"] > 0 and cold["ratio_to_baseline"] > 0
    assert "claimsdb benchmark, 1,000 claims" in result.stdout
    real = {f["name"].split(": ", 1)[1]: f for f in figures["figures"] if f["name"].startswith("real-shaped (")}
    assert set(real) == {"floor, C-YAML parse", "claims load, cold", "load, nothing changed", "load, one file changed"}
    assert all(f["claims"] >= 1000 and f["seconds"] > 0 and f["peak_rss_mib"] > 0 for f in real.values())
    for name, baseline in (("claims load, cold", "floor"), ("load, nothing changed", "cold load"),
                           ("load, one file changed", "cold load")):  # fmt: skip
        assert real[name]["baseline"] == baseline and real[name]["ratio_to_baseline"] > 0, name
        assert len(real[name]["runs"]) == 2 and round(real[name]["seconds"], 3) in real[name]["runs"], name
    assert len(real["claims load, cold"]["paired_ratios"]) == 2
    assert "real-shaped (" in result.stdout
