"""How the debugger hears that a line is about to run: the only module that talks to the
interpreter's tracing machinery. Two implementations of one interface:

* Monitoring (3.12+, sys.monitoring): LINE events are enabled only on the code objects that have
  breakpoints or that a step runs through; every other location costs nothing. A line of such a
  code object that is not needed returns DISABLE (re-enabled by restart_events() when what is
  needed changes). Stepping into calls and pausing a running thread enable LINE globally until
  the stop; locations outside the program's own code return DISABLE then.
* Settrace (3.10/3.11): sys.settrace is installed only while breakpoints exist or a step runs,
  and only on the threads that need it: the thread that resumes from a pause installs it for
  itself (and for its running frames); threads started later get it through threading.settrace.
  A trace function costs 4–9× on call-heavy code on these versions (facts-python.md); compiling
  breakpoints into the functions' code instead is not done yet (docs/debugger.md).

The interface: ``arm(codes, stepping)`` says which code objects need line events and whether a
step or pause needs them everywhere; ``resume_thread(frame)`` is called on a thread that leaves a
pause (and before a restarted call). ``on_line(frame, line)`` is the debugger's callback: it
returns True when the location is still needed, False when it may be disabled.
"""

import dis
import sys
import threading

from . import registry


def make(on_line):
    if hasattr(sys, "monitoring"):
        return Monitoring(on_line)
    return Settrace(on_line)


class Monitoring:
    name = "sys.monitoring"

    def __init__(self, on_line):
        monitoring = sys.monitoring
        self._monitoring = monitoring
        self._tool = monitoring.DEBUGGER_ID
        monitoring.use_tool_id(self._tool, "hotframe")
        self._line = monitoring.events.LINE
        self._disable = monitoring.DISABLE
        self._on_line = on_line
        self._armed = set()  # code objects with local LINE events
        monitoring.register_callback(self._tool, self._line, self._callback)

    def _callback(self, code, line):
        if self._on_line(sys._getframe(1), line):
            return None
        return self._disable

    def arm(self, codes, stepping):
        monitoring = self._monitoring
        for code in self._armed - codes:
            monitoring.set_local_events(self._tool, code, 0)
        for code in codes - self._armed:
            monitoring.set_local_events(self._tool, code, self._line)
        self._armed = set(codes)
        monitoring.set_events(self._tool, self._line if stepping else 0)
        monitoring.restart_events()  # what was disabled may be needed now

    def resume_thread(self, frame):
        pass  # events are per code object, for every thread

    def raise_in(self, frame, exception):
        raise exception  # 3.12+: the first line event is inside the function's `try`


class Settrace:
    name = "sys.settrace"

    def __init__(self, on_line):
        self._on_line = on_line
        self._codes = set()
        self._stepping = False

    def _global(self, frame, event, arg):
        code = frame.f_code
        if code in self._codes or (self._stepping and registry.is_instrumented(code)):
            return self._local
        return None

    def _local(self, frame, event, arg):
        if event == "line":
            self._on_line(frame, frame.f_lineno)
        elif event == "opcode" and frame is self._raise_in and frame.f_lasti > self._raise_after:
            exception, self._raise_in = self._raise_with, None
            frame.f_trace_opcodes = False
            raise exception
        return self._local

    def raise_in(self, frame, exception):
        """Raise `exception` in `frame` (on its thread, which is leaving a pause) where the
        frame's restart handler catches it: on 3.10 a frame paused on its first line has not set
        up its `try` yet, so the raise waits for the opcode after SETUP_FINALLY."""
        setup = unprotected_until(frame)
        if setup is None:
            raise exception
        self._raise_in, self._raise_after, self._raise_with = frame, setup, exception
        frame.f_trace_opcodes = True
        frame.f_trace = self._local

    _raise_in = None

    @property
    def active(self):
        return bool(self._codes) or self._stepping

    def arm(self, codes, stepping):
        self._codes = set(codes)
        self._stepping = stepping
        # New threads trace from their start; running ones when they next leave a pause.
        threading.settrace(self._global if self.active else None)

    def resume_thread(self, frame):
        """On the resuming thread: trace it (its frames already running too) or stop tracing."""
        if not self.active:
            sys.settrace(None)
            return
        sys.settrace(self._global)
        while frame is not None:
            if registry.is_instrumented(frame.f_code):
                frame.f_trace = self._local
            frame = frame.f_back


def unprotected_until(frame):
    """3.10: the offset of the SETUP_FINALLY of the restart wrapper (transform.py) when `frame`
    has not run it yet, else None (always None from 3.11 on: exception tables cover the body)."""
    if sys.version_info >= (3, 11):
        return None
    for instruction in dis.get_instructions(frame.f_code):
        if instruction.opname == "SETUP_FINALLY":
            return instruction.offset if frame.f_lasti <= instruction.offset else None
    return None
