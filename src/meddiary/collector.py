"""Python's cycle collector paused while a long piece of work holds many objects: a report (loaded, built,
rendered and written), export, import, check.

Reading ten years of entries makes hundreds of thousands of small objects and no reference cycles; every
full collection meanwhile walks all of them again, for nothing (in a report: a large part of rendering ten
years, growing faster than the report at forty). Reference counting still frees everything.
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
            # What the block made counts as old, as if collections had run: re-enabled as it is, the
            # collector's first collection would walk everything the block made (still alive: the caller's
            # diary or document), 30-50 ms of a ten-year check or import. freeze, then unfreeze, moves every
            # tracked object to the oldest generation and zeroes the young one's count, in constant time.
            gc.freeze()
            gc.unfreeze()
            gc.enable()
