"""The in-process debugger: breakpoints, pauses, steps and frame restarts, driven by the
controller's "debug" requests over the agent's pipe (no TCP, no second thread of hotframe's).

Threads:
* The paused thread waits inside the tracing callback (tracing.py) for what to do next:
  continue, a step, or a restart of one of its frames (raised from the callback, restarts.py).
* The reader thread (channel.py) answers every request, also while a thread is paused: the
  stack, variables and evaluation read the paused frames directly, and patches are applied
  there as always. The reader thread never pauses (a breakpoint in code it runs is passed).

Stop policy: only the thread that hits a breakpoint (or finishes a step, or is interrupted)
stops; the others keep running, as with pdb. A second thread that hits a breakpoint while one
is paused waits at it until the first resumes, then pauses in turn. Interrupting a running
program ("pause", Ctrl-C) stops the main thread: CPython runs signal handlers there.

Exception pauses (setExceptionBreakpoints "uncaught" / "raised"): the tracer reports an
exception raised in, or leaving, a frame (tracing.py); "uncaught" pauses where it is raised when
catching.py predicts nothing will catch it, the stack intact, so that an edit of the failing
function restarts it and the program goes on as if the exception had not happened.
"""

import builtins
import os
import queue
import signal
import sys
import threading
import time
import traceback

from . import breakpoints, catching, inspection, protocol, reasons, restarts, tracing, units

# Within this many seconds, a second Ctrl-C ends the program instead of pausing it again.
_KILL_WINDOW = 1.0

EXCEPTION_FILTERS = ("uncaught", "raised")
# Never an exception pause: the ways a program (or hotframe) ends or steers itself
# (and whatever is not an Exception: SystemExit, KeyboardInterrupt, asyncio's CancelledError,
# HotframeRestart).
_CONTROL_FLOW = frozenset((StopIteration, StopAsyncIteration))


class _Step:
    """Where the resumed thread stops next, and the pause reason it gives then."""

    __slots__ = ("kind", "thread", "frame", "ancestors", "line", "code", "reason", "target")

    def __init__(self, kind, thread, reason, frame=None, code=None, target=None):
        self.kind = kind  # "in" | "over" | "out" | "until" | "restart"
        self.thread = thread
        self.reason = reason
        self.frame = frame
        # A restart's frame: its restart handler runs on its first line, not a visit of it.
        self.target = target
        self.line = frame.f_lineno if frame is not None else None
        self.code = code
        # The frames that run again once `frame` returns (strong references, for one step).
        self.ancestors = inspection.user_frames(frame.f_back) if frame is not None else []

    def matches(self, frame, line):
        kind = self.kind
        if kind == "in":
            return True
        if kind == "restart":
            return frame.f_code is self.code
        if any(frame is ancestor for ancestor in self.ancestors):
            return True
        if frame is not self.frame:
            return False
        return kind == "over" or (kind == "until" and line > self.line)

    def codes(self):
        """The code objects that need line events for this step (all of them for "in")."""
        if self.kind == "restart":
            return {self.code}
        frames = [] if self.kind == "in" else [self.frame] + self.ancestors
        return {f.f_code for f in frames if units.is_instrumented(f.f_code)}  # pyright: ignore[reportOptionalMemberAccess]


class _Pause:
    __slots__ = ("thread", "frame", "reason", "actions", "handles", "line", "exception")

    def __init__(self, thread, frame, reason, line=None, exception=None):
        self.thread = thread
        self.frame = frame
        self.reason = reason
        self.actions = queue.SimpleQueue()  # what the reader thread tells the paused thread
        self.handles = inspection.Handles()
        # An exception pause: the line it was raised at in `frame` (3.10/3.11 pause in the
        # frame's handler, whose f_lineno is not that line), and (exception, breakMode).
        self.line = line
        self.exception = exception

    def line_of(self, frame):
        return self.line if frame is self.frame and self.line is not None else frame.f_lineno


