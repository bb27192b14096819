"""The statement-level outline of a module (or class body), compared between two versions.

Definitions (def, class) are matched by name and occurrence; any other statement is matched by
its text (its AST without positions), so `CACHE = {}` unchanged is never re-run while
`RATE = 0.2` -> `RATE = 0.25` is.
Computed on the tree BEFORE instrumentation: it describes what the user wrote.
"""

import ast
import bisect


class Entry:
    __slots__ = ("kind", "name", "occurrence", "node", "raw", "text", "header", "args", "body", "line", "end", "imports", "analyses")

    def __init__(self, kind, node):
        self.kind = kind  # "def" | "class" | "stmt"
        self.node = node  # instrumented in place once the whole tree is
        self.name = getattr(node, "name", None)
        self.occurrence = 0
        self.raw: "str | None" = None  # stmt: its text (its AST without positions)
        self.text: "tuple[str, int] | None" = None  # stmt: (raw, occurrence), what it is matched by
        self.header: "str | None" = None  # def: decorators; class: decorators, bases, keywords
        self.args: "str | None" = None  # def: parameters with default values and annotations
        self.body: "list[Entry] | None" = None  # class: the outline of its body
        # First line (the first decorator's) and last line in the version this entry describes:
        # kept here because the nodes of unchanged statements are shared between versions.
        self.line = _first_line_of(node)
        self.end = node.end_lineno
        self.imports = frozenset()  # stmt: the module-level names its `import`s bind
        self.analyses = {}  # what the planner found out about the node (planner._analysed)

    @property
    def match_key(self):
        return (self.kind, self.name, self.occurrence) if self.kind != "stmt" else ("stmt", self.text)


def outline(statements):
    return number([entry_for(node) for node in statements])


class Outline(list):
    """A module's outline: its entries in order, and what a patch looks up in it without a walk
    over every entry: `by_key`, numbering key -> the entries with that key in order (the n-th
    is occurrence n), and `imports`, name -> how many statements bind it by `import`."""

    __slots__ = ("by_key", "imports")

    def __init__(self, entries, by_key=None, imports=None):
        super().__init__(entries)
        if by_key is None or imports is None:
            by_key, imports = {}, {}
            for entry in self:
                by_key.setdefault(numbering_key(entry), []).append(entry)
                _count_imports(imports, entry, 1)
        self.by_key = by_key
        self.imports = imports

    def find(self, match_key):
        """The entry with this match key (None: this version has none)."""
        if match_key[0] == "stmt":
            (raw, occurrence) = match_key[1]
            entries = self.by_key.get(raw)
        else:
            kind, name, occurrence = match_key
            entries = self.by_key.get((kind, name))
        return entries[occurrence] if entries is not None and 0 <= occurrence < len(entries) else None

    def positioned(self, entry):
        """entry.node with the line numbers of this version, `entry` being one of its entries or
        inside one (a class body's): the module-level statement holding it is positioned."""
        positioned(self[bisect.bisect_right(self, entry.line, key=first_line) - 1])
        return entry.node

    def named(self, name):
        """The defs and classes of this name, in order."""
        found = self.by_key.get(("def", name), []) + self.by_key.get(("class", name), [])
        return sorted(found, key=first_line) if len(found) > 1 else found

    def replaced(self, head, tail, middle, head_end):
        """The outline of a version where the entries between the first `head` and the last
        `tail` are `middle` (new entries, not numbered yet) and the others did not move
        (head_end: the last line of the head here). Numbers and looks up only the keys of the
        entries replaced and added: (outline, positions of the tail's entries renumbered)."""
        gone = self[head : len(self) - tail]
        entries = self[:head] + middle + self[len(self) - tail :]
        start = head + len(middle)  # of the tail in `entries`
        by_key, imports = dict(self.by_key), dict(self.imports)
        counts = {}
        for entry in gone:
            counts.setdefault(numbering_key(entry), [0, []])[0] += 1
            _count_imports(imports, entry, -1)
        for entry in middle:
            counts.setdefault(numbering_key(entry), [0, []])[1].append(entry)
            _count_imports(imports, entry, 1)
        renumbered = []
        for key, (removed, added) in counts.items():
            olds = self.by_key.get(key, [])
            before = bisect.bisect_right(olds, head_end, key=last_line)  # (head entries end by head_end)
            for occurrence, entry in enumerate(added, before):
                entry.occurrence = occurrence
                if entry.raw is not None:
                    entry.text = (entry.raw, occurrence)
            after = olds[before + removed :]
            if len(added) != removed:  # the tail's entries of this key are the n-th ones no longer
                for position, entry in enumerate(after):
                    copy = moved(entry, 0)
                    copy.occurrence = before + len(added) + position
                    if copy.raw is not None:
                        copy.text = (copy.raw, copy.occurrence)
                    at = bisect.bisect_left(entries, entry.line, lo=start, key=first_line)
                    entries[at] = after[position] = copy
                    renumbered.append(at)
            by_key[key] = olds[:before] + added + after
            if not by_key[key]:
                del by_key[key]
        return Outline(entries, by_key, {name: n for name, n in imports.items() if n}), renumbered


