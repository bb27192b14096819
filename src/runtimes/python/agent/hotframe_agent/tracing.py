"""How the debugger hears that a line is about to run: the only module that talks to the
interpreter's tracing machinery. Two implementations of one interface:

* Monitoring (3.12+, sys.monitoring): LINE events are enabled only on the code objects that have
  breakpoints or that a step runs through; every other location costs nothing. A line of such a
  code object that is not needed returns DISABLE (re-enabled by restart_events() when what is
  needed changes). Stepping into calls enables LINE globally until the stop; locations outside
  the program's own code return DISABLE then.
* Settrace (3.10/3.11): breakpoints are compiled into the functions' code (codebreaks.py), so no
  trace function runs for them. sys.settrace is installed only while something needs it, and
  only on the threads that need it: a step; a breakpoint line that cannot be compiled in (module
  level, a loop header); a frame that was already running when a breakpoint was set in its
  function (until it returns). The thread that resumes from a pause installs it for itself and
  its running frames; threads started later get it through threading.settrace when needed.

The interface: ``arm(stops, step_codes, stepping)`` says where the breakpoints are ((file, line)
keys), which code objects a step needs line events in, and whether a step needs them
everywhere; ``resume_thread(frame)`` is called on a thread that leaves a pause (and before a
restarted call); ``forget(file)`` before a patch of the file (its breakpoints are placed
again after it). ``on_line(frame, line)`` is the
debugger's callback: it returns True when the location is still needed, False when it may be
disabled. ``watch_exceptions(on_exception)`` (None: stop) reports exceptions: on_exception(frame,
line, exception) is called when one is raised in or propagates into a frame (3.12+: RAISE
events, enabled only while a filter is on; ``reports_arrival``), or on 3.10/3.11 when one leaves
an instrumented frame (its restart wrapper's hook, transform.py: no trace function); it returns
a HotframeRestart to raise instead, or None.
"""

import builtins

import dis
import sys
import threading

from . import breakpoints, codebreaks, units


def make(on_line):
    if hasattr(sys, "monitoring"):
        return Monitoring(on_line)
    return Settrace(on_line)


class Monitoring:
    name = "sys.monitoring"
    reports_arrival = True  # RAISE fires in every frame an exception reaches, its catcher too
    compiles_in = False  # no breakpoint is compiled into the code (codebreaks.py)

    def __init__(self, on_line):
        monitoring = sys.monitoring  # pyright: ignore[reportAttributeAccessIssue]
        self._monitoring = monitoring
        self._tool = monitoring.DEBUGGER_ID
        monitoring.use_tool_id(self._tool, "hotframe")
        self._line = monitoring.events.LINE
        self._raise = monitoring.events.RAISE
        self._disable = monitoring.DISABLE
        self._on_line = on_line
        self._on_exception = None
        self._stepping = False
        self._armed = set()  # code objects with local LINE events
        monitoring.register_callback(self._tool, self._line, self._callback)
        monitoring.register_callback(self._tool, self._raise, self._raised)

    def _callback(self, code, line):
        if self._on_line(sys._getframe(1), line):
            return None
        return self._disable

    def _raised(self, code, offset, exception):
        on_exception = self._on_exception
        if on_exception is None:
            return
        frame = sys._getframe(1)
        restart = on_exception(frame, frame.f_lineno, exception)
        if restart is not None:
            raise restart  # replaces the exception, where it was raised: the frame's wrapper restarts

    def watch_exceptions(self, on_exception):
        self._on_exception = on_exception
        self._set_events()

    def _set_events(self):
        events = (self._line if self._stepping else 0) | (self._raise if self._on_exception else 0)
        self._monitoring.set_events(self._tool, events)

    def arm(self, stops, step_codes, stepping):
        codes = set(step_codes)
        for file, lines in breakpoints.lines_by_file(stops).items():
            codes |= breakpoints.codes_at(file, lines)
        monitoring = self._monitoring
        for code in self._armed - codes:
            monitoring.set_local_events(self._tool, code, 0)
        for code in codes - self._armed:
            monitoring.set_local_events(self._tool, code, self._line)
        self._armed = set(codes)
        self._stepping = stepping
        self._set_events()
        monitoring.restart_events()  # what was disabled may be needed now

    def resume_thread(self, frame):
        pass  # events are per code object, for every thread

    def raise_in(self, frame, exception):
        raise exception  # 3.12+: the first line event is inside the function's `try`

    def forget(self, file):
        pass


