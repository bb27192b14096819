"""The agent's breakpoint table: where each breakpoint is, whether it is verified, and whether a
hit stops. Breakpoints are set per file (replacing that file's list, as the protocol's
setBreakpoints does) and by function name; a file the program has not loaded yet keeps its
breakpoints pending until it loads; a line without code moves to the next line with code.

Ids are the controller's (its model numbers breakpoints); hit counts survive a re-set by id.
"""

import difflib
import os
import re

from . import codeindex, incremental, reasons, units

PENDING = "pending"
MOVED = "moved"
VERIFIED = "verified"
REMOVED = "removed"


class Breakpoint:
    __slots__ = (
        "id",
        "file",
        "requested_line",
        "line",
        "function",
        "condition",
        "condition_code",
        "condition_told",
        "hit_condition",
        "ignore_count",
        "ignore_asked",
        "log_message",
        "temporary",
        "hits",
        "state",
        "message",
    )

    def __init__(self, spec, file=None, function=None):
        self.id = spec["id"]
        self.file = file
        self.requested_line = spec.get("line")
        self.line = None
        self.function = function
        self.condition = spec.get("condition") or None
        self.condition_code = None
        self.condition_told = False
        self.hit_condition = spec.get("hitCondition") or None
        self.ignore_count = spec.get("ignoreCount") or 0
        self.ignore_asked = self.ignore_count  # as set: a re-set with the same keeps what is left
        self.log_message = spec.get("logMessage") or None
        self.temporary = bool(spec.get("temporary"))
        self.hits = 0
        self.state = PENDING
        self.message = None

    def wire(self):
        """The protocol's Breakpoint shape."""
        shape = {"id": self.id, "verified": self.state in (VERIFIED, MOVED), "state": self.state}
        if self.file is not None:
            shape["source"] = self.file
        if self.line is not None:
            shape["line"] = self.line
        if self.requested_line is not None:
            shape["requestedLine"] = self.requested_line
        if self.function is not None:
            shape["function"] = self.function
        if self.message is not None:
            shape["message"] = self.message
        return shape


def _validate(bp):
    if bp.condition is None:
        return
    try:
        bp.condition_code = compile(bp.condition, "<condition of breakpoint %d>" % bp.id, "eval")
    except SyntaxError as exc:
        raise reasons.Refused(reasons.BAD_CONDITION, condition=bp.condition, message=exc.msg)
    if bp.hit_condition is not None and _hit_test(bp.hit_condition) is None:
        raise reasons.Refused(reasons.BAD_HIT_CONDITION, condition=bp.hit_condition)


_HIT = re.compile(r"^\s*(>=|>|==|%)?\s*(\d+)\s*$")


def _hit_test(text):
    match = _HIT.match(text)
    if match is None:
        return None
    op, n = match.group(1) or ">=", int(match.group(2))
    return {
        ">=": lambda hits: hits >= n,
        ">": lambda hits: hits > n,
        "==": lambda hits: hits == n,
        "%": lambda hits: n > 0 and hits % n == 0,
    }[op]


def codes_of(unit):
    """Every code object of the current version of a loaded file (the module's own included)."""
    return [unit.module_code] + [d.code for d in unit.index.values()]


def lines_of(code):
    """The lines on which a line event can fire in this code object (not its nested ones)."""
    own = {line for _start, _end, line in code.co_lines() if line is not None}
    if code.co_flags & 0x1:  # a function: its first line only holds the call set-up
        own.discard(code.co_firstlineno)
    return own


def breakable_lines(file):
    """The lines of `file` where a line breakpoint stops as asked: its loaded code's, or, before
    the program loads it, those of the code its text on disk compiles to (none if it does not)."""
    unit = units.first_for_file(file)
    if unit is not None:
        return code_lines(codes_of(unit))
    try:
        with open(file, "rb") as f:
            module_code = compile(f.read(), file, "exec", dont_inherit=True)
    except (OSError, SyntaxError, ValueError):
        return set()
    return code_lines([module_code, *codeindex.nested(module_code)])


