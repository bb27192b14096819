"""The statement-level outline of a module (or class body), compared between two versions.

Definitions (def, class) are matched by name and occurrence; any other statement is matched by
its text (its AST without positions), so `CACHE = {}` unchanged is never re-run while
`RATE = 0.2` -> `RATE = 0.25` is.
Computed on the tree BEFORE instrumentation: it describes what the user wrote.
"""

import ast


class Entry:
    __slots__ = ("kind", "name", "occurrence", "node", "text", "header", "args", "body")

    def __init__(self, kind, node):
        self.kind = kind  # "def" | "class" | "stmt"
        self.node = node
        self.name = getattr(node, "name", None)
        self.occurrence = 0
        self.text = None  # stmt: its text
        self.header = None  # def: decorators; class: decorators, bases, keywords
        self.args = None  # def: parameter list with default values
        self.body = None  # class: the outline of its body

    @property
    def match_key(self):
        return (self.kind, self.name, self.occurrence) if self.kind != "stmt" else ("stmt", self.text)


def outline(statements):
    entries = []
    counts = {}
    for node in statements:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            entry = Entry("def", node)
            entry.header = _dump(node.decorator_list)
            entry.args = _dump(node.args) + repr(isinstance(node, ast.AsyncFunctionDef))
        elif isinstance(node, ast.ClassDef):
            entry = Entry("class", node)
            entry.header = _dump(node.decorator_list) + _dump(node.bases) + _dump(node.keywords)
            entry.body = outline(node.body)
        else:
            entry = Entry("stmt", node)
            entry.text = _dump(node)
        if entry.kind != "stmt":
            entry.occurrence = counts.get(entry.name, 0)
            counts[entry.name] = entry.occurrence + 1
        entries.append(entry)
    # A statement that appears twice (two `x += 1`) is matched occurrence by occurrence.
    seen = {}
    for entry in entries:
        if entry.kind == "stmt":
            n = seen.get(entry.text, 0)
            seen[entry.text] = n + 1
            entry.occurrence = n
            entry.text = (entry.text, n)
    return entries


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
