"""Loading 10⁴–10⁵ records at once, without the cyclic garbage collector in the way.

Records hold no reference cycles, yet each batch of 700 new objects starts a
collection that walks the young ones, and every tenth of those walks the
older ones again: a good part of a large load. So the collector is paused
while records are built, and what was built is then frozen (gc.freeze: out
of every later collection's way) for the short rest of the run; reference
counting still frees whatever is dropped.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def loading():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def release() -> None:
    """Hand what earlier loads froze back to the collector, and collect: for
    a process that reads one data folder after another (`county`), where a
    town's garbage frozen with it would otherwise stay to the end."""
    gc.unfreeze()
    gc.collect()
