"""Environment report for bug reports: versions, threads, devices, precision."""

from __future__ import annotations

import platform
from importlib import metadata

_DEPENDENCIES = (
    "numpy",
    "numba",
    "scipy",
    "jax",
    "jaxlib",
    "flax",
    "xarray",
    "h5py",
    "h5netcdf",
    "matplotlib",
    "dask",
    "distributed",
    "tqdm",
    "scikit-learn",
)


def versions() -> dict[str, str]:
    """Installed versions of hopfield-sim and its dependencies.

    Returns
    -------
    dict of str to str
        Distribution name to version string, ``"not installed"`` where absent.
    """
    out = {"hopfield-sim": _dist_version("hopfield-sim"), "python": platform.python_version()}
    for name in _DEPENDENCIES:
        out[name] = _dist_version(name)
    return out


def _dist_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def runtime() -> dict[str, str]:
    """Numba threading layer and thread count, JAX backend, devices and x64 state."""
    out: dict[str, str] = {"platform": platform.platform()}
    try:
        import numba

        out["numba_num_threads"] = str(numba.get_num_threads())
        try:
            # The layer is only known once a parallel kernel has run; force one tiny run.
            _touch_parallel_kernel()
            out["numba_threading_layer"] = str(numba.threading_layer())
        except Exception as exc:  # pragma: no cover - depends on the numba build
            out["numba_threading_layer"] = f"unavailable ({exc})"
    except ImportError:  # pragma: no cover
        out["numba"] = "not importable"
    try:
        import jax

        out["jax_backend"] = jax.default_backend()
        out["jax_devices"] = ", ".join(str(d) for d in jax.devices())
        out["jax_enable_x64"] = str(bool(jax.config.jax_enable_x64))
    except ImportError:  # pragma: no cover
        out["jax"] = "not importable"
    return out


def _touch_parallel_kernel() -> None:
    import numba
    import numpy as np

    @numba.njit(parallel=True, cache=False)
    def _sum(x):  # pragma: no cover - compiled
        s = 0.0
        for i in numba.prange(x.shape[0]):
            s += x[i]
        return s

    _sum(np.ones(4))


def report() -> str:
    """A plain-text report of :func:`versions` and :func:`runtime`."""
    lines = ["hopfield-sim environment", "", "versions:"]
    lines += [f"  {k:<14} {v}" for k, v in versions().items()]
    lines += ["", "runtime:"]
    lines += [f"  {k:<22} {v}" for k, v in runtime().items()]
    return "\n".join(lines)
