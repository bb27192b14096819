"""Preparing each module's first patch in idle time.

Start-up makes nothing for a patch while the program imports: each file's definitions are
indexed (live_definitions.make_waiting) once the program has stopped importing for a moment,
by this thread, one file at a time (or at once, by whatever needs them first).

A patch compares the new text with the running version's outline (shape.py), and a module
loaded from the code cache (or imported, whose syntax tree is not kept by the import) has none
yet: its first patch would parse the whole file — 5 to 20 times what a later patch costs. So
once the program has stopped importing for a moment, a background thread parses each such
module, a few hundred lines at a time (incremental.parse_in_pieces), and gives the GIL back
in between: the program's threads wait at most one piece. The patch machinery, which start-up
does not import, is imported then too. Until that is done, a patch parses
what it needs itself, or waits for the piece in progress (units.Unit.prepare).
"""

import _thread
import importlib
import time

from . import agent_threads, live_definitions

_SETTLED = 0.2  # seconds without a module loaded before preparing starts
_pending = []  # Units loaded whose outline is not made yet, first loaded first
_more = _thread.allocate_lock()  # held while there is nothing to prepare (later() releases it)
_last_loaded = [0.0]
_started = [False]


def start():
    """Prepare from now on (under the controller; the in-process tests patch synchronously)."""
    if not _started[0]:
        _started[0] = True
        _last_loaded[0] = time.monotonic()
        _more.acquire()
        agent_threads.start(_run)


def later(unit):
    """`unit` was loaded without an outline: prepare it once the program stops importing."""
    if not _started[0]:
        return
    _pending.append(unit)
    _last_loaded[0] = time.monotonic()
    try:
        _more.release()
    except RuntimeError:
        pass  # (already released: the thread has more to do)


def _run():
    try:
        _prepare()
    except BaseException:  # (at interpreter shutdown, say): a patch prepares what it needs itself
        pass


def _prepare():
    _settle()
    live_definitions.make_waiting(_pause)
    importlib.import_module(__name__.rsplit(".", 1)[0] + ".patcher")  # the patch machinery (main.py)
    while True:
        _more.acquire()
        _settle()
        live_definitions.make_waiting(_pause)
        while _pending:
            _pending.pop(0).prepare(_pause)
            _settle()


def _settle():
    """Until no module has been loaded for a moment."""
    while True:
        quiet = _last_loaded[0] + _SETTLED - time.monotonic()
        if quiet <= 0:
            return
        time.sleep(quiet)  # (a module loaded meanwhile moves the moment on)


def _pause():
    time.sleep(0)  # gives the GIL to a thread waiting for it