class Settrace:
    name = "sys.settrace"
    reports_arrival = False  # the hook hears of an exception as it leaves a function
    compiles_in = True  # breakpoints are compiled into the code: a traced line may run one too

    def __init__(self, on_line):
        self._on_line = on_line
        self._codes = set()  # new calls of these need line events
        self._running = set()  # frames already running these need line events (codebreaks)
        self._stepping = False
        self._files = set()  # files with breakpoints compiled in

    def _global(self, frame, event, arg):
        code = frame.f_code
        if code in self._codes or (self._stepping and units.is_instrumented(code)):
            return self._local
        return None

    def _local(self, frame, event, arg):
        if event == "line":
            self._on_line(frame, frame.f_lineno)
        elif event == "return":
            self._maybe_stop_tracing(frame)
        elif event == "opcode" and frame is self._raise_in and frame.f_lasti > self._raise_after:
            exception, self._raise_in = self._raise_with, None
            frame.f_trace_opcodes = False
            raise exception
        return self._local

    @property
    def active(self):
        """New calls need tracing (threads started from now on trace from their start)."""
        return bool(self._codes) or self._stepping

    def arm(self, stops, step_codes, stepping):
        by_file = breakpoints.lines_by_file(stops)
        for file in self._files - set(by_file):
            codebreaks.remove(file)
        codes = set(step_codes)
        for file, lines in by_file.items():
            unit = units.first_for_file(file)
            if unit is not None:
                codes |= breakpoints.codes_at(file, codebreaks.place(unit, lines))
        self._files = set(by_file)
        self._codes = codes
        self._running = codebreaks.compiled_in()
        self._stepping = stepping
        threading.settrace(self._global if self.active else None)

    def forget(self, file):
        codebreaks.remove(file)
        self._files.discard(file)

    def watch_exceptions(self, on_exception):
        setattr(builtins, "__hotframe_unwinding__", None if on_exception is None else _unwinding_hook(on_exception))

    def _needs(self, frame):
        """Whether some frame from `frame` down needs line events (a step needs them all). A
        frame may run an older breakpoint version (it paused at one of its breakpoints, and
        another was set since): it stands for its plain code."""
        while frame is not None:
            code = frame.f_code
            if code in self._codes or code in self._running or codebreaks.plain(code) in self._running:
                return True
            frame = frame.f_back
        return False

    def _maybe_stop_tracing(self, frame):
        if not self.active and not self._needs(frame.f_back):
            sys.settrace(None)  # the last frame that needed it returns: full speed again

    def resume_thread(self, frame):
        """On the resuming thread: trace it (its frames already running too) or stop tracing."""
        if not self.active and not self._needs(frame):
            sys.settrace(None)
            return
        sys.settrace(self._global)
        while frame is not None:
            if units.is_instrumented(frame.f_code):
                frame.f_trace = self._local
            frame = frame.f_back

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


def unprotected_until(frame):
    """3.10: the offset of the SETUP_FINALLY of the restart wrapper (transform.py) when `frame`
    has not run it yet, else None (always None from 3.11 on: exception tables cover the body)."""
    if sys.version_info >= (3, 11):
        return None
    for instruction in dis.get_instructions(frame.f_code):
        if instruction.opname == "SETUP_FINALLY":
            return instruction.offset if frame.f_lasti <= instruction.offset else None
    return None


def _unwinding_hook(on_exception):
    """3.10/3.11: what an instrumented frame's handler calls while an exception leaves it: it
    raises the HotframeRestart the debugger answers with, if any (transform.py)."""

    def unwinding():
        frame = sys._getframe(1)
        exception = sys.exc_info()[1]
        restart = on_exception(frame, raised_at(frame, exception), exception)
        if restart is not None:
            raise restart

    return unwinding


def raised_at(frame, exception):
    """The line of `frame` the exception came from (its traceback's entry for the frame): in the
    frame's handler, f_lineno is the function's first line (transform.py)."""
    line = frame.f_lineno
    tb = exception.__traceback__
    while tb is not None:
        if tb.tb_frame is frame:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
