"""claimsdb: attributed claims about human-rights abuses, each anchored to its exact words.

The public library lives in `claimsdb.api`; this module stays light so `claims --help` is fast.
"""

__version__ = "0.2.0"
