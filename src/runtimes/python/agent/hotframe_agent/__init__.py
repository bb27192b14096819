"""hotframe's in-process agent for Python: instruments the program's own modules at import and
patches them in place when the controller sends a new version of a file. Standard library only.

In-process API (used by hotframe's debugger and by tests):
    patch(file, source) -> PatchResult dict      apply a new version of a loaded file
    restart(frame)                               restart a frame of the calling thread
    signal_for(frame) -> HotframeRestart         the exception a trace function raises to do so
"""

from .restarts import HotframeRestart, restart, signal_for


def patch(file, source):
    """Apply `source` as the new text of the loaded `file`; return a PatchResult dict."""
    from . import patcher  # (the patch machinery is imported when first needed: start-up cost)

    return patcher.patch(file, source)


__all__ = ["patch", "restart", "signal_for", "HotframeRestart"]