class Debugger:
    def __init__(self, send, attached=True):
        self._send = send
        # Not attached (HOTFRAME_DEBUGGER=attach, or after detach): dormant — nothing is traced or
        # watched, Ctrl-C is the program's KeyboardInterrupt; the next request attaches it.
        self._attached = attached
        self._table = breakpoints.Table()
        self._tracer = tracing.make(self.on_line)
        self._lock = threading.RLock()  # the breakpoint table and the step
        self._pause_lock = threading.Lock()  # one paused thread at a time
        self._step = None
        self.paused = None
        self._reader = None
        self._numbers = {}  # thread ident -> the small number the protocol uses
        self._real = {}  # co_filename -> real path
        self._interrupt_kind = None
        self._last_interrupt = 0.0
        self._resumed_at = {}  # thread -> (frame, line) of a breakpoint line its line event handled
        self._patching = {}  # file -> its source before the patch being applied
        self._filters = frozenset()  # the exception filters on
        # thread -> (the exception on its way up, the frame predicted to catch it, or None once
        # it paused): the frames in between hear of it without a second prediction or pause.
        # Held until it reaches that frame (or the thread's next exception, when the prediction
        # was wrong): a strong reference, since the ids of dead objects are reused.
        self._following = {}
        self._user_codes = {}  # code -> whether it is the program's own
        self._quitting = False  # terminate: no more pauses (finally blocks run freely)
        setattr(builtins, "__hotframe_break__", self.on_break)
        self._main = threading.main_thread().ident

    # ---- start-up and the agent's other traffic --------------------------------------------

    def start(self, stop_at_entry):
        """Called on the main thread before the program runs."""
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, self._on_interrupt)
        if stop_at_entry:
            self._step = _Step("in", self._main, "entry")
        self._arm()
        self._tracer.resume_thread(None)

    def on_reader_thread(self):
        self._reader = threading.get_ident()

    def loaded(self, file):
        """A file was instrumented (before its code runs) or patched: place its breakpoints."""
        with self._lock:
            before = self._patching.pop(file, None)
            unit = units.first_for_file(file)
            followed = self._table.follow_edit(file, before, unit.source) if before is not None else {}  # pyright: ignore[reportOptionalMemberAccess]
            changed = self._table.loaded(file)
            changed += [bp for bp in self._table.say_moves(followed) if bp not in changed]
            self._arm()
        self._arm_running()
        for bp in changed:
            self._event("breakpointChanged", {"reason": bp.state, "breakpoint": bp.wire()})

    def _arm(self):
        step = self._step
        step_codes = step.codes() if step is not None else set()
        self._tracer.arm(self._table.stops, step_codes, step is not None and step.kind == "in")

    def patching(self, file):
        """A patch of `file` is about to be applied: it sees the program's own code only (the
        breakpoints go to the new code when loaded() is called after it)."""
        unit = units.first_for_file(file)
        if unit is not None:
            self._patching[file] = unit.source
        self._tracer.forget(file)

    # ---- the tracing callback (on the program's threads) -------------------------------------

    def on_line(self, frame, line):
        """A line is about to run in `frame`: stop if a breakpoint or the step says so.
        Returns whether this location still needs events."""
        code = frame.f_code
        if not units.is_instrumented(code):
            return False
        ident = threading.get_ident()
        if ident == self._reader or not line:
            return True  # (line 0: the start of an empty module, no line of the user's)
        self._resumed_at.pop(ident, None)
        step = self._step
        if step is not None and frame is step.target:
            return True
        return self._consider(frame, line, ident, step, True)

    def on_break(self, line):
        """A breakpoint compiled into the code (codebreaks.py) is reached."""
        frame = sys._getframe(1)
        ident = threading.get_ident()
        if ident == self._reader or self._resumed_at.pop(ident, None) == (frame, line):
            return  # the line's event handled this visit (paused, logged, counted a hit)
        self._consider(frame, line, ident, None, False)

    def _consider(self, frame, line, ident, step, at_line_event):
        code = frame.f_code
        file = self._real.get(code.co_filename)
        if file is None:
            file = self._real[code.co_filename] = os.path.realpath(code.co_filename)
        bps = self._table.at(file, line)
        if not bps and step is None:
            return False
        if at_line_event and self._tracer.compiles_in:
            # A breakpoint compiled into this line's code runs right after (a frame running a
            # breakpoint version is traced when breakpoints were set since): not a second visit.
            self._resumed_at[ident] = (frame, line)
        hit, notes = [], []
        for bp in bps:
            stops, note = breakpoints.should_stop(bp, frame)
            if note is not None:
                notes.append(note)
            if not stops:
                continue
            if bp.log_message is not None:
                self._event("output", {"category": "console", "output": breakpoints.log_text(bp, frame) + "\n"})
            else:
                hit.append(bp)
        stepped = step is not None and step.thread == ident and step.matches(frame, line)
        if stepped and step.kind == "restart":  # pyright: ignore[reportOptionalMemberAccess]
            reason = step.reason  # a breakpoint on the first line too: the restart is the news  # pyright: ignore[reportOptionalMemberAccess]
        elif hit:
            reason = "breakpoint"
        elif stepped:
            reason = step.reason  # pyright: ignore[reportOptionalMemberAccess]
        else:
            for note in notes:
                self._event("output", {"category": "important", "output": note + "\n"})
            return True
        restart = self._pause(frame, reason, hit, notes)
        if restart is not None:
            self._tracer.raise_in(restart.frame, restart)
        return True

    def on_exception(self, frame, line, exception):
        """`exception` is raised in `frame` at `line`, or leaves it (the tracer calls this only
        while a filter is on). Pauses if a filter says so; returns the HotframeRestart to raise
        instead when the user restarted a frame while paused here, else None."""
        if exception.__class__ in _CONTROL_FLOW or not isinstance(exception, Exception):
            return None
        ident = threading.get_ident()
        if ident == self._reader:
            return None
        following = self._following.get(ident)
        if following is not None and following[0] is exception:
            catcher = following[1]
            if catcher is not None and (frame is catcher if self._tracer.reports_arrival else frame.f_back is catcher):
                del self._following[ident]  # the last event of its way to the catcher
            return None
        user = self._user_codes.get(frame.f_code)
        if user is None:
            user = self._user_codes[frame.f_code] = units.is_instrumented(frame.f_code)
        if not user:
            return None  # it is heard of again in the program's frame it goes to, if any
        filters = self._filters
        uncaught = False
        if "uncaught" in filters:
            catcher = catching.catcher(frame, line, exception)
            uncaught = catcher is None
            if not uncaught and "raised" not in filters:
                self._follow(ident, exception, frame, catcher)
                return None
        elif "raised" not in filters:
            return None
        self._following[ident] = (exception, None)
        mode = "unhandled" if uncaught else "always"
        description = "%s: %s%s" % (
            type(exception).__name__,
            _message(exception),
            " (uncaught: nothing will catch it)" if uncaught else "",
        )
        restart = self._pause(frame, "exception", description=description, line=line, exception=(exception, mode))
        return restart

    def _follow(self, ident, exception, frame, catcher):
        """Remember the prediction for the frames between `frame` and `catcher`, if any."""
        last = frame if self._tracer.reports_arrival else frame.f_back
        if catcher is not last:
            self._following[ident] = (exception, catcher)
        else:
            self._following.pop(ident, None)

    def _pause(self, frame, reason, hit=(), notes=(), description=None, line=None, exception=None):
        """Pause this thread until told what next; returns the HotframeRestart to raise (its
        `frame` is the target) when a restart was asked for, else None. Raises SystemExit when
        the program is to end (terminate)."""
        with self._pause_lock:
            if self._quitting or not self._attached:
                return None  # (also for a thread that waited here while the debugger detached)
            with self._lock:
                self._step = None
                for bp in [bp for bp in hit if bp.temporary]:
                    self._table.remove(bp)
                    self._event("breakpointChanged", {"reason": breakpoints.REMOVED, "breakpoint": bp.wire()})
                self._arm()
            thread = threading.current_thread()
            pause = _Pause(thread.ident, frame, reason, line, exception)
            self.paused = pause
            body = {
                "reason": reason,
                "threadId": self._number(thread.ident),
                "threadName": thread.name,
                "allThreadsStopped": False,
                "hitBreakpointIds": [bp.id for bp in hit],
            }
            if notes or description:
                body["description"] = "; ".join(list(notes) + ([description] if description else []))
            self._event("paused", body)
            action = pause.actions.get()
            self.paused = None
            self._event("resumed", {"threadId": body["threadId"], "allThreadsContinued": False})
        return self._resume(frame, action)

    def _resume(self, frame, action):
        kind = action[0]
        ident = threading.get_ident()
        signal_to_raise = None
        with self._lock:
            if kind == "continue":
                self._step = None
            elif kind == "quit":
                self._step = None
            elif kind == "restart":
                signal_to_raise = restarts.signal_for(action[1])
                newest = signal_to_raise.function
                self._step = _Step("restart", ident, "restart", code=newest.__code__, target=action[1])  # pyright: ignore[reportOptionalMemberAccess]
                signal_to_raise.function = self._traced_call(newest)
            else:
                self._step = _Step(kind, ident, "step", frame=None if kind == "in" else frame)
            self._arm()
        self._tracer.resume_thread(frame)
        if kind == "quit":
            raise SystemExit(0)  # pdb's quit: the frames unwind, their finally blocks run
        return signal_to_raise

    def _traced_call(self, function):
        """`function`, called with tracing back on: a trace function that raises (the restart)
        loses its thread's tracing on 3.10/3.11."""
        tracer = self._tracer

        def restarted(*args, **kwargs):
            tracer.resume_thread(None)
            return function(*args, **kwargs)

        return restarted

    def _on_interrupt(self, signum, frame):
        """SIGINT in the main thread: Ctrl-C, or the controller's pause (or arm) request."""
        kind, self._interrupt_kind = self._interrupt_kind, None
        if kind == "quit":
            raise SystemExit(0)
        if kind == "arm":
            self._tracer.resume_thread(frame)
            return
        if not self._attached:
            signal.default_int_handler(signum, frame)  # dormant: Ctrl-C as without hotframe
        if self.paused is not None:
            return
        now = time.monotonic()
        if kind is None and now - self._last_interrupt < _KILL_WINDOW:
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # a second Ctrl-C: end as Ctrl-C ends
            os.kill(os.getpid(), signal.SIGINT)
            return
        self._last_interrupt = now
        user = frame
        while user is not None and not units.is_instrumented(user.f_code):
            user = user.f_back
        restart = self._pause(user or frame, "pause")
        if restart is not None:
            raise restart  # (from the signal handler, into the interrupted frame)

    def _interrupt(self, kind):
        self._interrupt_kind = kind
        signal.pthread_kill(self._main, signal.SIGINT)  # pyright: ignore[reportArgumentType]

    # ---- requests (on the reader thread) ------------------------------------------------------

    def handle(self, message):
        request_id, command = message.get("id"), message.get("command")
        self._attached = True  # the first request of a client attaches the debugger
        method = getattr(self, "_do_" + str(command), None)
        try:
            if method is None:
                raise reasons.Refused(reasons.UNKNOWN_COMMAND, command=command)
            body = method(message.get("arguments") or {})
        except reasons.Refused as exc:
            self._send(protocol.debug_refusal(request_id, command, exc.reason.code, str(exc)))
            return
        except Exception as exc:  # the user's code raised (evaluate, a repr): the answer says so
            error = "%s: %s" % (type(exc).__name__, exc)
            self._send(protocol.debug_refusal(request_id, command, reasons.RAISED.code, error))
            return
        action = body.pop("__action__", None) if isinstance(body, dict) else None
        self._send(protocol.debug_response(request_id, command, body))
        if action is not None:
            self._paused_pause().actions.put(action)

    def _paused_pause(self, thread_number=None):
        pause = self.paused
        if pause is None:
            raise reasons.Refused(reasons.NOT_PAUSED)
        if thread_number is not None and self._number(pause.thread) != thread_number:
            raise reasons.Refused(reasons.THREAD_NOT_PAUSED, thread=thread_number)
        return pause

    def _do_setBreakpoints(self, args):
        with self._lock:
            bps = self._table.set_lines(args["source"], args.get("breakpoints", []))
            self._arm()
        self._arm_running()
        return {"breakpoints": [bp.wire() for bp in bps]}

    def _do_breakpointLocations(self, args):
        first = args["line"]
        last = args.get("endLine") or first
        lines = breakpoints.breakable_lines(os.path.realpath(args["source"]))
        return {"breakpoints": [{"line": line} for line in sorted(lines) if first <= line <= last]}

    def _do_setFunctionBreakpoints(self, args):
        with self._lock:
            bps = self._table.set_functions(args.get("breakpoints", []))
            self._arm()
        self._arm_running()
        return {"breakpoints": [bp.wire() for bp in bps]}

    def _arm_running(self):
        """3.10/3.11: a running thread sets up its tracing when it leaves a pause. Do it now for
        the thread that imports a file (it runs the file next), or for the main thread from the
        reader thread."""
        if not isinstance(self._tracer, tracing.Settrace):
            return
        if threading.get_ident() != self._reader:
            self._tracer.resume_thread(sys._getframe(1))
        elif self.paused is None and self._handles_interrupts():
            self._interrupt("arm")

    def _handles_interrupts(self):
        return signal.getsignal(signal.SIGINT) == self._on_interrupt

    def _do_setExceptionBreakpoints(self, args):
        filters = list(args.get("filters") or [])
        for name in filters:
            if name not in EXCEPTION_FILTERS:
                raise reasons.Refused(reasons.UNKNOWN_EXCEPTION_FILTER, filter=name)
        with self._lock:
            self._filters = frozenset(filters)
            self._following.clear()
            self._tracer.watch_exceptions(self.on_exception if filters else None)
        return {}

    def _do_exceptionInfo(self, args):
        pause = self._paused_pause(args.get("threadId"))
        if pause.exception is None:
            raise reasons.Refused(reasons.NOT_AN_EXCEPTION, thread=self._number(pause.thread))
        exception, mode = pause.exception
        return {
            "exceptionId": type(exception).__qualname__,
            "description": _message(exception),
            "breakMode": mode,
            "stackTrace": self._traceback(pause, exception),
        }

    def _traceback(self, pause, exception):
        """As Python would print it if it went on: the paused stack (outermost first), then the
        frames it already left (3.10/3.11: inside the paused frame's calls)."""
        frames = inspection.user_frames(pause.frame)[::-1]
        entries = [(f, pause.line_of(f)) for f in frames]
        tb = exception.__traceback__
        while tb is not None and tb.tb_frame is not pause.frame:
            tb = tb.tb_next
        tb = tb.tb_next if tb is not None else None
        while tb is not None:
            if not inspection.is_hotframe(tb.tb_frame):
                entries.append((tb.tb_frame, tb.tb_lineno))
            tb = tb.tb_next
        stack = traceback.StackSummary.extract(iter(entries))
        lines = ["Traceback (most recent call last):\n"] + stack.format()
        lines += traceback.format_exception_only(type(exception), exception)
        return "".join(lines)

    def _do_threads(self, args):
        threads = [{"id": self._number(t.ident), "name": t.name} for t in threading.enumerate() if t.ident]
        return {"threads": sorted(threads, key=lambda t: t["id"])}

    def _do_continue(self, args):
        self._paused_pause(args.get("threadId"))
        return {"allThreadsContinued": False, "__action__": ("continue",)}

    def _step_request(self, args, kind):
        self._paused_pause(args.get("threadId"))
        return {"__action__": (kind,)}

    def _do_next(self, args):
        return self._step_request(args, "over")

    def _do_stepIn(self, args):
        return self._step_request(args, "in")

    def _do_stepOut(self, args):
        return self._step_request(args, "out")

    def _do_until(self, args):
        return self._step_request(args, "until")

    def _do_pause(self, args):
        if self.paused is not None:
            return {}
        if not self._handles_interrupts():
            raise reasons.Refused(reasons.OWN_SIGINT_HANDLER)
        self._interrupt("pause")
        return {}

    def _do_detach(self, args):
        """The client leaves: every breakpoint, exception filter and step goes, tracing and
        monitoring go off, the paused thread continues; dormant until the next request."""
        with self._lock:
            self._attached = False
            for file in list(self._table.by_file):
                self._table.set_lines(file, [])
            self._table.set_functions([])
            self._filters = frozenset()
            self._following.clear()
            self._tracer.watch_exceptions(None)
            self._step = None
            self._arm()
        self._arm_running()
        return {} if self.paused is None else {"__action__": ("continue",)}

    def _do_terminate(self, args):
        """pdb's quit: SystemExit in the paused thread (its finally blocks run) and in the main
        thread; pauses end, and nothing pauses any more."""
        self._quitting = True
        pause = self.paused
        if (pause is None or pause.thread != self._main) and self._handles_interrupts():
            self._interrupt("quit")
        return {} if pause is None else {"__action__": ("quit",)}

    def _do_restartFrame(self, args):
        pause = self._paused_pause()
        frame = pause.handles.frame(args.get("frameId"))
        refusal = inspection.restart_refusal(frame)
        if refusal is not None:
            raise reasons.Refused(refusal, qualname=inspection.qualname(frame.f_code))
        return {"__action__": ("restart", frame)}

    def _do_stackTrace(self, args):
        pause = self._paused_pause(args.get("threadId"))
        frames = inspection.user_frames(pause.frame)
        start = int(args.get("startFrame") or 0)
        levels = int(args.get("levels") or 0) or len(frames)
        shown = []
        for frame in frames[start : start + levels]:
            entry = {
                "id": pause.handles.frame_ref(frame),
                "name": inspection.qualname(frame.f_code),
                "source": os.path.realpath(frame.f_code.co_filename),
                "line": pause.line_of(frame),
                "canRestart": inspection.restart_refusal(frame) is None,
                "runningOld": inspection.running_old(frame),
            }
            entry["definition"] = inspection.definition_lines(frame.f_code)
            described = inspection.arguments(frame)
            if described is not None:
                entry["arguments"] = described
            shown.append(entry)
        return {"stackFrames": shown, "totalFrames": len(frames)}

    def _do_scopes(self, args):
        pause = self._paused_pause()
        return {"scopes": pause.handles.scopes(pause.handles.frame(args.get("frameId")))}

    def _do_variables(self, args):
        pause = self._paused_pause()
        variables = pause.handles.variables(args.get("variablesReference"), args.get("start"), args.get("count"))
        return {"variables": variables}

    def _do_setVariable(self, args):
        pause = self._paused_pause()
        return pause.handles.set_variable(args.get("variablesReference"), args["name"], args["value"])

    def _do_evaluate(self, args):
        pause = self._paused_pause()
        frame_id = args.get("frameId")
        frame = pause.handles.frame(frame_id) if frame_id else inspection.user_frames(pause.frame)[0]
        value, has_value = inspection.evaluate(frame, args["expression"], args.get("context", "repl"))
        if not has_value:
            return {"result": "", "variablesReference": 0}
        shown = pause.handles.variable("", value)
        shown["result"] = inspection.result_text(value, bool(args.get("pretty")))
        del shown["name"], shown["value"]
        return shown

    # ---- helpers -----------------------------------------------------------------------------

    def _number(self, ident):
        number = self._numbers.get(ident)
        if number is None:
            number = 1 if ident == self._main else max([1, *self._numbers.values()]) + 1
            self._numbers[ident] = number
        return number

    def _event(self, name, body):
        self._send(protocol.debug_event(name, body))


def _message(exception):
    """The exception's message, its first line."""
    try:
        text = str(exception)
    except Exception as exc:
        text = "<str() raised %s>" % type(exc).__name__
    return text.splitlines()[0] if text else ""
