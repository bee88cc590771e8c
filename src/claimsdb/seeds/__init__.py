"""Seed files -> validated, anchored records. `read_seeds(root)` is the whole public surface.

Imported lazily: commands that only read the database use `claimsdb.seeds.records` and should
not pay for pydantic and the YAML parser.
"""

from __future__ import annotations

from typing import Any

__all__ = ["read_seeds"]


def __getattr__(name: str) -> Any:
    if name == "read_seeds":
        from claimsdb.seeds.collect import read_seeds

        return read_seeds
    raise AttributeError(name)