def positioned(entry):
    """The node of a module-level entry with the line numbers of the version the entry is of. The
    nodes of statements an edit did not touch are shared by the versions; when lines added or
    removed above move them, only the entries move, and a node is shifted when its positions
    are needed (to compile it, or quote its text): a patch costs what it touches."""
    node = entry.node
    lag = entry.line - _first_line_of(node)
    if lag:
        _shift(node, lag)
    return node


def _first_line_of(node):
    """A statement's first line: its first decorator's, if it has any."""
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", ())])


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


def numbering_key(entry):
    """What occurrences count: the defs (classes) of one name, the statements of one text."""
    return entry.raw if entry.kind == "stmt" else (entry.kind, entry.name)


def _count_imports(imports, entry, sign):
    for name in entry.imports:
        imports[name] = imports.get(name, 0) + sign


def first_line(entry):
    return entry.line


def last_line(entry):
    return entry.end


def entry_for(node):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        entry = Entry("def", node)
        entry.header = _dump(node.decorator_list)
        returns = _dump(node.returns) if node.returns is not None else ""
        entry.args = _dump(node.args) + returns + repr(isinstance(node, ast.AsyncFunctionDef))
    elif isinstance(node, ast.ClassDef):
        entry = Entry("class", node)
        entry.header = _dump(node.decorator_list) + _dump(node.bases) + _dump(node.keywords)
        entry.body = outline(node.body)
    else:
        entry = Entry("stmt", node)
        entry.raw = _dump(node)
        entry.imports = _imported_names(node)
    return entry


def number(entries, shared=()):
    """Occurrences: the n-th def of a name, the n-th identical statement (two `x += 1`).
    shared: ids of entries of another version, copied rather than changed."""
    counts = {}
    for position, entry in enumerate(entries):
        key = numbering_key(entry)
        occurrence = counts.get(key, 0)
        counts[key] = occurrence + 1
        if occurrence != entry.occurrence or (entry.kind == "stmt" and entry.text is None):
            if id(entry) in shared:
                entry = entries[position] = moved(entry, 0)
            entry.occurrence = occurrence
            if entry.raw is not None:  # (a statement)
                entry.text = (entry.raw, occurrence)
    return entries


def moved(entry, delta):
    """A copy of an unchanged statement's entry for a version where it starts `delta` lines later."""
    copy = Entry.__new__(Entry)
    for name in Entry.__slots__:
        setattr(copy, name, getattr(entry, name))
    if delta:  # (a class body's entries are numbered once and never changed: shared when not moved)
        copy.line, copy.end = entry.line + delta, entry.end + delta
        if entry.body is not None:
            copy.body = [moved(e, delta) for e in entry.body]
    return copy


def _dump(node):
    if isinstance(node, list):
        return "[" + ", ".join(ast.dump(n) for n in node) + "]"
    return ast.dump(node)


def bound_names(node):
    """Names a top-level statement binds, for reporting it (`RATE`, `CACHE`)."""
    names = []
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store) and child.id not in names:
            names.append(child.id)
        elif isinstance(child, ast.alias):
            name = (child.asname or child.name).split(".")[0]
            if name not in names:
                names.append(name)
    return names


def _imported_names(statement):
    """The module-level names a top-level statement binds by `import` (also inside `if` / `try`)."""
    names = set()
    stack = [statement]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names if a.name != "*")
        elif isinstance(node, ast.stmt) and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                stack.extend(getattr(node, field, ()))
        elif isinstance(node, (ast.excepthandler, getattr(ast, "match_case", ast.excepthandler))):
            stack.extend(node.body)
    return frozenset(names)


def is_main_guard(node):
    """`if __name__ == "__main__":` — runs the program; re-running it from a patch would start
    the program a second time inside the patching thread."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Eq, ast.Is))):
        return False
    sides = [test.left, test.comparators[0]]
    has_name = any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
    has_main = any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)
    return has_name and has_main
