"""The README is part of the product: its commands exist, and CI runs the test command it gives."""

from __future__ import annotations

import re

import pytest
import typer.main

from claimsdb.cli import app
from claimsdb.seeds.parse import parse_seed_file
from conftest import PROJECT

README = (PROJECT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(typer.main.get_group(app).commands)
_WHEN_CHECK_SAYS_NO = README.split("### When `check` says no\n", 1)[1].split("\n### ", 1)[0]
YAML_MISTAKES = re.findall(r"^\| `(.+?)` \| .+ \| `(.+?)` \|$", _WHEN_CHECK_SAYS_NO, re.MULTILINE)
"""(what a curator wrote, what to write instead) from the table under *When `check` says no*."""


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_documented_in_the_readme(name: str) -> None:
    assert f"`claims {name}" in README


def test_ci_runs_the_readme_test_command() -> None:
    commands = re.findall(r"```sh\n(.+?)\n```", README)
    test_command = next(c for c in commands if c.endswith("uv run --locked pytest"))
    assert test_command in (PROJECT / ".ci" / "run").read_text(encoding="utf-8")


def test_quick_start_has_two_commands_for_a_fresh_machine() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.+?)\n```", quick_start)
    assert len(commands) == 2
    assert commands[0].endswith("uv run --locked claims load")


def test_the_readme_lists_every_command_and_seven_yaml_mistakes() -> None:
    assert len(COMMANDS) > 10 and "load" in COMMANDS
    assert len(YAML_MISTAKES) == 7, YAML_MISTAKES


@pytest.mark.parametrize(("wrong", "right"), YAML_MISTAKES, ids=[wrong for wrong, _ in YAML_MISTAKES])
def test_each_yaml_mistake_in_the_readme_is_caught_and_its_fix_reads_cleanly(wrong: str, right: str) -> None:
    """What a curator wrote is refused (or, for ' #', marked as cut, which `check` refuses in a
    claim's text), and what to write instead reads without either."""
    read, issues = parse_seed_file(f"claim:\n  {wrong}\n".encode(), "x.yaml", "0" * 64)
    assert issues or (read is not None and read.cut)
    read, issues = parse_seed_file(f"claim:\n  {right}\n".encode(), "x.yaml", "0" * 64)
    assert not issues and read is not None and not read.cut
