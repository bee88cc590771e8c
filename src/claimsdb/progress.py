"""Progress of long work, reported to whoever is interested; the library never draws anything.

The CLI passes a rich progress bar on stderr when `bar_wanted` says a person is watching a
terminal; everything else (pipes, CI, `--quiet`, library callers) gets NO_PROGRESS, which ignores
every call.
"""

from __future__ import annotations

import os
from typing import Protocol


def bar_wanted(*, quiet: bool, terminal: bool) -> bool:
    """Whether to draw a progress bar: only for a person watching a terminal, and never under
    `--quiet` or in CI (whose logs would fill with redrawn bars)."""
    return terminal and not quiet and not os.environ.get("CI")


class Progress(Protocol):
    def phase(self, description: str, total: int | None = None) -> None:
        """A new stage of the work begins; `total` units if known."""

    def advance(self, amount: int = 1) -> None:
        """`amount` more units of the current stage are done."""


class _Silent:
    def phase(self, description: str, total: int | None = None) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass


NO_PROGRESS: Progress = _Silent()
