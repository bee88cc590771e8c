"""Machine-made bulk imports as JSON: the same schema, the same validation, the same claims.

On the tests' own seeds (tests/fixtures/basic), their three articles turned into JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from claimsdb import api
from claimsdb.query import ClaimFilter

Cli = Callable[..., Any]
ARTICLES = (
    "herald-2018-06-14-hrdc-executions",
    "wire-2022-11-03-hrdc-media-executions",
    "undated-ministry-figures",
)


def _to_json(basic_seeds: Path) -> None:
    for name in ARTICLES:
        path = basic_seeds / f"{name}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        (basic_seeds / f"{name}.json").write_text(json.dumps(data, default=str, ensure_ascii=False), encoding="utf-8")
        path.unlink()


def test_json_seeds_load_the_same_claims(cli: Cli, tmp_path: Path, basic_seeds: Path, sqlite_path: str) -> None:
    yaml_db = str(tmp_path / "yaml.db")
    assert cli("--db", yaml_db, "load", basic_seeds, "-q").exit_code == 0
    _to_json(basic_seeds)
    result = cli("--db", sqlite_path, "load", basic_seeds, "-q")
    assert result.exit_code == 0, result.output
    from_yaml = {r.id: r for r in api.list_claims(yaml_db, ClaimFilter())}
    from_json = {r.id: r for r in api.list_claims(sqlite_path, ClaimFilter())}
    assert from_json == from_yaml
    assert len(from_json) == 32
    shown = api.show(sqlite_path, "hrdc-2018-basis-250-interviews")
    assert shown.seed_file == "seeds/herald-2018-06-14-hrdc-executions.json" and shown.anchor.verified


def test_json_errors_name_the_file_and_where(cli: Cli, basic_seeds: Path) -> None:
    _to_json(basic_seeds)
    path = basic_seeds / f"{ARTICLES[0]}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["claims"][2]["quot"] = data["claims"][2].pop("quote")
    path.write_text(json.dumps(data), encoding="utf-8")
    (basic_seeds / "broken.json").write_text('{"sources": [\n  {"id": "x",\n   "title": }]}', encoding="utf-8")
    (basic_seeds / "twice.json").write_text('{"sources": [], "sources": []}', encoding="utf-8")
    result = cli("check", basic_seeds)
    assert result.exit_code == 1
    assert f"{path}: claims[2].quot: unknown field 'quot'; did you mean 'quote'?" in result.stderr
    assert f"{basic_seeds / 'broken.json'}:3: this is not valid JSON: Expecting value" in result.stderr
    assert f"{basic_seeds / 'twice.json'}: the key 'sources' appears twice in one object; keep one" in result.stderr
