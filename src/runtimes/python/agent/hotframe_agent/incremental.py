"""The instrumented syntax tree of a new version of a file, re-parsing only what the edit touched.

Building Python AST objects is the slow part of a patch (more than compiling them). An edit
usually changes one region: the top-level statements wholly inside the lines both versions share
at the start keep their (already instrumented) nodes, those wholly inside the shared end keep
theirs, shifted by the number of lines added or removed, and only the lines in between are
parsed and instrumented. The result is the tree of the whole new file, which is then compiled
whole as usual. Whenever that region does not parse on its own (an unterminated string or
bracket that may continue into the rest), the whole file is parsed instead.
"""

import ast
import bisect

from . import shape, transform


class Parsed:
    """tree: the instrumented module; outline: shape entries of the new version; undo(): put
    back the line numbers of shared nodes if this version is not applied after all; region: the
    Region re-parsed (None: the whole file was)."""

    def __init__(self, tree, outline, undo, region=None):
        self.tree = tree
        self.outline = outline
        self.undo = undo
        self.region = region
        self.lines = None  # the new source's splitlines(True), when they were made


class Region:
    """Where two versions differ, by top-level statement: the first `head` and the last `tail`
    entries of the new outline are the old version's statements (those of the tail `delta`
    lines later); in the old version, the head ends at line `head_end` and the tail starts at
    line `tail_start`."""

    __slots__ = ("head", "tail", "delta", "head_end", "tail_start")

    def __init__(self, head, tail, delta, head_end, tail_start):
        self.head = head
        self.tail = tail
        self.delta = delta
        self.head_end = head_end
        self.tail_start = tail_start


def parse_full(source, filename):
    tree = _parse(source, filename)
    outline = shape.outline(tree.body)  # what the user wrote, taken before instrumenting
    return Parsed(transform.instrument(tree), outline, lambda: None)


def parse_in_pieces(source, filename, pause, piece=300):
    """parse_full(), parsing a few hundred lines at a time and calling pause() in between: a
    parse holds the GIL, so the program's threads wait at most one piece's parse. A piece ends
    before a line that starts in column 0; when it does not parse alone (the line continues a
    string or a bracket, `else:` continues an `if`), it grows to the next such line."""
    lines = source.splitlines(True)
    body = []
    start = 0
    while start < len(lines):
        end = _piece_end(lines, start + piece)
        while True:
            try:
                body.extend(_parse("\n" * start + "".join(lines[start:end]), filename).body)
                break
            except SyntaxError:
                if end >= len(lines):
                    return parse_full(source, filename)  # (as the whole file parses: never)
                end = _piece_end(lines, end + piece)
        start = end
        pause()
    tree = ast.Module(body=body, type_ignores=[])
    outline = shape.outline(body)
    return Parsed(transform.instrument(tree), outline, lambda: None)


def _piece_end(lines, at):
    while at < len(lines) and (lines[at][:1].isspace() or lines[at][:1] in ("", "#", ")", "]", "}")):
        at += 1
    return min(at, len(lines))


def parse(old_source, old_outline, source, filename, old_lines=None):
    """Raises SyntaxError like compile() when the new source does not parse. old_lines: those of
    old_source (splitlines(True)), if known."""
    old_lines = old_source.splitlines(True) if old_lines is None else old_lines
    new_lines = source.splitlines(True)
    prefix, suffix = shared_ends(old_lines, new_lines)
    delta = len(new_lines) - len(old_lines)

    # (the outline's statements follow each other: their first and last lines only grow)
    head = old_outline[: bisect.bisect_right(old_outline, prefix, key=_last_line)]
    after = old_outline[len(head) :]
    tail = after[bisect.bisect_right(after, len(old_lines) - suffix, key=_first_line) :]
    if not head and not tail:
        return parse_full(source, filename)

    first = head[-1].end + 1 if head else 1
    last = tail[0].line + delta if tail else len(new_lines) + 1
    # Blank lines in front keep the region's line numbers those of the whole file.
    region = "\n" * (first - 1) + "".join(new_lines[first - 1 : last - 1])
    try:
        middle = _parse(region, filename).body
    except (SyntaxError, ValueError):
        return parse_full(source, filename)
    middle_outline = [shape.entry_for(node) for node in middle]
    transform.instrument(ast.Module(body=middle, type_ignores=[]))

    if delta:
        for entry in tail:
            _shift(entry.node, delta)

    def undo():
        if delta:
            for entry in tail:
                _shift(entry.node, -delta)

    # The entries of unchanged statements are shared with the old version unless they moved.
    kept = head + ([shape.moved(e, delta) for e in tail] if delta else tail)
    outline = shape.number(head + middle_outline + kept[len(head) :], {id(e) for e in kept})
    tree = ast.Module(body=[e.node for e in outline], type_ignores=[])
    region = Region(len(head), len(tail), delta, first - 1, tail[0].line if tail else len(old_lines) + 1)
    parsed = Parsed(tree, outline, undo, region)
    parsed.lines = new_lines
    return parsed


def shared_ends(old_lines, new_lines):
    """(prefix, suffix): how many lines two versions share at the start, and then at the end."""
    shortest = min(len(old_lines), len(new_lines))
    prefix = _common(shortest, lambda lo, hi: old_lines[lo:hi] == new_lines[lo:hi])
    old_end, new_end = len(old_lines), len(new_lines)
    suffix = _common(
        shortest - prefix, lambda lo, hi: old_lines[old_end - hi : old_end - lo] == new_lines[new_end - hi : new_end - lo]
    )
    return prefix, suffix


def _common(limit, same):
    """The number of lines (at most `limit`) two versions share, counted from one end:
    same(lo, hi) tells whether lines lo..hi-1 from that end are equal. Compared in blocks (list
    comparisons run in C), then halving the block where they differ."""
    n, step = 0, 1024
    while step:
        while n + step <= limit and same(n, n + step):
            n += step
        step //= 2
    return n


def _first_line(entry):
    return entry.line


def _last_line(entry):
    return entry.end


def _parse(source, filename):
    # compile() itself: a SyntaxError in the program's script then shows no frame of ast.py.
    tree = compile(source, filename, "exec", ast.PyCF_ONLY_AST, True)
    assert isinstance(tree, ast.Module)  # what compile() returns in "exec" mode
    return tree


def _shift(tree, delta):
    stack = [tree]
    while stack:
        node = stack.pop()
        if node._attributes:
            node.lineno += delta
            if node.end_lineno is not None:
                node.end_lineno += delta
        for field in node._fields:
            value = getattr(node, field, None)
            if type(value) is list:
                stack.extend(v for v in value if isinstance(v, ast.AST))
            elif isinstance(value, ast.AST):
                stack.append(value)
