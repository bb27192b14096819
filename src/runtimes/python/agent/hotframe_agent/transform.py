"""The import-time AST rewrite that makes every function patchable and restartable.

Two things are added, nothing else (design "B0" in facts-python.md):

* every ``def`` gets ``@__hotframe_track__`` as its innermost decorator and every ``lambda`` is
  wrapped in ``__hotframe_track__(...)``: the raw function object is registered at creation, so a
  patch finds module functions, methods, properties, decorated functions and closures created
  before the edit without scanning the heap;
* every ``def`` body is wrapped in ``try: <body> except __hotframe_restart__: return
  __hotframe_restart__.again(<original arguments>)``, so a frame can be restarted with the newest
  code (``again`` takes the restart being handled from sys.exc_info()). On 3.11+ a ``try`` costs
  nothing until something is raised, and the handler binds no name: on 3.11 one local more costs
  every call about 5% of fib's (clearing it at entry and exit). Parameters the body rebinds are
  copied at entry (a plain local, no allocation) so the restart passes the values the call
  started with. Generators and coroutines use ``except BaseException as __hf_signal__: if
  __hf_signal__.__class__.__name__ != "HotframeRestart": raise`` instead, which looks up no name
  of hotframe's: at interpreter shutdown CPython restores its original builtins before it closes
  the generators and coroutines still suspended, and a lookup there would print NameErrors.
  (Plain functions keep the cheaper form: no local, and an exception propagating through one
  costs less.)
* on 3.10/3.11 only (no sys.monitoring there), an exception that is not a restart is shown to
  ``__hotframe_unwinding__()`` on its way out, while the frame it leaves is still alive (plain
  functions: a second handler; generators and coroutines: in theirs, GeneratorExit excepted).
  The hook is None while no exception filter is on (one test more per exception passing
  through); else it is the debugger's ``catch uncaught|raised`` (catching.py), which returns
  (then a bare ``raise`` re-raises the exception, untouched) or raises a HotframeRestart (the
  user fixed the function while paused there), which a handler around the call hands to
  ``again``: it restarts this frame or the one it targets.

Both names live in ``builtins``; injected names use the ``__x__`` form so class-private name
mangling leaves them alone and the module namespace stays exactly as the program defines it.
"""

import ast
import sys

TRACK = "__hotframe_track__"
RESTART = "__hotframe_restart__"  # restarts.HotframeRestart, in builtins
RESTART_CLASS = "HotframeRestart"  # its __name__
SIGNAL_VAR = "__hf_signal__"
UNWINDING = "__hotframe_unwinding__"  # the debugger's hook on 3.10/3.11 (see above)
_UNWINDING_HOOK = sys.version_info < (3, 12)


def instrument(tree):
    """Rewrite a parsed module in place and return it (ready for compile())."""
    _Instrumenter().walk(tree, None)
    return tree


class _Scope:
    """What the rewrite of one function needs to know about its body's own scope."""

    __slots__ = ("rebound", "generator")

    def __init__(self):
        self.rebound = set()  # names bound or deleted in the body (parameters need a copy)
        self.generator = False


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_LOAD, _STORE = ast.Load(), ast.Store()  # shared, as the parser shares them
_BINDING_NAMES = {"MatchAs", "MatchStar", "ExceptHandler"}  # nodes with a bound `name` field


