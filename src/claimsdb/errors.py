"""Error types shared by every layer.

The library raises these; only the CLI turns them into messages and exit codes. Nothing here
imports anything heavy, so the CLI can catch them without paying for SQLAlchemy or pydantic.
"""

from __future__ import annotations

from dataclasses import dataclass


def dotted(loc: tuple[str | int, ...]) -> str:
    """A location in a seed file as a curator reads it: claims[3].quote."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


class ClaimsError(Exception):
    """Base of every error a user can act on; its text is the whole message."""


@dataclass(frozen=True, order=True)
class SeedIssue:
    """One problem in one seed file, located so a curator can jump straight to it.

    `column` (from 1, in characters) is given where the line alone is not enough, as for YAML
    syntax: printed `path:line:column:` as compilers do, so editors jump to the very spot.
    """

    path: str
    line: int | None
    message: str
    column: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        where += f":{self.column}" if self.line and self.column else ""
        return f"{where}: {self.message}"


class SeedError(ClaimsError):
    """Every problem found in a set of seed files, reported together."""

    def __init__(self, issues: list[SeedIssue]) -> None:
        self.issues = sorted(set(issues), key=lambda i: (i.path, i.line or 0, i.column or 0, i.message))
        super().__init__(self._text())

    def _text(self) -> str:
        count = len(self.issues)
        head = f"{count} problem{'s' if count != 1 else ''} in the seeds; nothing was written:"
        return "\n".join([head, *(f"  {issue}" for issue in self.issues)])


class NotFound(ClaimsError):
    """An id the user asked for is not in the database; the message names the closest ones."""


class DatabaseStateError(ClaimsError):
    """The database is missing, unmigrated, too old or too new for this claimsdb."""
