"""Instrumenting or patching a file allocates a whole syntax tree: without pausing the cyclic GC
it would run (full collections included) in the middle, and cost in proportion to the heap."""

import contextlib
import gc


@contextlib.contextmanager
def paused():
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
