"""The 1RSB retrieval spinodal by Newton continuation (route A of docs/rsb.md).

The engine (:mod:`theory.rsb.engine`) finds *one* broken retrieval solution at a load below
the spinodal; this module follows that solution to the fold where it ends, with every
order parameter -- the Parisi block size included -- fixed by its stationarity condition.

Along the retrieval branch the class-mean overlap ``n`` is a good coordinate. At fixed ``n``
the model's stationarity equations ``R(x, alpha) = 0`` (``x = (n, y)``; ``y`` the other order
parameters: ``(q0, q1, theta)`` at T > 0, ``(q0, mu)`` or ``(q0, C, mu)`` at T = 0) are
``d`` equations in the ``d`` unknowns ``z = (y, alpha)``, solved by Newton with the exact
(forward-mode) Jacobian ``J = dR/dz``. The branch ``alpha(n)`` is smooth through the fold,
where ``alpha`` is maximal, and

    d alpha / d n = -[J^-1 dR/dn]_alpha      (implicit-function theorem),

so the spinodal ``alpha_c = max_n alpha(n)`` is the root of ``d alpha/dn``, found by secant
steps in ``n`` (each step a converged Newton solve). No scan of theta / mu is involved.
"""

from __future__ import annotations

import functools
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from theory import _progress, _x64

NEWTON_STEPS = 16
TOL = 1e-11  # max residual of an accepted Newton solve
DN_MAX = 0.02  # largest secant step in n
SLOPE_TOL = 1e-9  # |d alpha/dn| at which the fold is reached


def open_bar(progress: bool | None, desc: str) -> Any:
    """The progress bar of a fold search: tqdm on stderr if ``progress`` is True, silent if
    False, and with None one that appears only once the search has taken a second."""
    if progress is None:
        from tqdm.auto import tqdm

        return tqdm(desc=desc, unit="step", file=sys.stderr, leave=False, delay=1.0)
    return _progress.bar(progress, desc, unit="step")


def note(bar: Any, text: str) -> None:
    """Set the bar's postfix; drawn at once unless the bar is still within its start delay
    (a ``delay=1.0`` bar then stays hidden until an update after that second)."""
    delay = getattr(bar, "delay", None)
    if delay is None:  # the silent stand-in
        bar.set_postfix_str(text)
    else:
        bar.set_postfix_str(text, refresh=time.time() >= bar.start_t + delay)


@functools.lru_cache(maxsize=32)
def _newton(residual: Callable):
    """Jitted ``(z, n, args) -> (z, max|R|, d alpha/dn)`` for ``residual(x, alpha, *args)``."""

    def G(z, n, args):
        x = jnp.concatenate([jnp.reshape(n, (1,)), z[:-1]])
        return residual(x, z[-1], *args)

    # one forward-mode pass gives the Jacobian and the residual together; the loop carries
    # them, so the program holds a single copy of the (large) traced residual
    jac = jax.jacfwd(lambda z, n, args: (G(z, n, args),) * 2, argnums=(0, 1), has_aux=True)

    @jax.jit
    def solve(z, n, args):
        def step(_, carry):
            z = carry[0]
            (Jz, Jn), R = jac(z, n, args)
            dz = jnp.linalg.solve(Jz, R)
            # at most a 20 % relative change of any unknown per step
            rel = jnp.max(jnp.abs(dz) / jnp.maximum(jnp.abs(z), 1e-3))
            dz = dz * jnp.minimum(1.0, 0.2 / jnp.maximum(rel, 1e-300))
            return jnp.where(jnp.all(jnp.isfinite(dz)), z - dz, z), Jz, Jn, R

        d = z.shape[0]
        init = (z, jnp.eye(d), jnp.zeros(d), jnp.full(d, jnp.inf))
        z, Jz, Jn, R = jax.lax.fori_loop(0, NEWTON_STEPS, step, init)
        # residual and slope of the point before the last step: once that residual is below
        # TOL the last step changed z by less than the tolerance
        slope = -jnp.linalg.solve(Jz, Jn)[-1]
        return z, jnp.max(jnp.abs(R)), slope

    return solve


