"""de Almeida-Thouless stability of replica-symmetric solutions: the replicon eigenvalue and
the AT line in (alpha, T).

Notation of docs/models.md §3 and §5.4. With ``gamma = E_{Y,z} sech^4 h`` at the RS solution,

    P = 2 (AGS):   lambda_R = 1 - alpha beta^2 gamma / (1 - beta (1 - q))^2
    P >= 4:        lambda_R = 1 - beta^2 c (P - 1) q^(P-2) gamma,   c = alpha P P!/4

(the second is the AT condition ``beta^2 xi''(q) E sech^4 h < 1`` of a mixed Ising p-spin glass
with covariance ``xi(q) = (alpha P!/4) q^P``; the first follows from the same replicon block
with the Gaussian "soft" glass term, see docs/rsb.md). RS is locally stable where
``lambda_R > 0``. At the paramagnet (q = 0, m = 0) of P = 2 the condition reads
``T > 1 + sqrt(alpha)``, the spin-glass temperature T_g. At T = 0 with ``alpha > 0`` the field
has a density at h = 0, ``gamma ~ 1/beta`` and ``lambda_R -> -inf``: RS is never stable there.

The replicon only detects continuous instabilities; the discontinuous 1RSB transition of the
P >= 4 spin glass (theta = 1 at T_s) happens where the paramagnet is still AT-stable.
"""

from __future__ import annotations

import numpy as np

from theory import _validate
from theory._bracket import bisect
from theory._conventions import M_AT, beta_of_T, factorial, is_retrieval
from theory._gaussian import gauss_normal
from theory.rs.grid import solve_rs_flat

_Z, _WZ = gauss_normal(64)  # E over z when the spread of beta*H is <= _SHARP
# The 64-node Gauss-Hermite rule in z sees the poles of sech^4 at distance pi/(2 beta sd):
# its error is 4e-16 at a spread beta sd = 0.5 but 1e-8 at 0.9 and 1e-7 at 1.0, hence the
# switch at 0.5. u = beta H for the sharp regime. Truncation: sech^4 u < 16 e^-4|u| = 7e-17
# beyond |u| = 10. Step: the integrand sech^4(u) N(u; beta s, (beta sd)^2) is analytic in
# the strip |Im u| < pi/2; on |Im u| = 1.4, |sech^4| <= 1/cos(1.4)^4 < 1.2e3 and the
# Gaussian (width beta sd >= 0.5, peak <= 0.8) grows by at most e^(1.4^2/0.5) < 51, so the
# L1 norm there is below 1e5 and the trapezoid error below 2e5 e^(-2 pi 1.4 / du) = 2e-14
# at du = 1/5 (tested to 1e-12 against the trapezoid rule on a fine grid,
# tests/theory/rs/test_at_mutants.py, and to 1e-10 against adaptive quadrature, test_at.py).
_U = np.linspace(-10.0, 10.0, 101)
_DU = _U[1] - _U[0]
_SECH4_U = 1.0 / np.cosh(_U) ** 4
_SHARP = 0.5  # spread beta*sd above which the Gaussian is integrated on the u grid
_CHUNK = 2048  # grid points per block (bounds the (points, nY, len(_U)) temporaries)


def _sech4(x):
    """Overflow-safe ``sech^4 x = (4 e / (1 + e)^2)^2`` with ``e = exp(-2|x|)`` (one exp)."""
    e = np.exp(-2.0 * np.abs(x))
    s2 = 4.0 * e / (1.0 + e) ** 2
    return s2 * s2


def _gamma(s, sd, beta, wY):
    """``E_{Y,z} sech^4(beta (s + sd z))`` for z ~ N(0, 1), in blocks of grid points.

    Where the spread ``beta*sd`` is at most ``_SHARP`` the integrand is smooth in z and a
    64-node Gauss-Hermite rule is exact to ~1e-15; above it the sharp factor sech^4 is
    integrated by the trapezoid rule in ``u = beta H`` (spectrally accurate for this analytic,
    fast-decaying integrand; the Gaussian's +-2 sd span >= 10 grid steps there).

    ``s`` (G, nY), ``sd`` and ``beta`` (G, 1), ``wY`` (nY,)."""
    out = np.empty(s.shape[0])
    for start in range(0, s.shape[0], _CHUNK):
        block = slice(start, start + _CHUNK)
        out[block] = _gamma_block(s[block], sd[block], beta[block], wY)
    return out


