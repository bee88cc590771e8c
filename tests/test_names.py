"""One name per concept: each `claims` command calls the `claimsdb.api` function of its name (or,
for a listing, list_<what>), and that function the module function of the same name; the
exceptions are the ones api's docstring names."""

from __future__ import annotations

import importlib
import inspect

import pytest
import typer

from claimsdb import api
from claimsdb.cli import app

LISTINGS = {"list": "list_claims", "sources": "list_sources", "claimants": "list_claimants", "runs": "list_runs"}
"""Commands named for what they list; their functions are list_<what>, here and in query."""
EXCEPTIONS = {
    "export": ("export_csv", "export_package", "export_annotations", "export_annotations_file"),
    "serve": (),
}
"""Commands with no function of their name, each named in api's docstring."""
MODULE_FUNCTIONS = {
    "show": "claimsdb.provenance",
    "stats": "claimsdb.query",
    "figures": "claimsdb.figures",
    "contradicts": "claimsdb.figures",
    "verify": "claimsdb.verify",
    "migrate": "claimsdb.db.migrate",
    "list_claims": "claimsdb.query",
    "list_sources": "claimsdb.query",
    "list_claimants": "claimsdb.query",
    "list_runs": "claimsdb.query",
}
"""The module function of the same name each api function calls."""

COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_calls_the_api_function_of_its_name(command: str) -> None:
    if command in EXCEPTIONS:
        assert f"`{command}`" in (api.__doc__ or ""), f"api's docstring does not name the exception {command}"
        for name in EXCEPTIONS[command]:
            assert inspect.isfunction(getattr(api, name, None)), name
        return
    name = LISTINGS.get(command, command)
    function = getattr(api, name, None)
    assert inspect.isfunction(function) and function.__module__ == "claimsdb.api", f"no api.{name} for `{command}`"
    assert f"`{command}`" in (api.__doc__ or "")
    source = inspect.getsource(typer.main.get_command(app).commands[command].callback)  # type: ignore[attr-defined]
    assert f"api.{name}(" in source, f"`{command}` does not call api.{name}"


@pytest.mark.parametrize("name", sorted(MODULE_FUNCTIONS))
def test_each_api_function_calls_the_module_function_of_its_name(name: str) -> None:
    module = importlib.import_module(MODULE_FUNCTIONS[name])
    assert inspect.isfunction(getattr(module, name, None)), f"no {module.__name__}.{name}"
    body = inspect.getsource(getattr(api, name))
    short = module.__name__.rsplit(".", 1)[-1]
    assert f"{short}.{name}(" in body or f"import {name} as" in body or f"import {short} as" in body, body


def test_no_old_names_are_left() -> None:
    for old in ("claims", "statistics", "denials", "locate", "summary", "sources", "claimants", "runs"):
        assert not hasattr(api, old), f"api.{old} is an old name"
