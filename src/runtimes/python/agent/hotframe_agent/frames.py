"""What the program's threads are running right now, as the planner needs to know it: walking
every thread's stack costs in proportion to stack depth, not to the heap."""

import sys
import threading


class Running:
    __slots__ = ("codes", "module_lines", "thread_names")

    def __init__(self, codes, module_lines, thread_names):
        self.codes = codes  # id(code) -> (code, thread ident) for every frame of every thread
        self.module_lines = module_lines  # (thread name, line) of each frame running the module's top level
        self.thread_names = thread_names  # thread ident -> name

    def thread_name(self, ident):
        return self.thread_names.get(ident, "thread %d" % ident)


NOTHING = Running({}, [], {})


def now(module_code):
    """What runs now; module_code: the top-level code of the module being patched."""
    names = {t.ident: t.name for t in threading.enumerate()}
    codes = {}
    module_lines = []
    for ident, frame in sys._current_frames().items():
        while frame is not None:
            codes.setdefault(id(frame.f_code), (frame.f_code, ident))
            if frame.f_code is module_code:
                module_lines.append((names.get(ident, "%d" % ident), frame.f_lineno))
            frame = frame.f_back
    return Running(codes, module_lines, names)
