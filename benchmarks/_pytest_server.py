"""A pre-warmed pytest for mutation testing: one process imports the third-party libraries
once, and every test run is a fork of it (benchmarks/mutation.py).

Per mutant, cosmic-ray runs a new test process. For the short tests of a pure-Python module,
that process spends most of its time importing NumPy, SciPy, xarray, pytest and Hypothesis
(2-3 s of CPU against a few tenths of a second of tests). Here a server imports them once;
``run`` asks it for a test run, it forks, and the child runs ``pytest.main`` and imports the
project's own modules from the working tree as it is now, with the mutant written in. The
server never imports the project, and the children write no bytecode (a ``.pyc`` is keyed
by the source's mtime in whole seconds and its size, and a mutant of the same size written
in the same second would otherwise load the previous mutant's bytecode).

Usage::

    python benchmarks/_pytest_server.py serve SOCKET          # blocks; one run at a time
    python benchmarks/_pytest_server.py run SOCKET TIMEOUT -- PYTEST-ARGS...

``run`` exits with pytest's status. Without a server at SOCKET it runs pytest in a new
process instead, so the answer never depends on the server. A run longer than TIMEOUT
seconds is killed and exits with 124 (cosmic-ray counts the mutant as killed by its own
timeout in either case).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

# imported once by the server; the project's packages must not be among them
# (JAX is safe to fork until its backend starts; the server checks that it has not)
WARM = ["numpy", "scipy", "scipy.optimize", "scipy.stats", "scipy.special", "scipy.integrate",
        "xarray", "pandas", "pytest", "hypothesis", "numba", "jax", "jax.numpy", "flax",
        "optax"]  # fmt: skip
PROJECT = ("hopfield_sim", "montecarlo", "theory", "_hopfield_base", "tests")


def _child(args: list[str], cwd: str) -> None:
    os.chdir(cwd)
    os.setsid()
    out = os.open(os.environ.get("MUTATION_PYTEST_LOG", os.devnull),
                  os.O_WRONLY | os.O_CREAT | os.O_TRUNC)  # fmt: skip
    os.dup2(out, 1)
    os.dup2(out, 2)
    import pytest

    try:
        # Hypothesis's plugin module is imported already, so pytest warns that it cannot
        # rewrite its asserts (a plugin's, not a test's): not an error here
        code = int(pytest.main(["-W", "ignore::pytest.PytestAssertRewriteWarning", *args]))
    except BaseException:  # noqa: BLE001 - any crash of the run is a failing run
        import traceback

        traceback.print_exc()
        code = 3
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _wait(pid: int, timeout: float) -> int:
    end = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > end:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return 124
        time.sleep(0.02)


def serve(path: str) -> None:
    """Import ``WARM``, then answer one run request at a time on the UNIX socket ``path``."""
    import importlib

    sys.dont_write_bytecode = True
    for name in WARM:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    leaked = [m for m in sys.modules if m.split(".")[0] in PROJECT]
    if leaked:
        raise SystemExit(f"the server imported project modules {leaked[:5]}")
    bridge = sys.modules.get("jax._src.xla_bridge")
    if bridge is not None and getattr(bridge, "_backends", None):
        raise SystemExit("a warm import started JAX's backend: forking it would deadlock")
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    while True:
        conn, _ = srv.accept()
        with conn:
            req = json.loads(conn.makefile("r").readline())
            pid = os.fork()
            if pid == 0:
                srv.close()
                conn.close()
                _child(req["args"], req["cwd"])
            conn.sendall(f"{_wait(pid, float(req['timeout']))}\n".encode())


def run(path: str, timeout: float, args: list[str]) -> int:
    """Pytest's exit status for ``args``, from the server if one listens at ``path``."""
    try:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(path)
    except OSError:
        cmd = [sys.executable, "-m", "pytest", *args]
        try:
            return subprocess.run(cmd, stdout=subprocess.DEVNULL, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            return 124
    with conn:
        req = {"args": args, "cwd": os.getcwd(), "timeout": timeout}
        conn.sendall((json.dumps(req) + "\n").encode())
        reply = conn.makefile("r").readline().strip()
    return int(reply) if reply else 3


def main(argv: list[str]) -> int:
    if argv[:1] == ["serve"] and len(argv) == 2:
        serve(argv[1])
        return 0
    if argv[:1] == ["run"] and len(argv) >= 4 and argv[3] == "--":
        return run(argv[1], float(argv[2]), argv[4:])
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
