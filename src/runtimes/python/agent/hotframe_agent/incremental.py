"""The instrumented syntax tree of a new version of a file, re-parsing only what the edit touched.

Building Python AST objects is the slow part of a patch (more than compiling them). An edit
usually changes one region: the top-level statements wholly inside the lines both versions share
at the start keep their (already instrumented) nodes, those wholly inside the shared end keep
theirs, their entries moved by the number of lines added or removed (the nodes are shifted only
when needed: shape.positioned), and only the lines in between are parsed and instrumented. The
result is the outline of the whole new file (recompile.py compiles what changed). Whenever that
region does not parse on its own (an unterminated string or bracket that may continue into the
rest), the whole file is parsed instead.
"""

import ast
import bisect

from . import shape, transform


class Parsed:
    """outline: the shape.Outline of the new version (its entries' nodes instrumented); tree:
    the instrumented module; region: the Region re-parsed (None: the whole file was). Nothing
    of the running version's outline is changed (shape.positioned)."""

    def __init__(self, outline, region=None):
        self.outline = outline
        self.region = region

    @property
    def tree(self):
        # (made when needed: a patch that compiles only the edited statements never needs it)
        return ast.Module(body=[shape.positioned(e) for e in self.outline], type_ignores=[])


class Region:
    """Where two versions differ, by top-level statement: the first `head` and the last `tail`
    entries of the new outline are the old version's statements (those of the tail `delta`
    lines later); in the old version, the head ends at line `head_end` and the tail starts at
    line `tail_start`. From entry `untouched` of the new outline on, the entries are also the
    old version's by occurrence (a statement inserted before an identical one makes that one
    the second: it is not untouched)."""

    __slots__ = ("head", "tail", "delta", "head_end", "tail_start", "untouched")

    def __init__(self, head, tail, delta, head_end, tail_start, untouched):
        self.head = head
        self.tail = tail
        self.delta = delta
        self.head_end = head_end
        self.tail_start = tail_start
        self.untouched = untouched


def parse_full(source, filename):
    tree = _parse(source, filename)
    outline = shape.Outline(shape.outline(tree.body))  # what the user wrote, taken before instrumenting
    transform.instrument(tree)
    return Parsed(outline)


def parse_in_pieces(source, filename, pause, piece=300):
    """parse_full(), parsing a few hundred lines at a time and calling pause() in between: a
    parse holds the GIL, so the program's threads wait at most one piece's parse. A piece ends
    before a line that starts in column 0; when it does not parse alone (the line continues a
    string or a bracket, `else:` continues an `if`), it grows to the next such line."""
    lines = split_lines(source)
    body = []
    start = 0
    while start < len(lines):
        end = _piece_end(lines, start + piece)
        while True:
            try:
                body.extend(_parse("\n" * start + "\n".join(lines[start:end]), filename).body)
                break
            except SyntaxError:
                if end >= len(lines):
                    return parse_full(source, filename)  # (as the whole file parses: never)
                end = _piece_end(lines, end + piece)
        start = end
        pause()
    outline = shape.Outline(shape.outline(body))
    transform.instrument(ast.Module(body=body, type_ignores=[]))
    return Parsed(outline)


def _piece_end(lines, at):
    while at < len(lines) and (lines[at][:1].isspace() or lines[at][:1] in ("", "#", ")", "]", "}")):
        at += 1
    return min(at, len(lines))


def parse(old_source, old_outline, source, filename):
    """Raises SyntaxError like compile() when the new source does not parse."""
    if _lone_cr(source) or _lone_cr(old_source):
        return parse_full(source, filename)  # (lines are counted by "\n" below, as the parser does otherwise)
    ends = SharedEnds(old_source, source)
    prefix, suffix, delta = ends.prefix, ends.suffix, ends.new_count - ends.old_count

    # (the outline's statements follow each other: their first and last lines only grow)
    head = old_outline[: bisect.bisect_right(old_outline, prefix, key=shape.last_line)]
    after = old_outline[len(head) :]
    tail = after[bisect.bisect_right(after, ends.old_count - suffix, key=shape.first_line) :]
    if not head and not tail:
        return parse_full(source, filename)

    first = head[-1].end + 1 if head else 1
    last = tail[0].line + delta if tail else ends.new_count + 1
    # Blank lines in front keep the region's line numbers those of the whole file.
    region = "\n" * (first - 1) + source[ends.new_offset(first) : ends.new_offset(last)]
    try:
        middle = _parse(region, filename).body
    except (SyntaxError, ValueError):
        return parse_full(source, filename)
    middle_outline = [shape.entry_for(node) for node in middle]
    transform.instrument(ast.Module(body=middle, type_ignores=[]))

    tail_start = tail[0].line if tail else ends.old_count + 1
    if not delta:
        # The entries of unchanged statements are shared with the old version: only the keys of
        # the statements replaced and added are numbered again.
        outline, renumbered = old_outline.replaced(len(head), len(tail), middle_outline, prefix)
        untouched = max(renumbered, default=len(outline) - len(tail) - 1) + 1
        region = Region(len(head), len(tail), 0, first - 1, tail_start, untouched)
        return Parsed(outline, region)

    # The tail's entries move; their nodes keep their positions until needed (shape.positioned).
    moved = [shape.moved(e, delta) for e in tail]
    entries = shape.number(head + middle_outline + moved, {id(e) for e in head + moved})
    outline = shape.Outline(entries)
    untouched = len(outline) - _same_from_end(outline, tail)
    return Parsed(outline, Region(len(head), len(tail), delta, first - 1, tail_start, untouched))


