"""The read-only web site (`claims serve`): server-rendered pages over the library, no JavaScript.

Imported only by `claims serve` and the tests, never at CLI start-up, so `claims --help` stays fast.
"""

from claimsdb.web.app import create_app

__all__ = ["create_app"]
