"""Finding and hashing seed files: light enough for commands that never parse a seed."""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

SEED_SUFFIXES = (".yaml", ".yml", ".json")
"""YAML for curators; JSON, with the same schema, for machine-made bulk imports."""


def seed_paths(root: Path) -> list[Path]:
    """Every seed file (YAML or JSON) under `root`, sorted, so a load is deterministic."""
    found = [
        Path(dirpath) / name
        for dirpath, _dirnames, filenames in os.walk(root)
        for name in filenames
        if name.endswith(SEED_SUFFIXES) and not name.startswith(".")
    ]
    return sorted(found)


def stored_path(root: Path, path: Path) -> str:
    """How the database names a file under the seeds directory: "<dir name>/<relative path>".

    The folder's own name, whatever it was called on the command line: `load .` inside `seeds/`,
    `load ../seeds` and `load /abs/seeds` all store `seeds/...` (`.` has no name of its own).
    """
    return f"{folder_name(root)}/{path.relative_to(root).as_posix()}"


def disk_path(root: Path, stored: str) -> Path:
    """Where a file the database names `stored` ("<dir name>/<relative path>") is under `root`: the
    inverse of stored_path. The stored folder name is dropped, since the folder may have been
    renamed or given as `.` since (a name without a folder, from older rows, is taken as relative)."""
    return root / stored.split("/", 1)[-1]


def folder_name(root: Path) -> str:
    """The seeds folder's real name: `.`, `..` and `seeds/` resolved, and so are links to it."""
    return _real_name(root.absolute())  # `.` names another folder after a chdir: never cache it as given


@functools.lru_cache(maxsize=64)
def _real_name(root: Path) -> str:
    return root.resolve().name


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
