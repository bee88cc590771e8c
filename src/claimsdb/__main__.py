"""`python -m claimsdb` runs the `claims` command."""

from claimsdb.cli import run

run()