class _Instrumenter:
    """One pass over the tree (patch latency depends on it): wraps defs, tracks lambdas, and
    collects per function what its body rebinds and whether it yields."""

    def walk(self, node, scope):
        kind = type(node)
        if kind is ast.Name:
            if scope is not None and type(node.ctx) is not ast.Load:
                scope.rebound.add(node.id)
            return node
        if kind in _FUNCTIONS or kind is ast.Lambda:
            return self._function(node, scope)
        if kind is ast.ClassDef:
            if scope is not None:
                scope.rebound.add(node.name)
            for field in (node.bases, node.keywords, node.decorator_list):
                self._walk_list(field, scope)
            self._walk_list(node.body, _Scope())  # a class body is a scope of its own
            return node
        if scope is not None:
            if kind is ast.Yield or kind is ast.YieldFrom:
                scope.generator = True
            elif kind is ast.alias:
                scope.rebound.add((node.asname or node.name).split(".")[0])
            elif kind.__name__ in _BINDING_NAMES and node.name:
                scope.rebound.add(node.name)
            elif kind.__name__ == "MatchMapping" and node.rest:
                scope.rebound.add(node.rest)
        for field in node._fields:
            value = getattr(node, field, None)
            if type(value) is list:
                self._walk_list(value, scope)
            elif isinstance(value, ast.AST):
                replaced = self.walk(value, scope)
                if replaced is not value:
                    setattr(node, field, replaced)
        return node

    def _walk_list(self, items, scope):
        for i, item in enumerate(items):
            if isinstance(item, ast.AST):
                replaced = self.walk(item, scope)
                if replaced is not item:
                    items[i] = replaced

    def _function(self, node, scope):
        args = node.args
        # Defaults, annotations and decorators are evaluated in the enclosing scope.
        self._walk_list(args.defaults, scope)
        self._walk_list(args.kw_defaults, scope)  # None entries (no default) are skipped
        if type(node) is ast.Lambda:
            inner = _Scope()
            node.body = self.walk(node.body, inner)
            call = ast.Call(func=ast.Name(id=TRACK, ctx=_LOAD), args=[node], keywords=[])
            ast.copy_location(call.func, node)
            return ast.copy_location(call, node)
        if scope is not None:
            scope.rebound.add(node.name)
        self._walk_list(node.decorator_list, scope)
        inner = _Scope()
        self._walk_list(node.body, inner)
        self._wrap(node, type(node) is ast.AsyncFunctionDef, inner)
        return node

    def _wrap(self, node, is_async, scope):
        track = ast.copy_location(ast.Name(id=TRACK, ctx=_LOAD), node)
        node.decorator_list.append(track)

        body: "list[ast.stmt]" = node.body
        doc: "list[ast.stmt]" = []
        head = body[0] if body else None
        if isinstance(head, ast.Expr) and isinstance(head.value, ast.Constant) and isinstance(head.value.value, str):
            doc, body = body[:1], body[1:]
        if not body:  # a function that is only a docstring
            body = [ast.copy_location(ast.Pass(), doc[0])]
        first = body[0]
        # The injected nodes carry the first body line: they run "as part of" it, so line events,
        # coverage and tracebacks never name a line the user did not write.
        at = {
            "lineno": first.lineno,
            "col_offset": first.col_offset,
            "end_lineno": first.end_lineno,
            "end_col_offset": first.end_col_offset,
        }

        args = node.args
        rebound = scope.rebound
        params = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
        params += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
        saved = {p: "__hf_%s__" % p for p in params if p in rebound}

        def load(name):
            return ast.Name(id=saved.get(name, name), ctx=_LOAD, **at)

        def call_again(receiver):
            """`<receiver>.again(<original arguments>)` (a new tree each time: no node is shared)."""
            positional: "list[ast.expr]" = [load(a.arg) for a in args.posonlyargs + args.args]
            if args.vararg is not None:
                positional.append(ast.Starred(value=load(args.vararg.arg), ctx=_LOAD, **at))
            keywords = [ast.keyword(arg=a.arg, value=load(a.arg), **at) for a in args.kwonlyargs]
            if args.kwarg is not None:
                keywords.append(ast.keyword(arg=None, value=load(args.kwarg.arg), **at))
            return ast.Call(
                func=ast.Attribute(value=receiver, attr="again", ctx=_LOAD, **at),
                args=positional,
                keywords=keywords,
                **at,
            )

        def restart_body(receiver):
            """`return <receiver>.again(<original arguments>)`, in the form the function's kind needs."""
            again = call_again(receiver)
            if is_async and is_generator:
                # An async generator cannot return a value: re-yield what the new one produces.
                item = "__hf_item__"
                yield_item = ast.Expr(value=ast.Yield(value=ast.Name(id=item, ctx=_LOAD, **at), **at), **at)
                loop = ast.AsyncFor(
                    target=ast.Name(id=item, ctx=_STORE, **at), iter=again, body=[yield_item], orelse=[], **at
                )
                return [loop, ast.Return(value=None, **at)]
            if is_async:
                return [ast.Return(value=ast.Await(value=again, **at), **at)]
            if is_generator:
                return [ast.Return(value=ast.YieldFrom(value=again, **at), **at)]
            return [ast.Return(value=again, **at)]

        is_generator = scope.generator
        restart_class = ast.Name(id=RESTART, ctx=_LOAD, **at)
        if is_async or is_generator:  # may be closed at shutdown: no lookup of hotframe's names
            # `raise` alone re-raises with the traceback untouched: other exceptions pass as before.
            not_ours: "list[ast.stmt]" = _unwinding(at, restart_body, closable=True) if _UNWINDING_HOOK else [_raise(at)]
            body_of_handler = [ast.If(test=_not_a_restart(at), body=not_ours, orelse=[], **at)]
            handlers = [_handler("BaseException", body_of_handler + restart_body(_signal(at)), at, SIGNAL_VAR)]
        else:
            handlers = [_handler(RESTART, restart_body(restart_class), at)]
            if _UNWINDING_HOOK:
                handlers.append(_handler("BaseException", _unwinding(at, restart_body, closable=False), at))
        copies = [
            ast.Assign(
                targets=[ast.Name(id=copy, ctx=_STORE, **at)], value=ast.Name(id=param, ctx=_LOAD, **at), **at
            )
            for param, copy in saved.items()
        ]
        wrapped = ast.Try(body=body, handlers=handlers, orelse=[], finalbody=[], **at)
        node.body = doc + copies + [wrapped]


