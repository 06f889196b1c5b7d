"""Metropolis Monte Carlo of the log-sum-exp memory on the N-sphere with M = e^{alpha N}
patterns (docs/exponential.md, "Monte Carlo").

Energy H(x) = N - (1/beta_net) ln sum_mu exp(beta_net x . xi^mu), |x|^2 = |xi^mu|^2 = N (the
``beta`` of :func:`hopfield_sim.layers.energy` is ``beta_net``; H = layers energy - ln(M)/beta_net
at |x|^2 = N), thermal temperature T (Boltzmann weight e^{-H/T}). Pattern 0 is the target.
Moves, cost and reproducibility: montecarlo._lse_kernels.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import xarray as xr

from montecarlo import _memory
from montecarlo._lse_kernels import run_chains
from montecarlo._rng import stream_states

PATTERNS = ("spherical", "binary")
_LONG = {"phi": "target alignment phi = x.xi^0/N, sweep average",
         "energy": "energy per neuron H/N, sweep average",
         "phi_best": "largest alignment max_mu x.xi^mu/N over all patterns, sweep average",
         "phi_min": "lowest target alignment at the end of a measured sweep (a chain that "
         "left the target's basin has phi_min below the barrier)"}
INITS = ("pattern", "random")
KERNELS = ("lse", "lsr")  # energy kernels (montecarlo._lse_kernels.energy)
ENGINES = ("numba", "jax")


def _positive_int(name: str, value: object, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}; got {value!r}.")
    return int(value)


def load_to_M(N: int, alpha: float) -> int:
    """M = ceil(e^{alpha N}) (at least 1), as in Petrova et al."""
    return max(1, math.ceil(math.exp(alpha * N) - 1e-9))


def lse_bytes(N: int, M: int, samples: int, chains: int) -> int:
    """Peak bytes: the patterns (float64, all samples), one sample's generation transient
    and two overlap buffers per chain."""
    return 8 * (samples * N * M + N * M + 2 * chains * M + chains * N) + (1 << 20)


def draw_patterns(N: int, M: int, patterns: str, rng: np.random.Generator) -> np.ndarray:
    """M patterns with |xi|^2 = N, shape (M, N): uniform on the sphere or uniform +-1."""
    if patterns == "binary":
        return rng.integers(0, 2, size=(M, N)).astype(np.float64) * 2.0 - 1.0
    g = rng.standard_normal((M, N))
    return g * np.sqrt(N / np.einsum("ij,ij->i", g, g))[:, None]


def pattern_sets(N: int, M: int, patterns: str, samples: int, seed: int) -> np.ndarray:
    """The pattern sets ``sample_lse`` uses for this seed, shape (samples, M, N)."""
    children = np.random.SeedSequence(seed).spawn(3)[0].spawn(samples)
    return np.stack([draw_patterns(N, M, patterns, np.random.default_rng(c)) for c in children])


def _cone_sets(N, M, b, phi_keep, samples, seed, chains):
    """Target plus in-cone patterns per sample (padded to the largest count), the counts and
    the bulk constants (montecarlo._lse_cone)."""
    from montecarlo import _lse_cone

    mean_k = (M - 1) * _lse_cone.tail_probability(N, phi_keep)
    k_max = int(mean_k + 10 * math.sqrt(mean_k + 1) + 10)
    _memory.check_memory(lse_bytes(N, k_max + 1, samples, chains),
                         f"sample_lse(N={N}, M={M}, cone={phi_keep}, samples={samples})")
    targets = pattern_sets(N, 1, "spherical", samples, seed)[:, 0]
    children = np.random.SeedSequence([seed, 1]).spawn(samples)
    sets = [_lse_cone.cone_patterns(targets[s], M, phi_keep, np.random.default_rng(c))
            for s, c in enumerate(children)]
    counts = np.array([len(p) for p in sets])
    xiT = np.zeros((samples, N, counts.max()))
    for s, p in enumerate(sets):
        xiT[s, :, : len(p)] = p.T
    bulk = np.full(samples, _lse_cone.log_bulk(N, M, b, phi_keep))
    return xiT, counts, bulk


def sample_lse(
    N: int,
    *,
    T,
    alpha: float | None = None,
    M: int | None = None,
    beta_net: float = 1.0,
    patterns: str = "spherical",
    samples: int = 4,
    replicas: int = 2,
    burn: int = 200,
    sweeps: int = 200,
    init: str = "pattern",
    delta: float = 0.3,
    cone: float | None = None,
    ramp_from: float | None = None,
    ramp_steps: int = 4,
    kernel: str = "lse",
    engine: str = "numba",
    seed: int = 0,
) -> xr.Dataset:
    """Metropolis chains through the temperatures ``T`` in the order given.

    Parameters
    ----------
    N : int
        Dimension (>= 3).
    T : float or 1-D array_like
        Temperatures >= 0 visited in order, each with ``burn`` then ``sweeps`` sweeps, the
        state carried over: ascending from ``init="pattern"`` is the heating protocol
        (Petrova et al.), descending from ``init="random"`` annealing. T = 0: downhill only.
    alpha, M : float or int
        Load alpha = ln(M)/N (M = ceil(e^{alpha N})) or the number of patterns; exactly one.
    beta_net : float
        Kernel sharpness b > 0.
    patterns : {"spherical", "binary"}
        Uniform on the sphere |xi|^2 = N, or uniform in {-1, +1}^N.
    samples, replicas : int
        Pattern sets (disorder samples) and chains per set.
    burn, sweeps : int
        Sweeps (N moves each) per temperature: burn-in (step size adapted) and measured.
    init : {"pattern", "random"}
        Start at the target pattern xi^0 or uniformly on the sphere.
    delta : float
        Initial rotation step (radians).
    cone : float, optional
        ``phi_keep`` of the cone approximation (montecarlo._lse_cone; spherical patterns):
        only patterns with alignment >= phi_keep with the target are drawn, the rest is a
        constant term. Memory and cost scale with the in-cone count instead of M.
    ramp_from, ramp_steps : float, int
        Heating / annealing protocol: before the first measured temperature, ``ramp_steps``
        unmeasured stages of ``burn`` sweeps at temperatures evenly spaced from ``ramp_from``
        towards ``T[0]`` (``ramp_from < T[0]`` with ``init="pattern"``: heating from the
        pattern, against escapes during the first burn-in; ``ramp_from > T[0]``: annealing).
    kernel : {"lse", "lsr"}
        Log-sum-exp energy, or log-sum-ReLU H = -(N/b) ln sum_mu max(0, 1 - b + b phi_mu)
        (Petrova et al.; +inf where no pattern is in the support, so ``init="pattern"``).
    engine : {"numba", "jax"}
        Numba kernels (xoshiro streams, threads), or JAX (montecarlo._lse_jax: all chains
        vectorised, GPU if present, counter-based threefry keys; no ``cone``). The engines
        agree in distribution, not sample by sample.
    seed : int
        Seeds patterns, starts and every chain's stream; results do not depend on threads.

    Returns
    -------
    xarray.Dataset
        Dimensions (T, sample, replica): ``phi`` and ``phi2`` (sweep averages of the target
        alignment and its square), ``energy`` and ``energy2`` (H/N), ``phi_best`` (largest
        alignment with any pattern), ``phi_min`` (lowest target alignment), ``acceptance``,
        ``delta``.

    Examples
    --------
    >>> from montecarlo.lse import sample_lse
    >>> ds = sample_lse(8, T=0.2, M=1, samples=1, replicas=2, burn=50, sweeps=50)
    >>> bool(ds.phi.mean() > 0.8)
    True
    """
    req = _request(N, T, alpha, M, beta_net, patterns, samples, replicas, burn, sweeps, init,
                   delta, cone, ramp_from, ramp_steps, kernel, engine, seed)
    xiT, counts, log_bulk = _pattern_arrays(req)
    x, states, sample_of = _starts(req, xiT)
    C = x.shape[0]
    h, buf = np.empty((C, xiT.shape[2])), np.empty((C, xiT.shape[2]))
    step = np.full(C, req["delta"])
    stats = np.zeros((C, 8))
    T_arr = req["T"]
    out = np.empty((T_arr.size, C, 8))
    steps = np.empty((T_arr.size, C))
    kind = KERNELS.index(req["kernel"])
    for k, (t, measured) in enumerate(_schedule(req)):
        beta = math.inf if t == 0 else 1.0 / t
        n_meas = req["sweeps"] if measured else 0
        if req["engine"] == "jax":
            from montecarlo import _lse_jax

            stats = _lse_jax.run_chains(x, xiT.transpose(0, 2, 1), log_bulk, sample_of,
                                        req["beta_net"], beta, step, req["burn"], n_meas,
                                        states, k, kind)
        else:
            run_chains(x, h, buf, xiT, counts, log_bulk, sample_of, req["beta_net"], beta,
                       step, req["burn"], n_meas, states, stats, kind)
        if measured:
            i = k - req["ramp_steps"]
            out[i], steps[i] = stats, step
    return _dataset(req, out, steps, counts)


def _request(N, T, alpha, M, beta_net, patterns, samples, replicas, burn, sweeps, init, delta,
             cone, ramp_from, ramp_steps, kernel, engine, seed) -> dict:
    """Check every argument of ``sample_lse`` (one-line ValueErrors naming it) and the memory
    estimate; returns them normalised."""
    N = _positive_int("N", N, 3)
    T_arr = np.atleast_1d(np.asarray(T, dtype=float))
    if T_arr.ndim != 1 or T_arr.size == 0 or not np.all(T_arr >= 0) or np.any(np.isnan(T_arr)):
        raise ValueError(f"T must be a non-empty 1-D list of temperatures >= 0; got {T!r}.")
    M = _load(N, alpha, M)
    if not (np.isfinite(beta_net) and beta_net > 0):
        raise ValueError(f"beta_net must be > 0; got beta_net={beta_net!r}.")
    _check_options(patterns, init, kernel, engine, delta, cone, ramp_from)
    req = dict(N=N, T=T_arr, M=M, beta_net=float(beta_net), patterns=patterns,
               samples=_positive_int("samples", samples),
               replicas=_positive_int("replicas", replicas), burn=_positive_int("burn", burn, 0),
               sweeps=_positive_int("sweeps", sweeps), init=init, delta=float(delta),
               cone=cone, ramp_from=ramp_from, kernel=kernel, engine=engine,
               seed=_positive_int("seed", seed, 0),
               ramp_steps=0 if ramp_from is None else _positive_int("ramp_steps", ramp_steps))
    if cone is None:
        _memory.check_memory(lse_bytes(N, M, req["samples"], req["samples"] * req["replicas"]),
                             f"sample_lse(N={N}, M={M}, samples={samples}, replicas={replicas})")
    return req


def _check_options(patterns, init, kernel, engine, delta, cone, ramp_from) -> None:
    """The non-numeric options of ``sample_lse`` and their combinations."""
    for name, value, allowed in (("patterns", patterns, PATTERNS), ("init", init, INITS),
                                 ("kernel", kernel, KERNELS), ("engine", engine, ENGINES)):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {allowed}; got {value!r}.")
    if not (0 < delta <= math.pi):
        raise ValueError(f"delta must be in (0, pi]; got delta={delta!r}.")
    if cone is not None and (patterns != "spherical" or kernel != "lse" or not -1 < cone < 1):
        raise ValueError(f"cone must be a phi_keep in (-1, 1) with spherical patterns and the "
                         f"lse kernel; got cone={cone!r}, patterns={patterns!r}.")
    if engine == "jax" and cone is not None:
        raise ValueError("engine='jax' does not run the cone approximation; use 'numba'.")
    if ramp_from is not None and not (np.isfinite(ramp_from) and ramp_from >= 0):
        raise ValueError(f"ramp_from must be a temperature >= 0; got ramp_from={ramp_from!r}.")
    if kernel == "lsr" and init != "pattern":
        raise ValueError("kernel='lsr' needs init='pattern' (H = +inf outside the support).")


def _load(N: int, alpha, M) -> int:
    if (alpha is None) == (M is None):
        raise ValueError(f"give exactly one of alpha and M; got alpha={alpha!r}, M={M!r}.")
    if M is None:
        if not np.isfinite(alpha) or alpha < 0:
            raise ValueError(f"alpha must be a finite load >= 0; got alpha={alpha!r}.")
        M = load_to_M(N, float(alpha))
    return _positive_int("M", M)


def _schedule(req: dict) -> list[tuple[float, bool]]:
    """(temperature, measured) stages: the ramp (unmeasured), then ``T`` in order."""
    T_arr, n = req["T"], req["ramp_steps"]
    ramp = np.linspace(req["ramp_from"], T_arr[0], n + 1)[:-1] if n else []
    return [(float(t), False) for t in ramp] + [(float(t), True) for t in T_arr]


def _pattern_arrays(req: dict):
    """Transposed pattern sets (samples, N, M'), in-use counts and bulk terms per sample."""
    N, M, samples = req["N"], req["M"], req["samples"]
    if req["cone"] is None:
        xiT = pattern_sets(N, M, req["patterns"], samples, req["seed"]).transpose(0, 2, 1)
        return (np.ascontiguousarray(xiT), np.full(samples, M), np.full(samples, -math.inf))
    return _cone_sets(N, M, req["beta_net"], float(req["cone"]), samples, req["seed"],
                      samples * req["replicas"])


def _starts(req: dict, xiT: np.ndarray):
    """Initial states (chains, N), the chains' random streams (xoshiro states; the root key
    words for the JAX engine) and the sample of each chain."""
    N, C = req["N"], req["samples"] * req["replicas"]
    _, ss_init, ss_chains = np.random.SeedSequence(req["seed"]).spawn(3)
    sample_of = np.repeat(np.arange(req["samples"]), req["replicas"])
    x = np.empty((C, N))
    for c, child in enumerate(ss_init.spawn(C)):
        if req["init"] == "pattern":
            x[c] = xiT[sample_of[c], :, 0]
        else:
            g = np.random.default_rng(child).standard_normal(N)
            x[c] = g * math.sqrt(N) / np.linalg.norm(g)
    if req["engine"] == "jax":
        from montecarlo._lse_jax import root_key

        return x, root_key(ss_chains), sample_of
    return x, stream_states(ss_chains, C), sample_of


def _dataset(req: dict, out: np.ndarray, steps: np.ndarray, counts) -> xr.Dataset:
    """The result Dataset (T, sample, replica) from the per-chain sums ``out``."""
    T_arr, sweeps = req["T"], req["sweeps"]
    mean = out[..., :4] / sweeps
    dims = ("T", "sample", "replica")

    def shaped(a):
        return a.reshape(T_arr.size, req["samples"], req["replicas"])

    ds = xr.Dataset(
        {
            "phi": (dims, shaped(mean[..., 0]), {"long_name": _LONG["phi"]}),
            "phi2": (dims, shaped(mean[..., 1]), {"long_name": "sweep average of phi^2"}),
            "energy": (dims, shaped(mean[..., 2]), {"long_name": _LONG["energy"]}),
            "energy2": (dims, shaped(mean[..., 3]), {"long_name": "sweep average of (H/N)^2"}),
            "acceptance": (dims, shaped(out[..., 4] / out[..., 5]),
                           {"long_name": "Metropolis acceptance rate"}),
            "phi_best": (dims, shaped(out[..., 6] / sweeps), {"long_name": _LONG["phi_best"]}),
            "phi_min": (dims, shaped(out[..., 7]), {"long_name": _LONG["phi_min"]}),
            "delta": (dims, shaped(steps), {"long_name": "rotation step", "units": "rad"}),
        },
        coords={"T": ("T", T_arr, {"long_name": "temperature T", "units": "1"})},
    )
    for v in ds.data_vars:
        ds[v].attrs.setdefault("units", "1")
    cone = req["cone"]
    ds.attrs.update(model=req["kernel"], N=req["N"], M=req["M"],
                    alpha=math.log(req["M"]) / req["N"], beta_net=req["beta_net"],
                    patterns=req["patterns"], init=req["init"], engine=req["engine"],
                    burn=req["burn"], sweeps=sweeps,
                    seed=req["seed"], cone=float("nan") if cone is None else float(cone),
                    ramp_from=float("nan") if req["ramp_from"] is None else req["ramp_from"],
                    ramp_steps=req["ramp_steps"], patterns_drawn=float(np.mean(counts)),
                    threads=numba.get_num_threads())
    return ds