def _gamma_block(s, sd, beta, wY):
    sd = np.broadcast_to(sd, s.shape)
    beta = np.broadcast_to(beta, s.shape)
    sharp = beta * sd > _SHARP  # NaN (non-converged) points take the smooth rule
    value = np.empty(s.shape)
    soft = ~sharp
    bs, ss, ds = beta[soft], s[soft], sd[soft]
    value[soft] = _sech4(bs[:, None] * (ss[:, None] + ds[:, None] * _Z)) @ _WZ
    if np.any(sharp):
        bs, ss, ds = beta[sharp], s[sharp], sd[sharp]
        H = _U[None, :] / bs[:, None]
        dens = np.exp(-0.5 * ((H - ss[:, None]) / ds[:, None]) ** 2) / (
            ds[:, None] * np.sqrt(2 * np.pi) * bs[:, None]
        )
        value[sharp] = dens @ _SECH4_U * _DU
    return value @ wY


def replicon(
    *,
    P: int,
    beta: np.ndarray,
    alpha: np.ndarray,
    q: np.ndarray,
    n: np.ndarray | float = 0.0,
    rho: np.ndarray | float = 0.0,
    protocol: str = "hebbian",
    nodes: int = 256,
) -> np.ndarray:
    """Replicon eigenvalue of an RS high-storage solution (vectorised; arrays broadcast).

    Parameters
    ----------
    P : int
        Even interaction order (2 = AGS with the soft glass term; >= 4 = P-spin-like).
    beta, alpha, q, n, rho : array_like
        Inverse temperature (``inf`` = T = 0), load, the RS overlaps ``q`` and ``n`` (class-mean
        overlap; ``n = m`` for hebbian) and the dataset entropy (supervised only).
    protocol : {"hebbian", "supervised"}

    Returns
    -------
    ndarray of float64
        ``lambda_R``; RS is stable where it is positive (``-inf`` at T = 0 with alpha > 0).

    Examples
    --------
    >>> bool(replicon(P=2, beta=1 / 1.3, alpha=0.05, q=0.0) > 0)  # above T_g = 1.224
    True
    """
    P = _validate.interaction_order(P)
    _validate.choice("protocol", protocol, ("hebbian", "supervised"))
    rho = 0.0 if protocol == "hebbian" else rho
    beta, alpha, q, n, rho = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (beta, alpha, q, n, rho))
    )
    shape = beta.shape
    zero = np.isinf(beta)
    b = np.where(zero, 1.0, beta).ravel()
    Y, wY = gauss_normal(16) if np.any(rho > 0) else (np.zeros(1), np.ones(1))
    a_, q_, n_, r_ = (v.ravel() for v in (alpha, q, n, rho))
    q_ = np.maximum(q_, 0.0)  # q = 1 - C/beta can round to -4e-16 at the paramagnet (NaN stays)
    g = 1.0 + np.sqrt(r_)[:, None] * Y[None, :]
    if P == 2:
        lam = 1.0 - b * (1.0 - q_)
        sd = np.sqrt(a_ * q_) / lam
        gam = _gamma(n_[:, None] * g, sd[:, None], b[:, None], wY)
        out = 1.0 - a_ * b**2 * gam / lam**2
    else:
        c = a_ * P * factorial(P) / 4.0
        s = 0.5 * P * (1.0 + r_[:, None]) ** (0.5 * P - 1.0) * n_[:, None] ** (P - 1) * g
        sd = np.sqrt(c * q_ ** (P - 1))
        gam = _gamma(s, sd[:, None], b[:, None], wY)
        out = 1.0 - b**2 * c * (P - 1) * q_ ** (P - 2) * gam
    out = out.reshape(shape)
    return np.where(zero, np.where(alpha > 0, -np.inf, 1.0), out)


def rs_stable(**kwargs) -> np.ndarray:
    """``replicon(**kwargs) > 0``: where the RS solution is locally (AT) stable."""
    return replicon(**kwargs) > 0.0


