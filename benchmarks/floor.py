"""The floor a load is measured against: PyYAML's C loader merely parsing the seed files.

One process, no claimsdb import, no validation, no documents, no database: the least any YAML
loader must do with the same files. A load "at the floor" costs no more than this parse.

    python benchmarks/floor.py SEEDS_DIR
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import yaml


def main(seeds: Path) -> None:
    paths = sorted(
        Path(d) / name for d, _, names in os.walk(seeds) for name in names
        if name.endswith((".yaml", ".yml", ".json")) and not name.startswith(".")
    )  # fmt: skip
    for path in paths:
        with path.open("rb") as f:
            yaml.load(f, Loader=yaml.CSafeLoader)
    print(len(paths))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
