"""Multitasking Hebbian network: low-storage replica-symmetric theory (docs/models.md §6).

P = 2 Hopfield network on K diluted patterns, xi^mu_i in {-1, 0, +1} with P(0) = d. With the
class-mean overlaps nbar (nbar = m at rho = 0) and the field

    h(xi, Y) = sum_nu nbar_nu xi^nu (1 + sqrt(rho) Y_nu),        Y_nu ~ N(0, 1) i.i.d.,

the free energy per neuron (f = -A / beta) is

    f(nbar) = (1 + rho) |nbar|^2 / 2 - (1/beta) E ln(2 cosh(beta h)),

and its stationary points solve nbar = F(nbar) with

    F_mu = E_xi[xi^mu <tanh(beta h)>_z + rho nbar_mu (xi^mu)^2 <beta sech^2(beta h)>_z] / (1+rho).

Given xi, the data noise in h is one Gaussian, h = mu(xi) + sigma(xi) z with mu = xi . nbar and
sigma^2 = rho sum_nu (xi^nu nbar_nu)^2, so the average over the K noises is a 1-D Gauss-Hermite
rule (the second term of F is Stein's lemma applied to E[Y_mu tanh]). The average over xi is
exact over the 3^K ternary configurations (``average="exact"``, K <= 10) or a sampled average
over ``samples`` configurations (``average="sampled"``). At T = 0 the z-average has closed forms
(erf, Gaussian density, E|h|) and rho = 0 reduces to the sign map m = E[xi sign(xi . m)].
With ``finite_M=True`` the Gaussian data noise is replaced by the exact binomial law of the
example average (docs/models.md §3): h = sum_nu nbar_nu xi^nu chi_nu / r, averaged over B_nu.

Local stability is read from the Hessian of f, (1 + rho)(1 - dF/dnbar), by autodiff. At T = 0
and rho = 0 a state with a tie (h = 0 on a configuration xi != 0 of nonzero weight) is a saddle:
f has a concave kink there, so such states are reported unstable.

Transition lines and thresholds live in :mod:`theory.multitasking.lines` and are re-exported here.
The code behind ``solve``: configurations and equations in ``theory.multitasking.equations``,
the solver loop in ``theory.multitasking.solver``, input checks in
``theory.multitasking.inputs``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from theory import _progress, _schema
from theory._conventions import ConvergenceWarning
from theory._gaussian import DEFAULT_NODES
from theory.multitasking import lines as multitasking_lines
from theory.multitasking.inputs import (  # noqa: F401 (MAX_FINITE_M_TABLE: a public limit)
    BRANCHES,
    MAX_EXACT_K,
    MAX_FINITE_M_TABLE,
    initial_guess,
    validate_inputs,
)
from theory.multitasking.lines import (  # noqa: F401 (exported by __all__ below)
    cascade,
    critical_dilution,
    critical_temperature,
    parallel_dilution,
    second_signal_temperature,
    split_temperature,
)
from theory.multitasking.snr import signal_to_noise
from theory.multitasking.solver import run

__all__ = ["solve", "BRANCHES", "MAX_EXACT_K", "ConvergenceWarning"]
__all__ += multitasking_lines.__all__
__all__ += ["signal_to_noise"]


def solve(
    K: int,
    d: float | Sequence[float] | np.ndarray,
    *,
    beta: float | Sequence[float] | np.ndarray | None = None,
    T: float | Sequence[float] | np.ndarray | None = None,
    rho: float | Sequence[float] | np.ndarray = 0.0,
    r: float | None = None,
    M: int | None = None,
    finite_M: bool = False,
    branch: str | Sequence[float] | np.ndarray = "hierarchical",
    order: Sequence[int] | None = None,
    average: str = "exact",
    samples: int = 20_000,
    seed: int | np.random.SeedSequence | None = None,
    nodes: int = DEFAULT_NODES,
    tol: float = 1e-12,
    max_iter: int = 3000,
    progress: bool = False,
) -> xr.Dataset:
    """Solve the multitasking RS equations (docs/models.md §6) on a grid of (d, T or beta, rho).

    Parameters
    ----------
    K : int
        Number of stored patterns, ``K >= 1``.
    d : float or 1-D array_like
        Dilution, each pattern entry is 0 with probability d; ``0 <= d < 1``.
    beta, T : float or 1-D array_like
        Inverse temperature or temperature (exactly one). ``T=0`` / ``beta=inf`` is solved
        exactly (sign map at rho = 0, erf closed forms at rho > 0).
    rho : float or 1-D array_like
        Dataset entropy ``(1 - r^2) / (M r^2)`` (large-M Gaussian law); 0 = hebbian storage.
    r, M : float, int, optional
        Example quality in (0, 1] and examples per pattern, instead of ``rho`` (scalars).
    finite_M : bool
        With ``r`` and ``M``: use the exact binomial law of the example average
        (docs/models.md §3) instead of its Gaussian limit; compare with simulations at small M.
        Needs (2M+3)^K <= 2e6 configurations (K = 2 up to M ~ 700, K = 3 up to M = 62).
    branch : {"hierarchical", "symmetric", "pure", "paramagnet"} or array of shape (K,)
        Starting point: the T = 0 cascade ``(1-d) d^(k-1)`` in the order ``order``; all
        amplitudes equal (kept equal); only pattern ``order[0]`` (kept pure); zero; or an
        explicit initial nbar. "symmetric" and "pure" stay on their subspace and may end on a
        saddle (see ``stable``). The others descend f (fixed-point steps, which never raise
        f, and saddle-free Newton steps), so they end on a locally stable state of that
        basin (the cascade start may relax to the single-pattern or the parallel state;
        "paramagnet" stays at nbar = 0, a fixed point, stable or not).
    order : sequence of int, optional
        Permutation of ``range(K)``: ``order[0]`` is the strongest pattern. Default identity.
    average : {"exact", "sampled"}
        Exact average over the 3^K configurations (K <= 10) or a Monte Carlo average over
        ``samples`` configurations drawn with ``seed`` (common to every grid point).
    nodes : int
        No longer used (a DeprecationWarning unless left at its default; recorded in the
        attributes): the data noise is averaged by the shared rule of
        ``theory._gaussian.tanh_averages`` (absolute errors ~5e-15).
    tol, max_iter : float, int
        Convergence: ``max |nbar - F(nbar)| < tol`` within ``max_iter`` steps.
    progress : bool
        Show a progress bar (tqdm, stderr) over the solver steps; useful for the sampled
        average with large K or many samples.

    Returns
    -------
    xarray.Dataset
        One dimension per array-valued ``d``, ``T``/``beta``, ``rho`` (in that order), plus
        ``pattern`` (length K). ``m`` and ``n`` (nbar; = m at rho = 0), ``free_energy`` (per
        neuron; energy at T = 0), ``stability`` (smallest Hessian eigenvalue of f; -inf for a
        T = 0 tie), ``stable`` (bool), ``rs_stable`` (bool; RS is exact at finite K, so
        True wherever converged), ``converged`` (bool), ``residual``, ``iterations``.
        Non-converged points are NaN with ``converged=False`` and a
        :class:`ConvergenceWarning`.

    Examples
    --------
    >>> import theory.multitasking as mt
    >>> ds = mt.solve(2, 0.3, T=0.0)
    >>> [round(float(v), 4) for v in ds.m]
    [0.7, 0.21]
    """
    _progress.flag_checked(progress)
    inp = validate_inputs(
        K,
        d,
        beta=beta,
        T=T,
        rho=rho,
        r=r,
        M=M,
        finite_M=finite_M,
        branch=branch,
        order=order,
        average=average,
        samples=samples,
        seed=seed,
        nodes=nodes,
        tol=tol,
        max_iter=max_iter,
    )
    n0, keep = initial_guess(inp)
    out = run(
        n0,
        inp.beta,
        inp.rho,
        inp.d,
        keep,
        K=K,
        sample_u=inp.sample_u,
        nodes=nodes,
        constraint=inp.constraint,
        tol=float(tol),
        max_iter=int(max_iter),
        n_fp=inp.n_fp,
        finite_M=inp.finite_M,
        progress=progress,
    )
    return _as_dataset(out, inp)


def _as_dataset(out: dict, inp) -> xr.Dataset:
    converged = np.isfinite(out["residual"]) & (out["residual"] < inp.tol)
    variables = {
        "m": out["m"],
        "n": out["n"],
        "free_energy": out["free_energy"],
        "stability": out["stability"],
        "stable": converged & (out["stability"] > 0),
        # low storage (K finite): the replicon is 1, RS is exact wherever a state exists
        "rs_stable": converged,
        "converged": converged,
        "residual": out["residual"],
        "iterations": out["iterations"],
    }
    ds = _schema.as_dataset(
        variables,
        dims=inp.grid_dims,
        coords=inp.coords,
        converged=converged,
        attrs=inp.attrs,
        vector={"m": ("pattern",), "n": ("pattern",)},
        settings=f"tol={inp.tol:g}, max_iter={inp.max_iter}",
        stacklevel=4,
    )
    ds["m"].attrs.update(long_name="Mattis overlap m", units="1")
    ds["n"].attrs.update(long_name="class-mean overlap nbar", units="1")
    ds["free_energy"].attrs.update(long_name="free energy per neuron f", units="1")
    ds["stability"].attrs.update(long_name="smallest Hessian eigenvalue of f", units="1")
    ds["rs_stable"].attrs.update(
        long_name="replica symmetry locally (AT) stable: always, at finite K (low storage, "
        "replicon 1)", units="1")
    return _schema.label(ds)
