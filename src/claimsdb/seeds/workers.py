"""The worker processes that parse seed files: multiprocessing's Pool, minus one busy wait.

Since Python 3.8 (bpo-35493) the Pool's worker-handler thread sleeps until a worker ends, or until
a result is waiting in the pipe the workers send results down. The second is meant for pools
whose workers retire after a number of tasks; ours never do (no `maxtasksperchild`). But while a
result waits there, unread because the result-handler thread is waiting for Python's lock, the
worker handler wakes, finds nothing to do, and waits again, at once woken again: it spins, and on
a load that keeps every core busy it takes a tenth of the main process's time, and the lock from
the threads doing the work. So this Pool waits for what its workers can tell it without a result:
that one has ended (its process sentinel), or that the pool changed (its change notifier).
"""

from __future__ import annotations

from multiprocessing.connection import Connection
from multiprocessing.pool import Pool


class QuietPool(Pool):
    """A multiprocessing Pool whose worker handler is not woken by waiting results (see above).

    For pools without `maxtasksperchild` only: a worker that retires after its tasks is noticed
    when its process ends, as one that fails is.
    """

    def _get_sentinels(self) -> list[Connection]:
        notifier = getattr(self, "_change_notifier", None)
        if notifier is None:  # a Python whose Pool is built otherwise: its own sentinels, as they are
            return super()._get_sentinels()  # type: ignore[misc, no-any-return]
        return [notifier._reader]
