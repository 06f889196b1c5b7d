"""Sweep workers after a ``kill -9`` of the sweep, and the worker count (issue 27)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from hopfield_sim import _execution

ROOT = Path(__file__).resolve().parents[2]

_TASK = textwrap.dedent(
    """
    import os, time

    def slow(spec, params, seed):
        open(os.path.join(spec["dir"], f"{os.getpid()}.pid"), "w").close()
        time.sleep(120)
        return {}
    """
)

_PARENT = textwrap.dedent(
    """
    import sys
    from hopfield_sim import _execution
    import slowtask

    spec = {"dir": sys.argv[1]}
    work = [[(i, {}, 0)] for i in range(6)]
    _execution.execute(slowtask.slow, spec, work, on_done=lambda r: None, workers=2,
                       threads_per_worker=1)
    """
)


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited (waiting to be reaped)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux /proc")
def test_workers_and_resource_tracker_exit_after_kill_9(tmp_path):
    (tmp_path / "slowtask.py").write_text(_TASK)
    env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{tmp_path}")
    parent = subprocess.Popen([sys.executable, "-c", _PARENT, str(tmp_path)], env=env)
    children: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while len(list(tmp_path.glob("*.pid"))) < 2:  # both workers are inside a task
            assert parent.poll() is None, "the sweep process ended early"
            assert time.monotonic() < deadline, "workers did not start"
            time.sleep(0.2)
        children = _children(parent.pid)
        workers = {int(p.stem) for p in tmp_path.glob("*.pid")}
        assert workers <= set(children) and len(children) >= 3  # + the resource tracker
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 15
        while any(_alive(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [c for c in children if _alive(c)]
        assert not left, f"processes left after kill -9 of their sweep: {left}"
    finally:
        if parent.poll() is None:
            parent.kill()
        for c in children:  # clean up (only processes this test started)
            if _alive(c):
                os.kill(c, signal.SIGKILL)


def test_worker_count_capped_at_the_cores_with_a_warning():
    cores = _execution.default_workers()
    assert _execution.local_workers(None) == cores
    assert _execution.local_workers(1) == 1
    with pytest.warns(RuntimeWarning, match=f"workers={cores + 62} exceeds the {cores} CPU"):
        assert _execution.local_workers(cores + 62) == cores


@pytest.mark.parametrize(
    "address, match",
    [
        ("xyz://a", "is not a network address"),
        ("inproc://x", "is not a network address"),
        ("", "is not a network address"),
        ("tcp://[::1", "is malformed"),
    ],
)
def test_bad_scheduler_addresses_fail_at_once(address, match):
    pytest.importorskip("distributed")
    start = time.monotonic()
    with pytest.raises(ValueError, match=match) as info:
        _execution.connect(address)  # these used to wait 20 s, then print a traceback
    assert time.monotonic() - start < 5 and "\n" not in str(info.value)
