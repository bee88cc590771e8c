"""The plain pipeline claimsdb's load is measured against: what the simplest loader would do.

PyYAML's C loader -> pydantic validation of each file -> sqlite3.executemany of the claims, in
one process. No quote anchoring, no reference checks, no full-text index, no load runs: less
work than `claims load`, so beating it means the real pipeline is lean.

    python benchmarks/baseline.py SEEDS_DIR DATABASE
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import yaml

from claimsdb.seeds.schema import SeedFile


def main(seeds: Path, database: Path) -> None:
    rows = []
    for path in sorted(seeds.glob("*.yaml")):
        content = SeedFile.model_validate(yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader))
        document = content.document.id if content.document else None
        rows += [(c.id, c.type, c.claimant, c.made_in, document, c.statement, c.quote) for c in content.claims]
    connection = sqlite3.connect(database)
    connection.execute(
        "CREATE TABLE claims (id TEXT PRIMARY KEY, type TEXT, claimant TEXT, made_in TEXT, document TEXT,"
        " statement TEXT, quote TEXT)"
    )
    connection.executemany("INSERT INTO claims VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    connection.commit()
    connection.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