def code_lines(codes):
    """The lines on which a line event can fire in any of `codes`."""
    lines = set()
    for code in codes:
        lines |= lines_of(code)
    return lines


def lines_by_file(stops):
    """{file: {line, ...}} of the verified breakpoints."""
    lines = {}
    for file, line in stops:
        lines.setdefault(file, set()).add(line)
    return lines


def codes_at(file, lines):
    """The code objects of the loaded `file` on which a line event can fire at one of `lines`."""
    unit = units.first_for_file(file) if lines else None
    return {code for code in codes_of(unit) if lines_of(code) & lines} if unit is not None else set()


def line_map(old_source, new_source):
    """A function old line -> (new line, the line's text is unchanged). Only the lines between
    what both versions share at the start and at the end are compared (difflib is quadratic)."""
    old, new = incremental.split_lines(old_source), incremental.split_lines(new_source)
    ends = incremental.SharedEnds(old_source, new_source)
    prefix, suffix = ends.prefix, ends.suffix
    matcher = difflib.SequenceMatcher(None, old[prefix : len(old) - suffix], new[prefix : len(new) - suffix], autojunk=False)
    middle = [(tag, i1 + prefix, i2 + prefix, j1 + prefix, j2 + prefix) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
    blocks = [("equal", 0, prefix, 0, prefix)] + middle + [("equal", len(old) - suffix, len(old), len(new) - suffix, len(new))]

    def new_line(line):
        index = line - 1
        for tag, i1, i2, j1, _j2 in blocks:
            if i1 <= index < i2:
                return (j1 + index - i1 + 1, True) if tag == "equal" else (j1 + 1, False)
        return line, False

    return new_line


class Table:
    def __init__(self):
        self.by_file = {}  # file -> [Breakpoint] as last set (line breakpoints)
        self.functions = []  # function breakpoints
        self.stops = {}  # (file, line) -> [Breakpoint] verified

    def set_lines(self, file, specs):
        """Replace the line breakpoints of `file`; returns them (a refused one changes nothing)."""
        file = os.path.realpath(file)
        old = {bp.id: bp for bp in self.by_file.get(file, [])}
        fresh = [self._renewed(Breakpoint(spec, file=file), old) for spec in specs]
        self.by_file[file] = fresh
        self._place(file)
        return fresh

    def set_functions(self, specs):
        old = {bp.id: bp for bp in self.functions}
        self.functions = [self._renewed(Breakpoint(spec, function=spec["name"]), old) for spec in specs]
        for bp in self.functions:
            self._place_function(bp)
        self._index()
        return self.functions

    def _renewed(self, bp, old):
        _validate(bp)
        previous = old.get(bp.id)
        if previous is not None:
            bp.hits = previous.hits
            if previous.ignore_asked == bp.ignore_asked:
                bp.ignore_count = previous.ignore_count
        return bp

    def loaded(self, file):
        """A file was loaded (or patched): place its pending breakpoints; returns the changed ones."""
        changed = []
        for bp in self.by_file.get(file, []):
            before = (bp.state, bp.line)
            self._place_line(bp)
            if (bp.state, bp.line) != before:
                changed.append(bp)
        for bp in self.functions:
            if bp.state == PENDING:
                self._place_function(bp)
                if bp.state != PENDING:
                    changed.append(bp)
        self._index()
        return changed

    def follow_edit(self, file, old_source, new_source):
        """An edit of `file` is applied: each of its line breakpoints moves with its line of code
        (same text), or, when that line was changed or deleted, to where the change is (loaded()
        then places it on the next line with code). Returns {bp: (line before, same text)}."""
        followed = {}
        bps = [bp for bp in self.by_file.get(file, []) if bp.line is not None]
        if not bps or old_source == new_source:
            return followed
        new_line = line_map(old_source, new_source)
        for bp in bps:
            new, same_text = new_line(bp.line)
            if new != bp.line or not same_text:
                followed[bp] = (bp.line, same_text)
                bp.requested_line = new
        return followed

    @staticmethod
    def say_moves(followed):
        """After loaded(): the breakpoints that follow_edit() moved, each saying where from."""
        moved = []
        for bp, (before, same_text) in followed.items():
            if bp.line is None or bp.line == before:
                continue
            bp.state = MOVED
            if same_text:
                bp.message = "moved with its line of code, from line %d to %d" % (before, bp.line)
            else:
                bp.message = "its line %d was edited away: moved to line %d" % (before, bp.line)
            moved.append(bp)
        return moved

    def remove(self, bp):
        bp.state = REMOVED
        for bps in [self.by_file.get(bp.file, []), self.functions]:
            if bp in bps:
                bps.remove(bp)
        self._index()

    def _place(self, file):
        for bp in self.by_file[file]:
            self._place_line(bp)
        self._index()

    def _place_line(self, bp):
        unit = units.first_for_file(bp.file)
        if unit is None:
            bp.state, bp.line = PENDING, None
            bp.message = "pending: the program has not loaded %s yet" % os.path.basename(bp.file)
            return
        lines = code_lines(codes_of(unit))
        later = [line for line in lines if line >= bp.requested_line]
        if not later:
            bp.state, bp.line = PENDING, None
            bp.message = "no code at or after line %d" % bp.requested_line
            return
        bp.line = min(later)
        if bp.line == bp.requested_line:
            bp.state, bp.message = VERIFIED, None
        else:
            bp.state = MOVED
            bp.message = "line %d has no code: moved to line %d" % (bp.requested_line, bp.line)

    def _place_function(self, bp):
        """`name` or `Class.name` (a qualname, or its last parts) in any loaded file."""
        name = bp.function
        for file in units.by_file():
            unit = units.first_for_file(file)
            for definition in unit.index.values() if unit is not None else ():
                qualname = definition.qualname
                if definition.is_function and (qualname == name or qualname.endswith("." + name)):
                    bp.file = file
                    bp.line = min(lines_of(definition.code) or {definition.code.co_firstlineno})
                    bp.state, bp.message = VERIFIED, None
                    return
        bp.state, bp.line = PENDING, None
        bp.message = "pending: no function %s is loaded yet" % name

    def _index(self):
        stops = {}
        for bp in [bp for bps in self.by_file.values() for bp in bps] + self.functions:
            if bp.line is not None and bp.state in (VERIFIED, MOVED):
                stops.setdefault((bp.file, bp.line), []).append(bp)
        self.stops = stops

    def at(self, file, line):
        return self.stops.get((file, line), ())


def should_stop(bp, frame):
    """Whether a hit of `bp` in `frame` stops: (stops, note). The note is for the user: a
    condition that raised is said once and treated as true, as pdb does."""
    note = None
    if bp.condition_code is not None:
        try:
            if not eval(bp.condition_code, frame.f_globals, frame.f_locals):
                return False, None
        except Exception as exc:
            if not bp.condition_told:
                bp.condition_told = True
                note = "the condition of breakpoint %d raised %s: treated as true" % (bp.id, _one_line(exc))
    bp.hits += 1
    if bp.hit_condition is not None and not _hit_test(bp.hit_condition)(bp.hits):  # pyright: ignore[reportOptionalCall]
        return False, note
    if bp.ignore_count > 0:
        bp.ignore_count -= 1
        return False, note
    return True, note


def log_text(bp, frame):
    """A log point's message with each {expression} evaluated in the frame."""

    def value(match):
        try:
            return str(eval(match.group(1), frame.f_globals, frame.f_locals))
        except Exception as exc:
            return "<%s>" % _one_line(exc)

    return re.sub(r"\{([^{}]+)\}", value, bp.log_message)


def _one_line(exc):
    return "%s: %s" % (type(exc).__name__, exc)