def rs_solution(
    *,
    P: int,
    beta,
    alpha,
    rho=0.0,
    protocol: str = "hebbian",
    branch: str = "retrieval",
) -> dict[str, np.ndarray]:
    """Replica-symmetric solution of ``branch`` from the RS kernel (theory.rs.grid), T > 0.

    Returns ``n``, ``q``, ``m``, ``free_energy`` and ``converged`` arrays of the broadcast
    shape (large-M Gaussian law of the data for ``protocol="supervised"``).
    """
    beta, alpha, rho = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (beta, alpha, rho))
    )
    rho = np.zeros_like(rho) if protocol == "hebbian" else rho
    one = np.ones(beta.size)
    sol = solve_rs_flat(beta, alpha, rho, one, one, P=P, branch=branch)
    keys = ("n", "q", "m", "free_energy", "converged")
    return {k: np.asarray(sol[k]).reshape(beta.shape) for k in keys}


def at_line(
    P: int,
    alpha,
    *,
    rho: float = 0.0,
    protocol: str = "hebbian",
    branch: str = "retrieval",
    T_range: tuple[float, float] = (0.01, 3.0),
    iters: int = 30,
) -> np.ndarray:
    """Temperature ``T_AT(alpha)`` below which the RS solution of ``branch`` is AT-unstable.

    The highest sign change of the replicon of the RS solution on a log grid of ``T_range``,
    refined by bisection (vectorised over ``alpha``); NaN where there is none. For P = 2 use
    ``branch="paramagnet"`` for the instability of the m = 0 state: it is at T_g = 1 + sqrt(alpha),
    and the RS spin glass below T_g is unstable everywhere.

    Examples
    --------
    >>> float(np.round(at_line(2, [0.05], branch="paramagnet")[0], 3))  # 1 + sqrt(0.05)
    1.224
    """
    P = _validate.interaction_order(P)
    _validate.choice("branch", branch, ("retrieval", "spinglass", "paramagnet"))
    alpha = np.atleast_1d(
        _validate.real_array("alpha", alpha, low=0.0, meaning="alpha is the load.")
    )

    def lam(T):
        a = np.broadcast_to(alpha[:, None], T.shape) if T.ndim == 2 else alpha
        b = beta_of_T(T)
        sol = rs_solution(P=P, beta=b, alpha=a, rho=rho, protocol=protocol, branch=branch)
        val = replicon(
            P=P, beta=b, alpha=a, q=sol["q"], n=sol["n"], rho=rho, protocol=protocol
        )
        on = sol["converged"] & (
            is_retrieval(m=sol["m"], threshold=M_AT) if branch == "retrieval" else True
        )
        return np.where(on, val, np.nan)

    # bracket: the highest T on a log grid where the replicon goes from < 0 to > 0
    Ts = np.geomspace(*T_range, 24)
    L = lam(np.broadcast_to(Ts, (alpha.size, Ts.size)))
    up = (L[:, :-1] < 0) & (L[:, 1:] > 0)
    ok = up.any(axis=1)
    i = np.where(ok, Ts.size - 2 - np.argmax(up[:, ::-1], axis=1), 0)
    lo, hi = bisect(lambda T: lam(T) < 0, Ts[i], Ts[i + 1], iters, geometric=True)
    return np.where(ok, np.sqrt(lo * hi), np.nan)


def attach_replicon(ds, *, P: int, protocol: str, beta, alpha, rho):
    """Add ``replicon`` and ``rs_stable`` to an RS high-storage Dataset (in place, returned).

    ``beta``, ``alpha``, ``rho`` are the flat grid arrays the solver used (reshaped to the
    grid). Skipped for the unsupervised protocol. Low storage (alpha = 0) gives replicon 1.
    """
    if protocol == "unsupervised" or "q" not in ds or "n" not in ds:
        return ds
    shape, dims = ds["q"].shape, ds["q"].dims
    with np.errstate(invalid="ignore"):
        lam = replicon(
            P=P,
            beta=np.asarray(beta, dtype=float).reshape(shape),
            alpha=np.asarray(alpha, dtype=float).reshape(shape),
            q=ds["q"].values,
            n=ds["n"].values,
            rho=np.asarray(rho, dtype=float).reshape(shape),
            protocol=protocol,
        )
    ds["replicon"] = (dims, lam)
    ds["replicon"].attrs.update(long_name="replicon eigenvalue (RS stable where > 0)", units="1")
    ds["rs_stable"] = (dims, lam > 0)
    ds["rs_stable"].attrs.update(long_name="replica symmetry locally (AT) stable", units="1")
    return ds