def _same_from_end(outline, tail):
    """How many of the last entries of `outline` are `tail`'s statements by occurrence too."""
    n = 0
    while n < len(tail) and outline[-1 - n].occurrence == tail[-1 - n].occurrence:
        n += 1
    return n


class SharedEnds:
    """What two versions of a text share, in whole lines: the first `prefix` lines, then the last
    `suffix` ones (never the same line twice). Compared as strings, never split into lines (a
    20,000-line file would make 20,000 strings on every patch); lines end at "\\n", as the
    parser's do (str.splitlines() also splits at form feeds and other separators)."""

    def __init__(self, old, new):
        self.new = new
        limit = min(len(old), len(new))
        chars = _common(limit, lambda lo, hi: old[lo:hi] == new[lo:hi])
        if chars == len(old) == len(new):
            self.old_count = self.new_count = self.prefix = _line_count(new)
            self.suffix = 0
            self._anchor = (self.new_count + 1, len(new))
            return
        self.prefix = new.count("\n", 0, chars)
        line_start = new.rfind("\n", 0, chars) + 1  # of the first line that differs
        # (the shared end may start inside that line: it counts from the next line start on)
        end_chars = _common(limit - line_start, lambda lo, hi: old[len(old) - hi : len(old) - lo] == new[len(new) - hi : len(new) - lo])
        start = len(new) - end_chars  # where the shared end starts, in `new`
        old_start = len(old) - end_chars
        # Each text is counted once, in three parts: the shared start, what differs, the shared end.
        in_end = new.count("\n", start)
        self.new_count = self.prefix + new.count("\n", line_start, start) + in_end + _unended(new)
        self.old_count = self.prefix + old.count("\n", line_start, old_start) + in_end + _unended(old)
        # Lines that start inside the shared end, and at its start if it is a line start in both.
        suffix = in_end - (new[-1] == "\n") if end_chars else 0
        if end_chars and (start == 0 or new[start - 1] == "\n") and (old_start == 0 or old[old_start - 1] == "\n"):
            suffix += 1
        self.suffix = suffix
        self._anchor = (self.prefix + 1, line_start)  # (line, its offset) in `new`

    def new_offset(self, line):
        """The offset in the new text of the start of `line` (1-based; one past the last line: its end)."""
        if line > self.new_count:
            return len(self.new)
        known, offset = self._anchor
        text = self.new
        while known > line:
            offset = text.rfind("\n", 0, offset - 1) + 1
            known -= 1
        while known < line:
            offset = text.index("\n", offset) + 1
            known += 1
        return offset


def split_lines(text):
    """The lines of a text as the parser counts them, without their "\\n" (str.splitlines() also
    splits at form feeds and other separators, which do not end a line of Python)."""
    lines = text.split("\n")
    if not lines[-1]:
        lines.pop()  # (after the last "\n", or of an empty text)
    return lines


def _line_count(text):
    return text.count("\n") + _unended(text)


def _unended(text):
    """1 if the text's last line has no "\\n" (it counts as a line all the same)."""
    return 1 if text and not text.endswith("\n") else 0


def _lone_cr(text):
    """A "\\r" that does not end a "\\r\\n": the parser ends a line there too."""
    return "\r" in text and text.count("\r") != text.count("\r\n")


def _common(limit, same):
    """How many items (at most `limit`) two versions share, counted from one end: same(lo, hi)
    tells whether items lo..hi-1 from that end are equal. Compared in blocks growing twofold
    (slices compare in C), then halving the block where they differ."""
    n, step = 0, 1
    while n + step <= limit and same(n, n + step):
        n += step
        step *= 2
    while step:
        if n + step <= limit and same(n, n + step):
            n += step
        step //= 2
    return n


def _parse(source, filename):
    # compile() itself: a SyntaxError in the program's script then shows no frame of ast.py.
    tree = compile(source, filename, "exec", ast.PyCF_ONLY_AST, True)
    assert isinstance(tree, ast.Module)  # what compile() returns in "exec" mode
    return tree
