"""Run independent batches of sweep points: in-process, on a local process pool, or on Dask.

Every backend calls the same top-level function on the same batches, and each point's
result depends only on its parameters and seed, so the results do not depend on the
backend, the number of workers or the completion order.

Local workers are "spawn" processes that exit by themselves within about a second when the
process that started them dies (even by ``kill -9``, which runs no clean-up): each watches
its parent from a daemon thread. The number of local workers is capped at the CPU cores
available (with a warning; see :func:`local_workers`).
"""

from __future__ import annotations

import atexit
import contextlib
import math
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any

#: resident memory of one idle spawn worker (interpreter, NumPy, Numba, compiled kernels);
#: measured about 290 MB, used by the sweep's memory estimate
WORKER_BYTES = 300 * 2**20
#: seconds between a worker's checks that the process that started it is alive
PARENT_POLL_SECONDS = 0.5

#: environment variables that cap the threads of numerical libraries in a worker
_THREAD_VARS = ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def run_batch(fn: Callable, spec: dict, items: Sequence[tuple], threads: int | None) -> list:
    """Run ``fn(spec, params, seed)`` for each ``(index, params, seed)`` of one batch.

    Returns ``[(index, result), ...]``. ``threads`` caps Numba threads in this worker.
    """
    if threads is not None:
        _limit_numba_threads(threads)
    return [(index, fn(spec, params, seed)) for index, params, seed in items]


def batches(items: Sequence, batch_size: int) -> list[list]:
    """Split ``items`` into consecutive batches of at most ``batch_size``."""
    return [list(items[i : i + batch_size]) for i in range(0, len(items), batch_size)]


def default_batch_size(n_points: int, workers: int) -> int:
    """About 8 batches per worker (load balance), at most 256 batches in all."""
    if n_points == 0:
        return 1
    return max(1, math.ceil(n_points / max(8 * workers, 1)), math.ceil(n_points / 256))


def default_workers() -> int:
    """Number of CPU cores available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def local_workers(workers: int | None) -> int:
    """The number of local worker processes for a request: the cores when ``None``; a
    request above the cores available is capped there with a ``RuntimeWarning`` (more
    processes than cores only add memory and switching; results do not depend on it)."""
    cores = default_workers()
    if workers is None:
        return cores
    if workers > cores:
        warnings.warn(
            f"workers={workers} exceeds the {cores} CPU cores available; using {cores} "
            "worker processes (results do not depend on the number of workers).",
            RuntimeWarning,
            stacklevel=3,
        )
        return cores
    return int(workers)


def connect(client: Any) -> tuple[Any, bool]:
    """Return ``(dask Client, created_here)`` for a Client or a scheduler address.

    Raises
    ------
    ImportError
        ``client`` is an address and Dask's ``distributed`` is not installed (it is the
        optional extra ``hopfield-sim[dask]``).
    OSError
        The scheduler at the address cannot be reached (checked before any work).
    TypeError
        ``client`` is neither a ``distributed.Client`` nor a str.
    """
    if isinstance(client, str):
        try:
            from distributed import Client
        except ImportError:
            raise ImportError(
                f"client={client!r} needs Dask's distributed package, an optional "
                "dependency: pip install 'hopfield-sim[dask]'."
            ) from None

        _probe(client)
        try:
            return Client(client, timeout="10s", set_as_default=False), True
        except (OSError, TimeoutError, ValueError) as exc:
            raise OSError(
                f"could not reach the Dask scheduler at {client!r} ({type(exc).__name__}: "
                f"{exc}); start it with `dask scheduler` and check the address."
            ) from None
    if not (hasattr(client, "submit") and hasattr(client, "scheduler_info")):
        raise TypeError(
            f"client must be a distributed.Client or a scheduler address; got {client!r}."
        )
    return client, False


#: transports of a scheduler in another process (``inproc`` lives in this one)
_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


def _probe(address: str) -> None:
    """Fail fast when nothing listens at a ``tcp://host:port`` scheduler address."""
    import socket
    from urllib.parse import urlsplit

    given = address
    if "://" not in address:
        address = f"tcp://{address}"
    try:
        parts = urlsplit(address)
        port, host, scheme = parts.port, parts.hostname, parts.scheme
    except ValueError as exc:
        raise ValueError(
            f"the Dask scheduler address {given!r} is malformed ({exc}); give one such as "
            "tcp://10.0.0.5:8786."
        ) from None
    if scheme not in _SCHEMES or not host:
        raise ValueError(
            f"the Dask scheduler address {given!r} is not a network address; give one such "
            f"as tcp://10.0.0.5:8786 (schemes: {', '.join(_SCHEMES)})."
        )
    if scheme == "ucx":
        return  # not a socket to probe: let distributed decide
    if port is None:
        port = 8786  # distributed's default scheduler port
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as exc:
        raise OSError(
            f"could not reach the Dask scheduler at {address!r} ({exc}); start it with "
            "`dask scheduler` and check the address."
        ) from None


