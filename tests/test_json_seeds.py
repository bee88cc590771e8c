"""Machine-made bulk imports as JSON: the same schema, the same validation, the same claims."""

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
    "huffpost-2017-07-20-tjwg-executions",
    "unidentified-2021-12-16-tjwg-concealed-executions",
    "unidentified-undated-unification-ministry-report",
)


def _to_json(seeds_dir: Path) -> None:
    for name in ARTICLES:
        path = seeds_dir / f"{name}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        (seeds_dir / f"{name}.json").write_text(json.dumps(data, default=str, ensure_ascii=False), encoding="utf-8")
        path.unlink()


def test_json_seeds_load_the_same_claims(cli: Cli, tmp_path: Path, seeds_dir: Path, sqlite_path: str) -> None:
    yaml_db = str(tmp_path / "yaml.db")
    assert cli("--db", yaml_db, "load", seeds_dir, "-q").exit_code == 0
    _to_json(seeds_dir)
    result = cli("--db", sqlite_path, "load", seeds_dir, "-q")
    assert result.exit_code == 0, result.output
    from_yaml = {r.id: r for r in api.claims(yaml_db, ClaimFilter())}
    from_json = {r.id: r for r in api.claims(sqlite_path, ClaimFilter())}
    assert from_json == from_yaml
    shown = api.show(sqlite_path, "tjwg-2017-basis-375-interviews")
    assert shown.seed_file == "seeds/huffpost-2017-07-20-tjwg-executions.json" and shown.anchor["verified"]


def test_json_errors_name_the_file_and_where(cli: Cli, seeds_dir: Path) -> None:
    _to_json(seeds_dir)
    path = seeds_dir / f"{ARTICLES[0]}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["claims"][2]["quot"] = data["claims"][2].pop("quote")
    path.write_text(json.dumps(data), encoding="utf-8")
    (seeds_dir / "broken.json").write_text('{"sources": [\n  {"id": "x",\n   "title": }]}', encoding="utf-8")
    (seeds_dir / "twice.json").write_text('{"sources": [], "sources": []}', encoding="utf-8")
    result = cli("check", seeds_dir)
    assert result.exit_code == 1
    assert f"{path}: claims[2].quot: unknown field 'quot'; did you mean 'quote'?" in result.stderr
    assert f"{seeds_dir / 'broken.json'}:3: this is not valid JSON: Expecting value" in result.stderr
    assert f"{seeds_dir / 'twice.json'}: the key 'sources' appears twice in one object; keep one" in result.stderr
