"""Progress bars appear for a person at a terminal, and nowhere else (pipes, CI, --quiet)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest


def _run(args: list[str], *, terminal: bool, env: dict[str, str]) -> str:
    """Run `python -m claimsdb ARGS` with stderr on a pseudo-terminal or a pipe; return stderr."""
    if not terminal:
        result = subprocess.run(
            [sys.executable, "-m", "claimsdb", *args], capture_output=True, text=True, env=env, check=False
        )
        assert result.returncode == 0, result.stderr
        return result.stderr
    controller, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "claimsdb", *args], stdout=subprocess.DEVNULL, stderr=follower, env=env
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert process.wait(timeout=120) == 0
    os.close(controller)
    return b"".join(chunks).decode("utf-8", errors="replace")


@pytest.fixture
def person_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    return {**env, "COLUMNS": "120", "TERM": "xterm-256color"}


def test_load_and_export_show_progress_at_a_terminal(
    basic_seeds: Path, sqlite_path: str, person_env: dict[str, str]
) -> None:
    shown = _run(["--db", sqlite_path, "load", str(basic_seeds)], terminal=True, env=person_env)
    assert "Parsing seed files" in shown
    exported = _run(["--db", sqlite_path, "export"], terminal=True, env=person_env)
    assert "Exporting claims" in exported


@pytest.mark.parametrize(
    ("case", "terminal", "extra_args", "ci"),
    [("pipe", False, [], False), ("ci", True, [], True), ("quiet", True, ["--quiet"], False)],
)
def test_no_progress_in_pipes_ci_or_quiet(
    basic_seeds: Path,
    sqlite_path: str,
    person_env: dict[str, str],
    case: str,
    terminal: bool,
    extra_args: list[str],
    ci: bool,
) -> None:
    env = {**person_env, **({"CI": "true"} if ci else {})}
    stderr = _run(["--db", sqlite_path, "load", str(basic_seeds), *extra_args], terminal=terminal, env=env)
    assert "Parsing seed files" not in stderr, case