def execute(
    fn: Callable,
    spec: dict,
    work: Iterable[list],
    *,
    on_done: Callable[[list], None],
    client: Any = None,
    workers: int = 1,
    threads_per_worker: int | None = None,
) -> None:
    """Run every batch of ``work``; ``on_done(results)`` is called in this process as each
    batch finishes (in completion order).

    Parameters
    ----------
    fn : callable
        Picklable top-level ``fn(spec, params, seed) -> dict``.
    spec : dict
        Plain spec, passed to every call.
    work : iterable of list
        Batches of ``(index, params, seed)``.
    on_done : callable
        Receives the list of ``(index, result)`` of one batch.
    client : distributed.Client or None
        Run on this Dask cluster; ``None``: local.
    workers : int
        Local worker processes (1: run in this process).
    threads_per_worker : int or None
        Numba threads per task (default: cores // workers locally, 1 on Dask, where
        every worker thread runs its own task).
    """
    work = list(work)
    if not work:
        return
    if client is not None:
        # one task per Dask worker thread: one Numba thread each unless told otherwise
        _execute_dask(fn, spec, work, on_done, client, threads_per_worker or 1)
    elif workers <= 1 or len(work) == 1:
        for batch in work:
            on_done(run_batch(fn, spec, batch, threads_per_worker))
    else:
        threads = threads_per_worker or max(1, default_workers() // workers)
        _execute_pool(fn, spec, work, on_done, workers, threads)


#: worker pools kept alive between sweeps of one process, keyed by (workers, threads)
_POOLS: dict[tuple[int, int], ProcessPoolExecutor] = {}


def _pool(workers: int, threads: int) -> ProcessPoolExecutor:
    """A process pool, reused by later sweeps with the same ``(workers, threads)``.

    Reuse saves the worker start-up (interpreter, imports, loading compiled kernels) of
    every sweep after the first (the workers keep the environment they started with; call
    :func:`shutdown_pools` after changing it). Workers start with "spawn": forking a
    process that has started JAX or Numba threads can deadlock.
    """
    key = (workers, threads)
    if key not in _POOLS:
        shutdown_pools()
        _POOLS[key] = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=get_context("spawn"),
            initializer=_init_worker,
            initargs=(threads, os.getpid()),
        )
    return _POOLS[key]


def shutdown_pools(terminate: bool = False) -> None:
    """Stop the cached worker processes (also done at interpreter exit).

    ``terminate=True`` kills workers in the middle of a batch (after Ctrl-C) so that the
    process can exit at once instead of waiting for their running batches.
    """
    while _POOLS:
        _, pool = _POOLS.popitem()
        if terminate:
            for proc in list(getattr(pool, "_processes", {}).values()):
                with contextlib.suppress(Exception):
                    proc.terminate()
        pool.shutdown(wait=False, cancel_futures=True)


atexit.register(shutdown_pools)


def _execute_pool(fn, spec, work, on_done, workers: int, threads: int) -> None:
    pool = _pool(workers, threads)
    pending: set = set()
    try:
        with _main_hidden(fn):  # every worker starts inside this block
            pending = {pool.submit(run_batch, fn, spec, batch, threads) for batch in work}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                result = fut.result()
                pending.discard(fut)
                on_done(result)
    except BrokenProcessPool as exc:
        shutdown_pools(terminate=True)
        raise RuntimeError(
            "a local worker process died (killed, or out of memory). If this ran from a "
            "script that defines the runner itself, guard its entry point with "
            "`if __name__ == '__main__':`; or pass workers=1."
        ) from exc
    except BaseException as exc:
        if isinstance(exc, Exception):
            for fut in pending:
                fut.cancel()
            raise
        # interrupted (Ctrl-C): keep every batch that finished, then stop the workers now
        # instead of waiting for the batches they are running
        for fut in list(pending):
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                pending.discard(fut)
                on_done(fut.result())
        shutdown_pools(terminate=True)
        raise


@contextlib.contextmanager
def _main_hidden(fn: Callable):
    """Keep 'spawn' workers from re-running the user's script.

    A spawned worker re-imports the parent's ``__main__`` unless it looks interactive, so a
    script calling :func:`hopfield_sim.sweep` without an ``if __name__ == "__main__":``
    guard would rerun itself in every worker. The workers only need importable functions,
    so ``__main__`` is made to look interactive while they start (unless ``fn`` lives
    there).
    """
    main = sys.modules.get("__main__")
    if main is None or getattr(fn, "__module__", None) == "__main__":
        yield
        return
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__dict__["__spec__"] = None
    try:
        yield
    finally:
        main.__dict__.update(saved)


def _execute_dask(fn, spec, work, on_done, client, threads) -> None:
    from distributed import as_completed

    # the spec is a small dict: sent with every task (no scattered data a restarted worker
    # could lose)
    futures = [client.submit(run_batch, fn, spec, batch, threads, pure=False) for batch in work]
    handed: set = set()
    try:
        for fut in as_completed(futures, loop=client.loop):
            result = fut.result()
            handed.add(fut.key)
            on_done(result)
    except BaseException as exc:
        if not isinstance(exc, Exception):  # interrupted: keep what finished
            for fut in futures:
                if fut.key not in handed and fut.status == "finished":
                    handed.add(fut.key)
                    on_done(fut.result())
        client.cancel(futures)
        raise


def _init_worker(threads: int, parent: int | None = None) -> None:
    for var in _THREAD_VARS:
        os.environ[var] = str(threads)
    _limit_numba_threads(threads)
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """Exit this worker at once when ``parent`` is gone (re-parented: ``getppid`` changes).

    A worker blocked on its task queue would otherwise live on after a ``kill -9`` of the
    sweep: it holds both ends of the queue's pipe, so it never sees end-of-file. Once the
    workers are gone, the multiprocessing resource tracker sees end-of-file and exits too.
    """
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def _limit_numba_threads(threads: int) -> None:
    numba = sys.modules.get("numba")
    if numba is None:
        os.environ["NUMBA_NUM_THREADS"] = str(threads)  # read when numba is first imported
        return
    try:
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    except (ValueError, AttributeError):  # pragma: no cover
        pass
