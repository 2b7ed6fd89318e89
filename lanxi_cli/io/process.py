"""What a writer asks of processes and signals: whether a process still
runs (a temporary file or a lock left by a killed lanxi), and SIGTERM and
SIGHUP held back while a write must finish. Below `save` and `gitio`,
which both use it."""

from __future__ import annotations

import contextlib
import os
import signal


def alive(pid: int) -> bool:
    """Whether process `pid` still runs (someone else's counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid > 0  # someone else's process
    return True


_DEFERRED = frozenset(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextlib.contextmanager
def signals_deferred():
    """SIGTERM and SIGHUP wait until the block ends (then act as usual): a
    temporary file is never left behind by `kill` or a closed terminal."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _DEFERRED)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
