"""The agent's end of the controller pipe: newline-delimited JSON over an inherited socket.

Messages are sent from any thread (imports happen anywhere); requests are read by one reader
thread started with _thread, so it does not appear in threading.enumerate() and never delays
interpreter exit. If the controller goes away, the program keeps running, unpatched.
"""

import _thread
import json
import os
import socket
import threading


class Channel:
    def __init__(self, fd):
        os.set_inheritable(fd, False)  # subprocesses of the program must not get the pipe
        self._socket = socket.socket(fileno=fd)
        self._lock = threading.Lock()
        self._open = True
        os.register_at_fork(after_in_child=self._forget)

    def send(self, message):
        if not self._open:
            return
        data = (json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            try:
                self._socket.sendall(data)
            except OSError:
                self._open = False  # the controller is gone: keep the program running

    def serve(self, handle):
        """Call handle(message) for each request, on a reader thread."""
        _thread.start_new_thread(self._read, (handle,))

    def _read(self, handle):
        reader = self._socket.makefile("rb")
        try:
            for line in reader:
                if line.strip():
                    handle(json.loads(line))
        except (OSError, ValueError):
            pass
        self._open = False

    def _forget(self):
        # A forked child shares the socket with its parent: only the parent talks to hotframe.
        self._open = False


class NullChannel:
    """Used when the program runs without a controller (e.g. in tests): messages go nowhere."""

    def send(self, message):
        pass

    def serve(self, handle):
        pass
