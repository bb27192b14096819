"""The import-time AST rewrite that makes every function patchable and restartable.

Two things are added, nothing else (design "B0" in facts-python.md):

* every ``def`` gets ``@__hotframe_track__`` as its innermost decorator and every ``lambda`` is
  wrapped in ``__hotframe_track__(...)``: the raw function object is registered at creation, so a
  patch finds module functions, methods, properties, decorated functions and closures created
  before the edit without scanning the heap;
* every ``def`` body is wrapped in ``try: <body> except __hotframe_restart__ as e: return
  e.again(<original arguments>)``, so a frame can be restarted with the newest code. On 3.11+ a
  ``try`` costs nothing until something is raised; parameters the body rebinds are copied at entry
  (a plain local, no allocation) so the restart passes the values the call started with.

Both injected names live in ``builtins`` and use the ``__x__`` form so class-private name mangling
leaves them alone and the module namespace stays exactly as the program defines it.
"""

import ast

TRACK = "__hotframe_track__"
RESTART = "__hotframe_restart__"
SIGNAL_VAR = "__hf_signal__"

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def instrument(tree):
    """Rewrite a parsed module in place and return it (ready for compile())."""
    _Instrumenter().visit(tree)
    return tree


def _own_nodes(body):
    """The nodes of a function body that belong to its own scope (not nested defs or lambdas)."""
    stack = list(body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _SCOPES):
                # Decorators and defaults of a nested def are evaluated in this scope.
                if not isinstance(child, ast.Lambda):
                    stack.extend(child.decorator_list)
                if not isinstance(child, ast.ClassDef):
                    stack.extend(d for d in child.args.defaults + child.args.kw_defaults if d is not None)
                else:
                    stack.extend(child.bases)
                    stack.extend(child.keywords)
                continue
            stack.append(child)


def _rebound_names(body):
    """Names bound or deleted anywhere in the body's own scope."""
    names = set()
    for node in _own_nodes(body):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif type(node).__name__ in ("MatchAs", "MatchStar") and node.name:
            names.add(node.name)
        elif type(node).__name__ == "MatchMapping" and node.rest:
            names.add(node.rest)
    return names


def _is_generator(body):
    return any(isinstance(node, (ast.Yield, ast.YieldFrom)) for node in _own_nodes(body))


class _Instrumenter(ast.NodeTransformer):
    def visit_Lambda(self, node):
        self.generic_visit(node)
        call = ast.Call(func=ast.Name(id=TRACK, ctx=ast.Load()), args=[node], keywords=[])
        ast.copy_location(call.func, node)
        return ast.copy_location(call, node)

    def visit_FunctionDef(self, node):
        self.generic_visit(node)
        self._wrap(node, is_async=False)
        return node

    def visit_AsyncFunctionDef(self, node):
        self.generic_visit(node)
        self._wrap(node, is_async=True)
        return node

    def _wrap(self, node, is_async):
        track = ast.copy_location(ast.Name(id=TRACK, ctx=ast.Load()), node)
        node.decorator_list.append(track)

        body = node.body
        doc = []
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            if isinstance(body[0].value.value, str):
                doc, body = body[:1], body[1:]
        if not body:  # a function that is only a docstring
            body = [ast.copy_location(ast.Pass(), doc[0])]
        first = body[0]

        args = node.args
        rebound = _rebound_names(body)
        params = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
        params += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
        saved = {p: "__hf_%s__" % p for p in params if p in rebound}

        def load(name):
            return ast.Name(id=saved.get(name, name), ctx=ast.Load())

        positional = [load(a.arg) for a in args.posonlyargs + args.args]
        if args.vararg is not None:
            positional.append(ast.Starred(value=load(args.vararg.arg), ctx=ast.Load()))
        keywords = [ast.keyword(arg=a.arg, value=load(a.arg)) for a in args.kwonlyargs]
        if args.kwarg is not None:
            keywords.append(ast.keyword(arg=None, value=load(args.kwarg.arg)))
        again = ast.Call(
            func=ast.Attribute(value=ast.Name(id=SIGNAL_VAR, ctx=ast.Load()), attr="again", ctx=ast.Load()),
            args=positional,
            keywords=keywords,
        )
        is_generator = _is_generator(body)
        if is_async and is_generator:
            # An async generator cannot return a value: re-yield what the new one produces.
            item = "__hf_item__"
            handler_body = [
                ast.AsyncFor(
                    target=ast.Name(id=item, ctx=ast.Store()),
                    iter=again,
                    body=[ast.Expr(value=ast.Yield(value=ast.Name(id=item, ctx=ast.Load())))],
                    orelse=[],
                ),
                ast.Return(value=None),
            ]
        elif is_async:
            handler_body = [ast.Return(value=ast.Await(value=again))]
        elif is_generator:
            handler_body = [ast.Return(value=ast.YieldFrom(value=again))]
        else:
            handler_body = [ast.Return(value=again)]

        handler = ast.ExceptHandler(type=ast.Name(id=RESTART, ctx=ast.Load()), name=SIGNAL_VAR, body=handler_body)
        wrapped = ast.Try(body=body, handlers=[handler], orelse=[], finalbody=[])
        copies = [
            ast.Assign(targets=[ast.Name(id=copy, ctx=ast.Store())], value=ast.Name(id=param, ctx=ast.Load()))
            for param, copy in saved.items()
        ]
        # The injected statements carry the first body line: they run "as part of" it, so line
        # events, coverage and tracebacks never name a line the user did not write.
        for injected in copies + [handler]:
            _locate(injected, first)
        ast.copy_location(wrapped, first)
        node.body = doc + copies + [wrapped]


def _locate(tree, origin):
    for child in ast.walk(tree):
        if "lineno" in child._attributes:
            ast.copy_location(child, origin)
