"""Start-up: connect to the controller, install the import finder, prepare the program's __main__.

hotframe_boot.py runs the prepared code from its own module level, so the program runs one
frame above where `python3 app.py` runs it and nothing of hotframe is in its tracebacks
(hide_agent_frames).
"""

import importlib.machinery
import os
import sys
import threading  # noqa: F401 (see below)
import types

from . import channel, children, importer, live_definitions, old_text, preparer, protocol, report, restarts, scope

# threading is imported here, on the main thread, although start-up needs nothing of it: the
# thread that first imports it is taken for the main thread, and interpreter exit waits for that
# one to end. The agent's own threads (preparer.py, the pipe's reader) import it later, with the
# patch machinery.

_BOOT_DIR = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


def connect():
    """Read (and remove: the program sees the environment plain python would) HOTFRAME_*;
    open the pipe; say hello before any user code runs; serve patch requests."""
    env = os.environ
    fd = env.pop("HOTFRAME_FD", None)
    version = env.pop("HOTFRAME_PROTOCOL", None)
    root = env.pop("HOTFRAME_ROOT", None)
    deps = env.pop("HOTFRAME_INSTRUMENT_DEPS", "0") == "1"
    debug = env.pop("HOTFRAME_DEBUGGER", None)  # "entry" or "continue" (hotframe debug), "attach"
    if version is not None and version != str(protocol.PROTOCOL_VERSION):
        sys.stderr.write(
            "hotframe: this agent speaks protocol %d, hotframe speaks %s: reinstall hotframe\n"
            % (protocol.PROTOCOL_VERSION, version)
        )
        sys.exit(2)
    pipe = channel.Channel(int(fd)) if fd else channel.NullChannel()
    controller = os.getppid()  # the controller spawned this process itself
    pipe.send(protocol.hello())
    live_definitions.install_builtins(restarts.HotframeRestart)
    debugging = None
    if debug:  # imported only here: `hotframe run` starts without the debugger's modules
        from . import debugger

        debugging = debugger.Debugger(pipe.send, attached=debug != "attach")

    def on_loaded(file):
        pipe.send_soon(protocol.loaded(file))
        if debugging is not None:
            debugging.loaded(file)

    importer.on_loaded = on_loaded
    report.on_warning = lambda message, file: pipe.send(protocol.warning(message, file))

    def handle(message):
        try:
            kind = message.get("type")
            if debugging is not None:
                debugging.on_reader_thread()
            if kind == "patch":
                file = os.path.realpath(message["file"])
                if debugging is not None:
                    debugging.patching(file)
                from . import patcher  # (imported by preparer.py in idle time, or now)

                result = patcher.patch(file, message["source"])
                if debugging is not None:
                    debugging.loaded(file)  # its breakpoints go to the new code
                pipe.send(protocol.patched(message["id"], message["file"], result))
            elif kind == "debug" and debugging is not None:
                debugging.handle(message)
        except Exception as exc:  # a malformed request must not stop the reader
            pipe.send(protocol.warning("hotframe agent: cannot handle %.200r: %r" % (message, exc)))

    children.watch()
    pipe.serve(handle, lambda: _controller_gone(controller))
    if fd:
        preparer.start()
    return root, deps, debugging, debug == "entry"


def _controller_gone(pid):
    """The controller died (SIGKILL, a crash) while the program runs: stop the program as a
    closed terminal does, so it neither runs on unpatchable nor writes to a terminal nobody
    watches. SIGHUP runs the program's own handler, if it has one; otherwise it ends it."""
    try:
        os.write(2, ("hotframe: the controller (pid %d) is gone; stopping the program\n" % pid).encode())
    except OSError:
        pass  # stderr is gone too: stop the program all the same
    import signal

    os.kill(os.getpid(), signal.SIGHUP)


