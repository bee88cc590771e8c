"""Seed files -> validated, anchored records. `read_seeds(root)` is the whole public surface."""

from claimsdb.seeds.read import read_seeds

__all__ = ["read_seeds"]
