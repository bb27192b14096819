"""The agent's end of the controller pipe: newline-delimited JSON over an inherited socket.

Messages are sent from any thread (imports happen anywhere); requests are read by one reader
thread started with _thread, so it does not appear in threading.enumerate() and never delays
interpreter exit. The controller waits for the program and never closes its end first, so the
end of the input (or a broken pipe) means it is gone: serve() then calls its on_gone().

The `loaded` messages of a start-up go a few to a write (send_soon): each write wakes the
controller, which then takes a CPU from the program, at every import.

The socket is read and written as a plain file descriptor (os.read, os.write): the socket
module, and json for reading, are not imported at start-up (protocol.encode).
"""

import _thread
import atexit
import os
import time

from . import agent_threads, protocol

_BATCH = 0.01  # seconds a message of send_soon() waits for others to share its write


class Channel:
    def __init__(self, fd):
        os.set_inheritable(fd, False)  # subprocesses of the program must not get the pipe
        os.set_blocking(fd, True)  # (a write waits for room rather than failing)
        self._fd = fd
        self._lock = _thread.allocate_lock()  # held while writing: one message never splits another
        self._open = True
        self._queued = []  # the lines of send_soon() not written yet, in order
        self._due = _thread.allocate_lock()  # released when the first line is queued
        self._due.acquire()
        os.register_at_fork(after_in_child=self._forget)
        agent_threads.start(self._write_queued)
        atexit.register(self.flush)  # (the program's own atexit handlers run before: registered later)

    def send(self, message):
        """Write `message` now, after what send_soon() queued."""
        self._write(_line(message))

    def send_soon(self, message):
        """Write `message` with the next send(), within _BATCH seconds, or at exit: whichever
        comes first."""
        if not self._open:
            return  # (checked before the lock: a forked child must not wait for a lock it copied held)
        line = _line(message)
        with self._lock:
            self._queued.append(line)
            first = len(self._queued) == 1
        if first:
            try:
                self._due.release()
            except RuntimeError:
                pass  # (released already, the queue flushed meanwhile: the writer finds it empty)

    def flush(self):
        self._write("")

    def _write(self, line):
        if not self._open:
            return
        with self._lock:
            if self._queued:
                line = "".join(self._queued) + line
                self._queued = []
            if not self._open or not line:
                return
            data = memoryview(line.encode("utf-8"))
            try:
                while data:
                    data = data[os.write(self._fd, data) :]
            except OSError:
                self._open = False  # the controller is gone: keep the program running

    def _write_queued(self):
        while True:
            self._due.acquire()
            time.sleep(_BATCH)  # (the imports meanwhile queue theirs)
            self.flush()

    def serve(self, handle, on_gone):
        """Call handle(message) for each request, on a reader thread; on_gone() once the
        controller has closed the pipe."""
        agent_threads.start(self._read, (handle, on_gone))

    def _read(self, handle, on_gone):
        pending = b""
        try:
            while True:
                chunk = os.read(self._fd, 1 << 16)
                if not chunk:
                    break
                *lines, pending = (pending + chunk).split(b"\n")
                for line in lines:
                    try:
                        message = _decode(line) if line.strip() else None
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


def _line(message):
    return protocol.encode(message) + "\n"


def _decode(line):
    import json  # (at the first request: a run without edits never imports it)

    return json.loads(line)


class NullChannel:
    """Used when the program runs without a controller (e.g. in tests): messages go nowhere."""

    def send(self, message):
        pass

    def send_soon(self, message):
        pass

    def serve(self, handle, on_gone):
        pass