def prepare(argv, boot_globals, dont_write_bytecode):
    """Set up sys and __main__ as `python3 <argv...>` would. Returns (code, globals, module):
    the code to exec in those globals, or (None, None, module) to run the module with runpy.
    dont_write_bytecode: the program's own setting (hotframe_boot.py lifts it for hotframe's
    modules), back before the program's code is compiled."""
    _fix_orig_argv()
    if not argv:
        sys.stderr.write("usage: hotframe_boot.py <script.py | -m module> [args...]\n")
        sys.exit(2)
    if argv[0] == "-m":
        if len(argv) < 2:
            sys.stderr.write("Argument expected for the -m option\n")
            sys.exit(2)
        _start(os.getcwd())
        sys.argv = ["-m"] + argv[2:]  # runpy puts the module's file in argv[0], as python -m does
        sys.path[0] = os.getcwd()
        _fresh_main(boot_globals)
        return None, None, argv[1]
    path = argv[0]
    if os.path.isdir(path) or (os.path.isfile(path) and not path.endswith(".py") and _is_zip(path)):
        _start(os.path.dirname(os.path.realpath(path)))  # a folder or zip with __main__.py
        sys.argv = list(argv)
        sys.path[0] = path
        _fresh_main(boot_globals)
        return None, None, "__main__"
    file = os.path.abspath(path)
    try:
        with open(path, "rb"):
            pass
        # Read before hello: a save the controller sees after it is a change of what runs.
        sys.dont_write_bytecode, writes = dont_write_bytecode, sys.dont_write_bytecode
        try:
            found = importer.read(file)  # (where the script's code is cached: codecache.py)
        finally:
            sys.dont_write_bytecode = writes
    except OSError as exc:
        program = (getattr(sys, "orig_argv", None) or [sys.executable])[0]
        sys.stderr.write("%s: can't open file %r: [Errno %d] %s\n" % (program, os.path.abspath(path), exc.errno, exc.strerror))
        sys.exit(2)
    _start(os.path.dirname(os.path.realpath(path)))
    sys.argv = list(argv)
    sys.path[0] = os.path.dirname(os.path.realpath(path))
    main = _fresh_main(boot_globals)
    loader = importlib.machinery.SourceFileLoader("__main__", path)
    main.__dict__.update(__file__=file, __cached__=None, __loader__=loader)
    sys.dont_write_bytecode = dont_write_bytecode  # (where it is cached, if compiled now)
    unit = importer.load_unit(file, None, found=found)
    unit.namespace = main.__dict__
    return unit.module_code, main.__dict__, None


def _is_zip(path):
    import zipfile  # (rarely needed: not imported at every start)

    return zipfile.is_zipfile(path)


def _start(default_root):
    root, deps, debugging, stop_at_entry = connect()
    importer.install(scope.Scope(root or default_root, deps))
    if debugging is not None:
        debugging.start(stop_at_entry)


def _fresh_main(boot_globals):
    """A clean __main__ module: the boot script's own globals must not leak into the program."""
    main = type(sys)("__main__")
    main.__dict__["__builtins__"] = boot_globals["__builtins__"]
    if "__annotations__" in boot_globals:
        main.__annotations__ = {}
    sys.modules["__main__"] = main
    return main


def _fix_orig_argv():
    """sys.orig_argv without hotframe_boot.py, as if python had been started on the program."""
    orig = getattr(sys, "orig_argv", None)
    if not orig:
        return
    for i, arg in enumerate(orig):
        if i and os.path.basename(arg) == "hotframe_boot.py":
            sys.orig_argv = orig[:i] + orig[i + 1 :]
            return


def run_module(name):
    # What `python -m` itself runs: runpy has no public function that sets __main__ up the same.
    import runpy

    runpy._run_module_as_main(name, name != "__main__")  # pyright: ignore[reportAttributeAccessIssue]


def hide_agent_frames():
    """Make the interpreter's report of an uncaught exception (printed through sys.excepthook,
    whichever the program installed) start at the program's first frame."""
    program_excepthook = sys.excepthook

    def excepthook(kind: "type[BaseException]", value: BaseException, tb: "types.TracebackType | None"):
        sys.excepthook = program_excepthook
        while tb is not None and _is_agent_file(tb.tb_frame.f_code.co_filename):
            tb = tb.tb_next
        value.__traceback__ = tb  # the default excepthook prints the exception's own traceback
        if program_excepthook is sys.__excepthook__ and sys.version_info < (3, 13) and old_text.in_traceback(tb):
            # (before 3.13 it reads each line from the file itself: old code's lines are not there)
            import traceback

            traceback.print_exception(kind, value, tb)
            return
        program_excepthook(kind, value, tb)

    sys.excepthook = excepthook


def _is_agent_file(filename):
    return filename.startswith(_BOOT_DIR + os.sep)
