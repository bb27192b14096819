"""The agent's end of the controller pipe: newline-delimited JSON over an inherited socket.

Messages are sent from any thread (imports happen anywhere); requests are read by one reader
thread started with _thread, so it does not appear in threading.enumerate() and never delays
interpreter exit. The controller waits for the program and never closes its end first, so the
end of the input (or a broken pipe) means it is gone: serve() then calls its on_gone().

The socket is read and written as a plain file descriptor (os.read, os.write): the socket
module, and json for reading, are not imported at start-up (protocol.encode).
"""

import _thread
import os

from . import agent_threads, protocol


class Channel:
    def __init__(self, fd):
        os.set_inheritable(fd, False)  # subprocesses of the program must not get the pipe
        os.set_blocking(fd, True)  # (a write waits for room rather than failing)
        self._fd = fd
        self._lock = _thread.allocate_lock()
        self._open = True
        os.register_at_fork(after_in_child=self._forget)

    def send(self, message):
        if not self._open:
            return
        data = memoryview((protocol.encode(message) + "\n").encode("utf-8"))
        with self._lock:
            try:
                while data:
                    data = data[os.write(self._fd, data) :]
            except OSError:
                self._open = False  # the controller is gone: keep the program running

    def serve(self, handle, on_gone):
        """Call handle(message) for each request, on a reader thread; on_gone() once the
        controller has closed the pipe."""
        agent_threads.start(self._read, (handle, on_gone))

    def _read(self, handle, on_gone):
        import json

        pending = b""
        try:
            while True:
                chunk = os.read(self._fd, 1 << 16)
                if not chunk:
                    break
                *lines, pending = (pending + chunk).split(b"\n")
                for line in lines:
                    try:
                        message = json.loads(line) if line.strip() else None
                    except ValueError:
                        continue  # an unreadable line is not a request (and not the end of the pipe)
                    if message is not None:
                        handle(message)
        except OSError:
            pass
        self._open = False
        on_gone()

    def _forget(self):
        # A forked child shares the socket with its parent: only the parent talks to hotframe.
        self._open = False


class NullChannel:
    """Used when the program runs without a controller (e.g. in tests): messages go nowhere."""

    def send(self, message):
        pass

    def serve(self, handle, on_gone):
        pass
