"""Restarting a frame of an instrumented function with the newest code and its original arguments.

Every instrumented body is wrapped so that a HotframeRestart reaching it calls
``HotframeRestart.again(<original arguments>)`` in its handler (transform.py). Raising a HotframeRestart that targets a frame,
on that frame's thread (from a trace function, or from code the frame called), unwinds the frames
above it — their ``finally`` blocks and ``__exit__`` run — and the target frame returns what a
fresh call of its function (which has the newest code once patched) returns.

It is a BaseException so that ``except Exception`` in the program cannot swallow it.
"""

import sys

from . import live_definitions


class HotframeRestart(BaseException):
    """Raised to restart ``frame``; instrumented frames that are not the target re-raise it."""

    def __init__(self, frame, function):
        super().__init__("hotframe restart of %s" % function.__qualname__)
        self.frame = frame
        self.function = function

    @staticmethod
    def again(*args, **kwargs):
        """Called from the handler of an instrumented frame, with the frame's original arguments,
        for the restart it handles (the handler binds no name: sys.exc_info() has it). The
        caller's frame is the frame being unwound: restart it, or re-raise for a frame below."""
        signal: HotframeRestart = sys.exc_info()[1]  # pyright: ignore[reportAssignmentType]
        function = signal.function
        if function is None or sys._getframe(1) is not signal.frame:
            raise signal
        signal.frame = signal.function = None  # no reference cycle through the frame
        try:
            return function(*args, **kwargs)
        except BaseException as error:
            # The new call runs in the handler of the restart, which is no part of the program's
            # story: an exception leaving it is chained to what the restart was chained to.
            if error.__context__ is signal:
                error.__context__ = signal.__context__
            raise


def function_of(frame):
    """The live function object whose call created `frame` (None if the frame is not of an
    instrumented function). Several closures can share a code object: the one whose cells hold
    the frame's free variables is chosen."""
    definition = live_definitions.of_code(frame.f_code)
    if definition is None:
        return None
    candidates = [f for f in list(definition.functions) if f.__globals__ is frame.f_globals]
    freevars = frame.f_code.co_freevars
    if len(candidates) > 1 and freevars:
        values = frame.f_locals
        candidates = [f for f in candidates if _closure_matches(f, freevars, values)] or candidates
    return candidates[0] if candidates else None


def _closure_matches(function, freevars, values):
    cells = dict(zip(function.__code__.co_freevars, function.__closure__ or ()))
    for name in freevars:
        cell = cells.get(name)
        if cell is None:
            return False
        try:
            content = cell.cell_contents
        except (AttributeError, ValueError):
            return False
        if name in values and values[name] is not content:
            return False
    return True


def signal_for(frame):
    """The exception to raise (on the frame's thread) to restart `frame`.

    ValueError if the frame is not of an instrumented function: nothing is unwound then.
    """
    caller = sys._getframe(1)
    while caller is not None and caller is not frame:
        caller = caller.f_back
    if caller is None:
        raise ValueError("hotframe can only restart a frame of the calling thread's stack")
    function = function_of(frame)
    if function is None:
        raise ValueError("hotframe can only restart frames of instrumented functions: %s" % frame.f_code.co_name)
    return HotframeRestart(frame, function)


def restart(frame):
    """Restart `frame`, which must be on the calling thread's stack (this call raises)."""
    raise signal_for(frame)