def fold(
    residual: Callable,
    x0: np.ndarray,
    alpha0: float,
    args: tuple = (),
    *,
    progress: bool | None = None,
    desc: str = "1RSB spinodal",
    max_steps: int = 60,
    bar: Any = None,
) -> tuple[float, np.ndarray]:
    """Follow the solution ``x0`` of ``residual(x, alpha0) = 0`` to the fold in ``alpha``.

    Parameters
    ----------
    residual : callable ``(x, alpha, *args) -> R`` (JAX, shape (d,)); ``x[0]`` is ``n``
        The compiled solver is cached on it (one compilation per residual function; the
        ``args`` -- e.g. beta and rho -- are traced, so new values do not recompile).
    x0 : array (d,)
        A solution (or a close approximation) at ``alpha0``.
    alpha0 : float
    args : tuple of floats
        Further arguments of ``residual``.
    progress : bool or None
        Show the continuation steps (tqdm, stderr); None: only if it takes over a second.
    bar : tqdm-like or None
        An open bar (:func:`open_bar`) to report the steps on instead of a new one; the
        caller closes it (``progress`` and ``desc`` are then unused).

    Returns
    -------
    alpha_c, x_c
        The largest load of the branch and the order parameters there.

    Raises
    ------
    RuntimeError
        If a Newton solve fails to converge and halving the step does not help.

    Warns
    -----
    RuntimeWarning
        If ``max_steps`` are spent before ``|d alpha/dn| < SLOPE_TOL``: the last point is
        returned, not a fold.

    Examples
    --------
    A branch ``alpha(n) = 0.05 - (n - 0.7)^2`` with a second unknown ``q = n/2``:

    >>> import jax.numpy as jnp
    >>> R = lambda x, a: jnp.stack([a - 0.05 + (x[0] - 0.7) ** 2, x[1] - x[0] / 2])
    >>> a_c, x_c = fold(R, np.array([0.6, 0.3]), 0.04, progress=False)
    >>> round(a_c, 10), round(float(x_c[0]), 6)
    (0.05, 0.7)
    """
    solve = _newton(residual)
    own = bar is None
    if own:
        bar = open_bar(progress, desc)
    try:
        return _follow(solve, bar, x0, alpha0, args, max_steps)
    finally:
        if own:
            bar.close()


def _follow(solve, bar, x0, alpha0, args, max_steps):
    """The secant search of :func:`fold` on the compiled ``solve``, reporting on ``bar``."""
    with _x64.enabled():
        args = tuple(jnp.asarray(a, dtype=float) for a in args)
        z = jnp.asarray(np.r_[np.asarray(x0, float)[1:], alpha0])
        n = float(x0[0])
        z, res, slope = (np.asarray(v) for v in solve(z, n, args))
        if not res < TOL:
            raise RuntimeError(f"no solution at the start (n = {n}, residual {res:.2e}).")
        prev = None
        for _ in range(max_steps):
            bar.update()
            note(bar, f"alpha={float(z[-1]):.8f} dalpha/dn={float(slope):.1e}")
            if abs(slope) < SLOPE_TOL:
                break
            if prev is None or prev[1] == slope:
                dn = np.sign(slope) * 0.005
            else:  # secant step on d alpha/dn = 0
                dn = -slope * (n - prev[0]) / (slope - prev[1])
            dn = float(np.clip(dn, -DN_MAX, DN_MAX))
            for _ in range(8):
                zt, rt, st = (np.asarray(v) for v in solve(jnp.asarray(z), n + dn, args))
                if rt < TOL and np.all(np.isfinite(zt)):
                    break
                dn *= 0.5
            else:
                raise RuntimeError(f"Newton continuation failed near n = {n}.")
            prev = (n, float(slope))
            n, z, slope = n + dn, zt, float(st)
            if abs(dn) < 1e-12:  # the secant step vanishes: alpha is stationary in n
                break
        else:  # the steps ran out (the last one's slope is not checked in the loop)
            if not abs(slope) < SLOPE_TOL:
                warnings.warn(
                    f"the fold was not reached in {max_steps} steps: d alpha/dn = "
                    f"{float(slope):.1e} at n = {n:.6f}, alpha = {float(z[-1]):.8f} (the "
                    "last point is returned).", RuntimeWarning, stacklevel=3,
                )
    return float(z[-1]), np.r_[n, z[:-1]]
