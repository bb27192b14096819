"""The agent's own threads: started with _thread (invisible to the program's threading), with
the program's signals blocked in them.

A process-directed signal (Ctrl-C's SIGINT, kill's SIGTERM) goes to any thread that does not
block it. Python runs its handlers in the main thread, but only a signal delivered to the main
thread interrupts the blocking call it may be in (a read of stdin, a sleep): one delivered to an
agent thread blocked in its own read would leave the program's handler waiting until the main
thread wakes up by itself. Blocked here, every such signal goes to a thread of the program's.
Faults (SIGSEGV and the like) are the thread's own and stay unblocked (faulthandler needs them).
"""

import _signal  # pyright: ignore[reportMissingImports]  (signal without its enum: start-up)
import _thread

_FAULTS = {"SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGTRAP", "SIGSYS", "SIGABRT"}


def start(function, args=()):
    """Run function(*args) on a new agent thread."""
    _thread.start_new_thread(_run, (function, args))


def _run(function, args):
    _block_program_signals()
    function(*args)


def _block_program_signals():
    try:
        faults = {getattr(_signal, name) for name in _FAULTS if hasattr(_signal, name)}
        _signal.pthread_sigmask(_signal.SIG_BLOCK, set(_signal.valid_signals()) - faults)
    except (AttributeError, OSError, ValueError):
        pass  # no pthread_sigmask (not a POSIX system): signals go where the system sends them
