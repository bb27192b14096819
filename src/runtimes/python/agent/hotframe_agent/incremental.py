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

from . import shape, transform


class Parsed:
    """tree: the instrumented module; outline: shape entries of the new version; undo(): put
    back the line numbers of shared nodes if this version is not applied after all."""

    def __init__(self, tree, outline, undo):
        self.tree = tree
        self.outline = outline
        self.undo = undo


def parse_full(source, filename):
    tree = _parse(source, filename)
    outline = shape.outline(tree.body)  # what the user wrote, taken before instrumenting
    return Parsed(transform.instrument(tree), outline, lambda: None)


def parse(old_source, old_outline, source, filename):
    """Raises SyntaxError like compile() when the new source does not parse."""
    old_lines = old_source.splitlines(True)
    new_lines = source.splitlines(True)
    shortest = min(len(old_lines), len(new_lines))
    prefix = 0
    while prefix < shortest and old_lines[prefix] == new_lines[prefix]:
        prefix += 1
    suffix = 0
    while suffix < shortest - prefix and old_lines[-1 - suffix] == new_lines[-1 - suffix]:
        suffix += 1
    delta = len(new_lines) - len(old_lines)

    head = []
    for entry in old_outline:
        if entry.end > prefix:
            break
        head.append(entry)
    tail = []
    for entry in reversed(old_outline[len(head) :]):
        if entry.line <= len(old_lines) - suffix:
            break
        tail.insert(0, entry)
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

    outline = shape.number(
        [shape.moved(e, 0) for e in head] + middle_outline + [shape.moved(e, delta) for e in tail]
    )
    tree = ast.Module(body=[e.node for e in outline], type_ignores=[])
    return Parsed(tree, outline, undo)


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
