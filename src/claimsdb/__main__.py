"""`python -m claimsdb` runs the `claims` command."""

from claimsdb.cli import app

app(prog_name="claims")
