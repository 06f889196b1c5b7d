"""Numba kernels of the log-sum-exp Metropolis sampler on the N-sphere (montecarlo.lse).

State x with |x|^2 = N; unnormalised overlaps h_mu = x . xi^mu (= N phi_mu); energy

    H(x) = N - (1/b) ln sum_mu exp(b h_mu).

A move rotates one random pair of coordinates (i, j) by an angle theta ~ U(-delta, delta):
a symmetric proposal that keeps |x|^2 = N and the uniform measure on the sphere, so the
Metropolis rule min(1, e^{-beta dH}) has the Boltzmann law as its stationary law. The
overlaps change by xi^mu_i dx_i + xi^mu_j dx_j: O(M) per move, O(M N) per sweep of N moves.
Overlaps and the norm are recomputed from scratch once per sweep (no drift). Each chain
reads only its own random stream (montecarlo._rng), so results do not depend on threads.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from montecarlo import _rng
from montecarlo._cache import keyed_njit, source_digest
from montecarlo._rng import uniform

_INLINED = source_digest(_rng)  # run_chain(s) compile _rng.uniform in: key their cache by it

ACCEPT_TARGET = 0.4  # burn-in adapts delta towards this acceptance rate


@numba.njit(cache=True, inline="always")
def log_sum_exp(h, b):
    """ln sum_mu exp(b h_mu), overflow-free (two passes)."""
    top = h[0]
    for k in range(1, h.size):
        if h[k] > top:
            top = h[k]
    s = 0.0
    for k in range(h.size):
        s += math.exp(b * (h[k] - top))
    return b * top + math.log(s)


@numba.njit(cache=True, inline="always")
def with_bulk(s, log_bulk):
    """ln(e^s + e^log_bulk): the log-sum with the cone approximation's constant bulk term
    (montecarlo._lse_cone; log_bulk = -inf without it)."""
    if log_bulk == -math.inf:
        return s
    top = max(s, log_bulk)
    return top + math.log(math.exp(s - top) + math.exp(log_bulk - top))


@numba.njit(cache=True)
def overlaps(x, xiT, h):
    """h_mu = sum_i xiT[i, mu] x_i (patterns stored transposed, shape (N, M))."""
    N, M = xiT.shape
    for k in range(M):
        h[k] = 0.0
    for i in range(N):
        xi_row = xiT[i]
        xv = x[i]
        for k in range(M):
            h[k] += xi_row[k] * xv


@numba.njit(cache=True)
def _renormalise(x):
    N = x.size
    s = 0.0
    for i in range(N):
        s += x[i] * x[i]
    f = math.sqrt(N / s)
    for i in range(N):
        x[i] *= f


@numba.njit(cache=True, inline="always")
def relu_sum(h, b, N):
    """sum_mu max(0, 1 - b + b h_mu / N): the log-sum-ReLU kernel sum."""
    s = 0.0
    for k in range(h.size):
        v = 1.0 - b + b * h[k] / N
        if v > 0.0:
            s += v
    return s


@numba.njit(cache=True, inline="always")
def energy(h, b, N, log_bulk, kind):
    """H(x) from the overlaps h: ``kind`` 0 is log-sum-exp, N - (1/b) ln(sum_mu e^{b h_mu}
    + C_bulk); 1 is log-sum-ReLU, -(N/b) ln sum_mu max(0, 1 - b + b h_mu/N) (+inf where no
    pattern is in the kernel's support)."""
    if kind == 0:
        return N - with_bulk(log_sum_exp(h, b), log_bulk) / b
    s = relu_sum(h, b, N)
    return math.inf if s <= 0.0 else -(N / b) * math.log(s)


@keyed_njit(_INLINED)
def _sweep(x, h, buf, xiT, b, beta, delta, state, log_bulk, kind):
    """N Metropolis pair-rotation moves; returns the accepted count and the final H."""
    N = x.size
    M = h.size
    cur = energy(h, b, N, log_bulk, kind)
    acc = 0
    for _ in range(N):
        i = int(uniform(state) * N)
        j = int(uniform(state) * (N - 1))
        if j >= i:
            j += 1
        theta = delta * (2.0 * uniform(state) - 1.0)
        c = math.cos(theta)
        s = math.sin(theta)
        dxi = (c - 1.0) * x[i] - s * x[j]
        dxj = s * x[i] + (c - 1.0) * x[j]
        row_i = xiT[i]
        row_j = xiT[j]
        for k in range(M):
            buf[k] = h[k] + row_i[k] * dxi + row_j[k] * dxj
        new = energy(buf, b, N, log_bulk, kind)
        dH = new - cur
        if dH <= 0.0 or (beta < math.inf and uniform(state) < math.exp(-beta * dH)):
            x[i] += dxi
            x[j] += dxj
            for k in range(M):
                h[k] = buf[k]
            cur = new
            acc += 1
    return acc, cur


@numba.njit(cache=True)
def _record(h, cur, acc, N, stats):
    """Add one measured sweep to ``stats`` (see ``run_chain``)."""
    phi = h[0] / N
    u = cur / N
    stats[0] += phi
    stats[1] += phi * phi
    stats[2] += u
    stats[3] += u * u
    stats[4] += acc
    stats[5] += N
    best = h[0]
    for k in range(1, h.size):
        if h[k] > best:
            best = h[k]
    stats[6] += best / N
    stats[7] = min(stats[7], phi)


@keyed_njit(_INLINED)
def run_chain(x, h, buf, xiT, b, beta, delta, burn, sweeps, state, stats, log_bulk=-math.inf,
              kind=0):
    """``burn`` adapting sweeps then ``sweeps`` measured ones for one chain (in place).

    ``stats`` (float64, 8): sums over the measured sweeps of the target alignment phi_0,
    phi_0^2, u = H/N, u^2, accepted and proposed moves, the best alignment max_mu phi_mu,
    and (index 7) the lowest phi_0 seen at the end of a measured sweep.
    Returns the final delta.
    ``beta = inf`` is the T = 0 (downhill-only) limit; ``log_bulk``: the cone
    approximation's constant term of the log-sum; ``kind``: see ``energy``.
    """
    N = x.size
    for k in range(7):
        stats[k] = 0.0
    stats[7] = math.inf
    for t in range(burn + sweeps):
        _renormalise(x)
        overlaps(x, xiT, h)
        acc, cur = _sweep(x, h, buf, xiT, b, beta, delta, state, log_bulk, kind)
        if t < burn:  # adapt the step towards ACCEPT_TARGET (burn-in only)
            delta = min(max(delta * math.exp(acc / N - ACCEPT_TARGET), 1e-6), math.pi)
        else:
            _record(h, cur, acc, N, stats)
    return delta


@keyed_njit(_INLINED, parallel=True)
def run_chains(x, h, buf, xiT, counts, log_bulk, sample_of, b, beta, delta, burn, sweeps,
               states, stats, kind=0):
    """``run_chain`` for every chain c, in parallel: patterns ``xiT[s, :, :counts[s]]`` and
    bulk term ``log_bulk[s]`` of its sample s = ``sample_of[c]``."""
    for c in numba.prange(x.shape[0]):
        s = sample_of[c]
        m = counts[s]
        delta[c] = run_chain(x[c], h[c][:m], buf[c][:m], xiT[s][:, :m], b, beta, delta[c],
                             burn, sweeps, states[c], stats[c], log_bulk[s], kind)


def state_energy(x: np.ndarray, xi: np.ndarray, b: float) -> float:
    """H(x)/N from scratch (NumPy; for tests): 1 - (1/(b N)) ln sum exp(b x . xi^mu)."""
    N = x.size
    z = b * (xi @ x)
    top = z.max()
    return 1.0 - (top + np.log(np.exp(z - top).sum())) / (b * N)
