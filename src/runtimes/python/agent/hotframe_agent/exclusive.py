"""No other thread runs while a patch is made and applied: the interpreter's switch interval is
raised for that time (it takes milliseconds, and does no I/O of its own). Other threads then
never see it half applied, and the patch is not slowed by handing the GIL to a thread that
polls (on a loaded machine, getting it back can take a scheduler time slice)."""

import contextlib
import sys

_SWITCH_INTERVAL = 100.0  # seconds: far longer than any patch


@contextlib.contextmanager
def held():
    interval = sys.getswitchinterval()
    sys.setswitchinterval(_SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