def _handler(caught, body, at, name=None):
    return ast.ExceptHandler(type=ast.Name(id=caught, ctx=_LOAD, **at), name=name, body=body, **at)


def _signal(at):
    return ast.Name(id=SIGNAL_VAR, ctx=_LOAD, **at)


def _raise(at):
    return ast.Raise(exc=None, cause=None, **at)


def _is(left, right, at):
    return ast.Compare(left=left, ops=[ast.Is()], comparators=[right], **at)


def _not_a_restart(at):
    """`__hf_signal__.__class__.__name__ != "HotframeRestart"` (no name of hotframe's)."""
    cls = ast.Attribute(value=_signal(at), attr="__class__", ctx=_LOAD, **at)
    name = ast.Attribute(value=cls, attr="__name__", ctx=_LOAD, **at)
    return ast.Compare(left=name, ops=[ast.NotEq()], comparators=[ast.Constant(value=RESTART_CLASS, **at)], **at)


def _unwinding(at, restart_body, closable) -> "list[ast.stmt]":
    """3.10/3.11: `if <not watched>: raise` / `try: __hotframe_unwinding__()` / `except
    __hotframe_restart__: <restart this frame>` / `raise` — the hook is None while no exception
    filter is on, so an exception passing through costs one more test; it raises a restart when
    the user fixed a function while paused there. No name is bound: a local more costs every call."""
    unwatched = _is(ast.Name(id=UNWINDING, ctx=_LOAD, **at), ast.Constant(value=None, **at), at)
    if closable:
        exiting = _is(
            ast.Attribute(value=_signal(at), attr="__class__", ctx=_LOAD, **at),
            ast.Name(id="GeneratorExit", ctx=_LOAD, **at),
            at,
        )
        unwatched = ast.BoolOp(op=ast.Or(), values=[exiting, unwatched], **at)
    call = ast.Call(func=ast.Name(id=UNWINDING, ctx=_LOAD, **at), args=[], keywords=[], **at)
    asking = ast.Try(
        body=[ast.Expr(value=call, **at)],
        handlers=[_handler(RESTART, restart_body(ast.Name(id=RESTART, ctx=_LOAD, **at)), at)],
        orelse=[],
        finalbody=[],
        **at,
    )
    return [ast.If(test=unwatched, body=[_raise(at)], orelse=[], **at), asking, _raise(at)]
