# hotframe's entry point: `python hotframe_boot.py app.py [args]` or `... -m module [args]`
# runs the program as `python app.py` would, with the agent connected to the controller.
# This first part must parse on any Python, so the version message reaches old interpreters too.
import sys

if sys.version_info < (3, 10):
    sys.stderr.write(
        "hotframe: Python %d.%d is too old: hotframe needs 3.10 or newer (pick another with --python)\n"
        % sys.version_info[:2]
    )
    sys.exit(2)

# hotframe's own modules keep their bytecode even where the program's do not
# (PYTHONDONTWRITEBYTECODE, -B): nothing of the program runs or is compiled before the flag is back.
__hotframe_writes__, sys.dont_write_bytecode = sys.dont_write_bytecode, False
from hotframe_agent import main as __hotframe_main__

try:
    try:
        __hotframe_code__, __hotframe_globals__, __hotframe_module__ = __hotframe_main__.prepare(sys.argv[1:], globals(), __hotframe_writes__)
    finally:
        sys.dont_write_bytecode = __hotframe_writes__
    # The program runs right here, at module level: one frame above where python runs it.
    if __hotframe_code__ is not None:
        exec(__hotframe_code__, __hotframe_globals__)
    else:
        __hotframe_main__.run_module(__hotframe_module__)
except SystemExit:
    raise
except BaseException:
    __hotframe_main__.hide_agent_frames()
    raise
