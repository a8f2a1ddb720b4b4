"""Python's cycle collector paused while a whole diary is held in memory (export, import, check).

Reading ten years of entries makes hundreds of thousands of small dicts and tuples and no reference cycles;
every full collection meanwhile walks all of them again, for nothing. Reference counting still frees
everything. (report.collector_paused does the same for reports.)
"""

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block, restored afterwards (a test run goes on in the same process)."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
