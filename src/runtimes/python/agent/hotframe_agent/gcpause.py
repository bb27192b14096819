"""Instrumenting or patching a file allocates a whole syntax tree: without pausing the cyclic GC
it would run (full collections included) in the middle, and cost in proportion to the heap."""

import gc


class paused:
    """with paused(): ... runs without the cyclic GC (as it was, after). A class, not a
    contextlib.contextmanager: contextlib is not imported at start-up."""

    def __enter__(self):
        self.collecting = gc.isenabled()
        gc.disable()

    def __exit__(self, *exception):
        if self.collecting:
            gc.enable()
