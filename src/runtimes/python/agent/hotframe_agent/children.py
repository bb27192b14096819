"""Forked children: processes made by os.fork() (multiprocessing's "fork" start method, a
pre-forking server) run the code they had when they were forked. A patch reaches this process
only, so it says which of its children run the program without the edit.

Counted by an at-fork hook in this process (never in the child), then found as this process's
children (Linux: /proc/<pid>/task/<tid>/children) whose command line is still this process's
one: a child that went on to exec another program is not running the old code.
"""

import os

_forks = [0]  # os.fork() calls made by this process


def watch():
    os.register_at_fork(after_in_parent=_forked)


def _forked():
    _forks[0] += 1


def running_old():
    """The pids of live forked children that run this program (at most what was forked)."""
    if not _forks[0]:
        return []
    me = os.getpid()
    try:
        with open("/proc/%d/cmdline" % me, "rb") as handle:
            command = handle.read()
        pids = set()
        for task in os.listdir("/proc/%d/task" % me):
            with open("/proc/%d/task/%s/children" % (me, task)) as handle:
                pids.update(int(p) for p in handle.read().split())
    except OSError:  # (not Linux, or no /proc): say nothing rather than guess
        return []
    found = []
    for pid in sorted(pids):
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as handle:
                if handle.read() == command:
                    found.append(pid)
        except OSError:
            pass  # gone meanwhile
    return found
