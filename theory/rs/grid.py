"""The vectorised RS kernel: ``jit(vmap(...))`` over flat grids of points.

Points are processed in chunks of a few fixed sizes (``CHUNKS``) so that any grid reuses at
most two compiled functions per (P, branch, law), in escalating passes (``_PASSES``).
``P``, ``branch`` and the size of the binomial support are static.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import gammaln, xlogy

from theory import _x64
from theory.rs import ags, dense
from theory.rs.fixed_point import MAX_DAMPED, MAX_NEWTON, NEWTON_BELOW, fixed_point
from theory.rs.stability import is_stable

_STARTS = {"retrieval": (1.0, 0.0), "spinglass": (0.0, 0.0)}


def binomial_law(r, M, M_max: int):
    """Nodes u_k = (2k - M)/(M r) and Binomial(M, (1+r)/2) weights, k = 0..M_max (zero
    weight for k > M): the exact law of the normalised example average."""
    k = jnp.arange(M_max + 1, dtype=float)
    p = 0.5 * (1.0 + r)
    logw = (
        gammaln(M + 1.0)
        - gammaln(k + 1.0)
        - gammaln(jnp.maximum(M - k, 0.0) + 1.0)
        + xlogy(k, p)
        + xlogy(jnp.maximum(M - k, 0.0), 1.0 - p)
    )
    w = jnp.where(k <= M, jnp.exp(logw), 0.0)
    return (2.0 * k - M) / (M * r), w


CHUNKS = (128, 4096)
# Passes of (max damped iterations, max Newton iterations, residual at which Newton takes
# over); public for theory.rs.branch and theory.rs.continuation. Every point gets the short
# first pass; the few still unconverged (critical slowing near T_g or a spinodal) continue
# from where they stopped in the next, longer pass, in the smallest chunks, so that
# stragglers do not hold up the whole grid. The last pass relaxes almost to the end before
# Newton, so that it crosses the "ghost" of a vanished saddle-node pair, where Newton would
# stall on a local minimum of |F(x) - x|.
PASSES = (
    (np.int32(12), np.int32(12), np.float64(0.05)),
    (np.int32(200), np.int32(MAX_NEWTON), np.float64(NEWTON_BELOW)),
    (np.int32(MAX_DAMPED), np.int32(MAX_NEWTON), np.float64(1e-8)),
)


def _point(
    x0, max_damped, max_newton, newton_below, beta, alpha, rho, r, M, *, P, branch, M_max,
    spectrum=False,
):
    p = {"beta": beta, "alpha": alpha, "rho": rho}
    if spectrum:  # unsupervised P = 2: the example modes of every class (models.md §4.3)
        p |= {"eps": rho / (1.0 + rho), "g_eps": M - 1.0}
    law = None if M_max == 0 else binomial_law(r, M, M_max)
    if P == 2:
        fmap = functools.partial(ags.rs_map, p=p, law=law)
        obs = functools.partial(ags.observables, p=p, law=law)
        pm_f, pm_exists, pm_stable = ags.paramagnet(p)
        proj = functools.partial(ags.project, p=p)
    else:
        fmap = functools.partial(dense.rs_map, p=p, P=P, law=law)
        obs = functools.partial(dense.observables, p=p, P=P, law=law)
        pm_f, pm_exists, pm_stable = dense.paramagnet(p, P)
        proj = functools.partial(dense.project, p=p)
    zero = jnp.zeros_like(beta)
    pm = {"m": zero, "n": zero, "q": zero, "free_energy": pm_f}
    if P == 2:
        pm["r_AGS"] = zero
    if branch == "paramagnet":
        return {
            **pm,
            "converged": pm_exists,
            "stable": pm_stable & pm_exists,
            "iterations": jnp.int32(0),
            "residual": jnp.zeros_like(beta),
            "x": x0,
        }
    sol = fixed_point(
        fmap, x0, proj, max_damped=max_damped, max_newton=max_newton, newton_below=newton_below
    )
    out = obs(sol.x)
    if P % 2 == 0:  # even P: the equations are odd in nbar (global flip), report m >= 0
        out["m"], out["n"] = jnp.abs(out["m"]), jnp.abs(out["n"])
    out["converged"] = sol.converged
    out["stable"] = is_stable(sol.jacobian)
    out["iterations"] = sol.iterations
    out["residual"] = sol.residual
    out["x"] = sol.x
    if branch == "spinglass":  # without load the spin-glass branch is the paramagnet
        low = alpha == 0.0
        out = {k: jnp.where(low, pm[k], v) for k, v in out.items() if k in pm} | {
            "converged": jnp.where(low, pm_exists, out["converged"]),
            "stable": jnp.where(low, pm_stable, out["stable"]),
            "iterations": out["iterations"],
            "residual": jnp.where(low, 0.0, out["residual"]),
            "x": out["x"],
        }
    return out


@functools.partial(jax.jit, static_argnames=("P", "branch", "M_max", "spectrum"))
def _grid(x0, limits, beta, alpha, rho, r, M, *, P, branch, M_max, spectrum=False):
    one = functools.partial(_point, P=P, branch=branch, M_max=M_max, spectrum=spectrum)
    axes = (0, None, None, None, 0, 0, 0, 0, 0)
    return jax.vmap(one, in_axes=axes)(x0, *limits, beta, alpha, rho, r, M)


def _pieces(n: int, size: int | None) -> list[tuple[int, int, int]]:
    """(start, stop, chunk size) covering ``n`` points: full chunks of the largest size,
    and the remainder in the smallest chunks when that pads less (one compiled function per
    chunk size; padding costs as much as real points)."""
    if size is not None:
        return [(s, min(s + size, n), size) for s in range(0, n, size)]
    big, small = CHUNKS[-1], CHUNKS[0]
    full = n // big * big
    rest = n - full
    out = [(s, s + big, big) for s in range(0, full, big)]
    if rest > big // 2:
        out.append((full, n, big))
    else:
        out += [(s, min(s + small, n), small) for s in range(full, n, small)]
    return out


def solve_chunked(x0, arrays, limits, size=None, **static) -> dict:
    """RS solve of the flat points ``arrays`` = (beta, alpha, rho, r, M) from the starts ``x0``
    with one solver budget ``limits`` (an entry of ``PASSES``), in compiled chunks of
    ``CHUNKS`` sizes (``size``: all chunks of that size); NumPy arrays, the solution ``x``
    included."""
    n = x0.shape[0]
    sizes = {len(a) for a in arrays}
    if sizes != {n}:
        raise ValueError(f"flat point arrays must all have the {n} rows of x0; got sizes {sizes}")
    pieces = _pieces(n, size)
    # one gather pads every array (a chunk's padding repeats its first point)
    take = np.concatenate([np.r_[np.arange(start, stop), np.full(chunk - stop + start, start)]
                           for start, stop, chunk in pieces])
    padded = [a[take] for a in (x0, *arrays)]
    launched, at = [], 0
    for start, stop, chunk in pieces:
        args = [a[at : at + chunk] for a in padded]
        at += chunk
        # dispatched asynchronously: every chunk is queued before the first result is read
        launched.append((stop - start, _grid(args[0], limits, *args[1:], **static)))
    pieces = [jax.tree.map(lambda a, k=k: np.asarray(a)[:k], out) for k, out in launched]
    return {k: np.concatenate([p[k] for p in pieces]) for k in pieces[0]}


def solve_rs_flat(
    beta, alpha, rho, r, M, *, P: int, branch: str, M_max: int = 0, spectrum: bool = False,
    x0=None, passes=PASSES, keep_x: bool = False,
) -> dict:
    """Solve the RS equations at flat float64 points; returns NumPy arrays (float64 / bool).

    ``alpha`` is the effective load entering the cross-talk (already rescaled for the
    unsupervised protocol at P >= 4). ``M_max = 0`` selects the large-M Gaussian law of the
    data. ``spectrum=True`` (unsupervised, P = 2) adds the M - 1 example modes of every class
    (docs/models.md §4.3). ``x0`` (n, 2) overrides the branch's starting point and ``passes``
    the solver budget (theory.rs.continuation); ``keep_x`` returns the solution ``x``.
    Non-converged points are returned as they are, with ``converged = False``.
    """
    arrays = [np.asarray(a, dtype=np.float64).ravel() for a in (beta, alpha, rho, r, M)]
    n = arrays[0].size
    if x0 is None:
        start = _STARTS.get(branch, (0.0, 0.0))
        x0 = np.tile(np.asarray(start, dtype=np.float64), (n, 1))
    static = {"P": P, "branch": branch, "M_max": M_max}
    if spectrum:
        static["spectrum"] = True
    with _x64.enabled():
        out = solve_chunked(np.asarray(x0, dtype=np.float64), arrays, passes[0], **static)
        for limits in passes[1:]:
            redo = np.flatnonzero(~out["converged"])
            if not redo.size or branch == "paramagnet":
                break
            again = solve_chunked(
                out["x"][redo], [a[redo] for a in arrays], limits, size=CHUNKS[0], **static
            )
            again["iterations"] = again["iterations"] + out["iterations"][redo]
            for k in out:
                out[k][redo] = again[k]
    if not keep_x:
        out.pop("x")
    return out


_PASSES = PASSES  # the names before theory.rs.branch (private, kept for old imports)
_chunked = solve_chunked
