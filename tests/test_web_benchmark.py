"""benchmarks/web.py must not rot: run it small and check it reports every page (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import PROJECT


def test_web_benchmark_runs_and_reports_every_page(tmp_path: Path) -> None:
    out = tmp_path / "web.json"
    script = str(PROJECT / "benchmarks" / "web.py")
    command = [sys.executable, script, "--claims", "300", "--repeat", "1", "--out", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=PROJECT, timeout=600)
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert report["claims"] == 300 and report["backend"] == "sqlite"
    figures = {figure["name"]: figure for figure in report["figures"]}
    for name in ("front page", "filtered: a type and a claimant", "search: a common word",
                 "search: a rare word (one claim's tag)", "claim page"):  # fmt: skip
        assert figures[name]["status"] == 200 and figures[name]["warm_ms"] > 0, name
    assert figures["front page"]["shown"] == "300 claims", "a small database is counted exactly"
    assert figures["search: a rare word (one claim's tag)"]["shown"].endswith("claims")
    assert "claimsdb web, 300 claims" in result.stdout
