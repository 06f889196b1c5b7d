"""T = 0 retrieval of M = e^{alpha N} patterns by the package's modern Hopfield layer,
on the axes of theory.lse and montecarlo.lse (docs/exponential.md, "Retrieval with the layer").

Patterns xi^mu with |xi|^2 = N (the sets of :func:`montecarlo.lse.pattern_sets`), query at
the target xi^0 (or rotated away from it to alignment ``phi_init``), ``beta = beta_net``:
the layer's energy is then H + ln(M)/beta_net (docs/exponential.md, table). After the
update steps, the target *is retrieved* when its softmax weight exceeds 1/2; at x = xi^0 this
is S_nr < e^{b N}, the condition whose N -> infinity limit is alpha_c = b - g_max(b).
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from hopfield_sim import finite_size
from hopfield_sim.layers import retrieve
from montecarlo.lse import load_to_M, pattern_sets
from theory.lse import finite, rem

CHUNK_FLOATS = 2**24  # keys per retrieve call (samples x M x N), bounds the memory


def _start(xi0: np.ndarray, phi_init: float, rng: np.random.Generator) -> np.ndarray:
    """A point on the sphere |x|^2 = N at alignment phi_init with xi0 (random direction)."""
    N = xi0.size
    if phi_init >= 1.0:
        return xi0.copy()
    g = rng.standard_normal(N)
    g -= (g @ xi0) / N * xi0
    g *= math.sqrt(N) / np.linalg.norm(g)
    return phi_init * xi0 + math.sqrt(1.0 - phi_init**2) * g


def target_weight(N: int, alpha: float, *, beta_net: float = 1.0, samples: int = 32,
                  update_steps: int = 0, phi_init: float = 1.0, patterns: str = "spherical",
                  seed: int = 0) -> dict[str, np.ndarray]:
    """Final softmax weight on the target and alignment of the output, one per pattern set.

    Parameters
    ----------
    N, alpha : int, float
        Dimension and load, M = ceil(e^{alpha N}).
    beta_net : float
        The layer's ``beta`` (kernel sharpness b).
    samples : int
        Independent pattern sets (seeds derived from ``seed``, N and alpha).
    update_steps : int
        ``update_steps_max`` of :func:`hopfield_sim.layers.retrieve` (0: one step).
    phi_init : float
        Alignment of the query with the target (1: the pattern itself).

    Returns
    -------
    dict of ndarray, shape (samples,)
        ``weight`` (softmax weight of the target in the last association) and ``phi``
        (output . xi^0 / N).
    """
    if not 0.0 <= phi_init <= 1.0:
        raise ValueError(f"phi_init must lie in [0, 1]; got {phi_init!r}.")
    M = load_to_M(N, alpha)
    root = int(np.random.SeedSequence([seed, N, int(round(alpha * 1e6))]).generate_state(1)[0])
    xi = pattern_sets(N, M, patterns, samples, root)
    rng = np.random.default_rng(root)
    q = np.stack([_start(xi[s, 0], phi_init, rng) for s in range(samples)])[:, None, :]
    weight, phi = np.empty(samples), np.empty(samples)
    chunk = max(1, CHUNK_FLOATS // (M * N))
    for lo in range(0, samples, chunk):
        sl = slice(lo, lo + chunk)
        res = retrieve(jnp.asarray(q[sl], jnp.float32), jnp.asarray(xi[sl], jnp.float32),
                       beta=float(beta_net), heads=False, update_steps_max=update_steps,
                       return_info=True)
        w = np.asarray(res.weights, dtype=float)  # (chunk, L=1, M) without heads
        out = np.asarray(res.output, dtype=float)[:, 0, :]
        weight[sl] = w.reshape(w.shape[0], -1)[:, 0]
        phi[sl] = np.einsum("si,si->s", out, xi[sl, 0]) / N
    return {"weight": weight, "phi": phi}


def layer_capacity(N_values, *, beta_net: float = 1.0, width: float = 0.12, points: int = 9,
                   samples: int = 24, update_steps: int = 0, seed: int = 0) -> dict:
    """Load at which half of the pattern sets retrieve, per N, and its N -> inf limit.

    At each N the loads ``alpha_N +- width`` (``points`` of them, alpha_N the finite-N theory
    capacity of theory.lse.finite) are sampled; a smooth step is fitted to the 0/1 outcomes
    (:func:`hopfield_sim.finite_size.fit_step`); ``x_c(N) = x_inf + a/N`` is fitted to the
    measured values (:func:`hopfield_sim.finite_size.extrapolate`, nu = 1). Returns the
    rows (N, measured alpha_c and error, finite-N theory), the fit and the N -> infinity
    theory ``alpha_inf`` = b - g_max(b).
    """
    rows = []
    for N in N_values:
        centre = finite.capacity(int(N), beta_net)
        loads = np.linspace(centre - width, centre + width, points)
        x, y = [], []
        for a in loads:
            w = target_weight(int(N), float(a), beta_net=beta_net, samples=samples,
                              update_steps=update_steps, seed=seed)["weight"]
            x += [a] * samples
            y += list((w > 0.5).astype(float))
        fit = finite_size.fit_step(x, y, bootstrap=100, seed=seed)
        rows.append({"N": int(N), "alpha_c": fit.x_c, "alpha_c_err": fit.x_c_err,
                     "theory": centre, "replicates": fit.replicates})
    Ns = [r["N"] for r in rows]
    meas = finite_size.extrapolate(Ns, [r["alpha_c"] for r in rows],
                                   [r["alpha_c_err"] for r in rows],
                                   replicates=[r["replicates"] for r in rows], nu=1.0,
                                   seed=seed)
    return {"sizes": rows, "measured": meas, "alpha_inf": float(rem.capacity(beta_net))}
