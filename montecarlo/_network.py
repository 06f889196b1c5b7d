"""The engine shared by :class:`DenseHebbianNetwork` and :class:`MultitaskingNetwork`:
builds the energy terms of a protocol, validates ``sample`` inputs, runs the kernels and
wraps the result as an :class:`xarray.Dataset`."""

from __future__ import annotations

import math

import numba
import numpy as np
import xarray as xr

from montecarlo import (
    _chains,
    _dataset,
    _energy,
    _kernels,
    _memory,
    _progress,
    _validate,
    observables,
)
from montecarlo._rng import stream_states

_DYNAMICS_CODE = {
    "glauber": _kernels.GLAUBER,
    "metropolis": _kernels.METROPOLIS,
    "zero_temperature": _kernels.ZERO_TEMPERATURE,
}
_ORDER_CODE = {"random": _kernels.ORDER_RANDOM, "sequential": _kernels.ORDER_SEQUENTIAL}
_SPARSE_ABOVE = 0.4  # auto storage: sparse rows once more than 40 % of the weights are zero


class HebbianEngine:
    """Common constructor and sampler (``sample`` is the public method of both networks);
    see the public subclasses for the constructor parameters."""

    def __init__(self, P, patterns, examples, protocol, r, self_interaction, sparse) -> None:
        self.P = _validate.interaction_order(P)
        self.protocol = _validate.choice("protocol", protocol, _validate.PROTOCOLS)
        if not isinstance(self_interaction, (bool, np.bool_)):
            raise TypeError(f"self_interaction must be True or False; got {self_interaction!r}.")
        self.self_interaction = bool(self_interaction)
        xi = (
            None
            if patterns is None
            else _validate.spin_array("patterns", patterns, ndim=2, allow_zero=True)
        )
        eta = (
            None
            if examples is None
            else _validate.spin_array("examples", examples, ndim=3, allow_zero=True)
        )
        for name, arr in (("patterns", xi), ("examples", eta)):
            if arr is not None and min(arr.shape) < 1:
                raise ValueError(f"{name} must not be empty (K, M, N >= 1); got shape {arr.shape}.")
        if self.protocol == "hebbian":
            if xi is None:
                raise ValueError("protocol='hebbian' needs patterns, shape (K, N).")
            if eta is not None:
                raise ValueError(
                    "examples are used only by protocol 'supervised', 'unsupervised' or "
                    "'teacher'; got protocol='hebbian'."
                )
            if r is not None:
                raise ValueError(
                    f"r is used only by the example protocols; got r={r!r} with protocol='hebbian'."
                )
            self.K, self.N = xi.shape
            self.M = None
        else:
            if eta is None:
                raise ValueError(f"protocol={self.protocol!r} needs examples, shape (K, M, N).")
            self.K, self.M, self.N = eta.shape
            if xi is not None and xi.shape != (self.K, self.N):
                raise ValueError(
                    f"patterns (K, N) and examples (K, M, N) disagree; got shapes "
                    f"{xi.shape} and {eta.shape}."
                )
        if self.N < self.P:
            raise ValueError(f"N must be >= P; got N={self.N}, P={self.P}.")
        self._xi = xi
        self.r_estimated = self.protocol not in ("hebbian", "teacher") and r is None
        if self.protocol == "teacher" and r is not None:
            raise ValueError(
                f"r is not used by protocol='teacher' (the examples are teacher samples, "
                f"montecarlo.teacher_examples); got r={r!r}."
            )
        if self.protocol == "teacher":  # every example a pattern (docs/teacher-student.md)
            self.r = self.rho = self.R = None
            W, kappa, scale = eta.reshape(self.K * self.M, self.N), 1.0, 1.0
            self._group = np.repeat(np.arange(self.K, dtype=np.int64), self.M)
            self._eta_first_class = eta[0]
        elif self.protocol == "hebbian":
            self.r = self.rho = self.R = None
            W, kappa, scale = xi, 1.0, 1.0
            self._group = np.arange(self.K, dtype=np.int64)
        else:
            self.r = self._quality(r, xi, eta)
            self.rho = (1.0 - self.r**2) / (self.M * self.r**2)
            self.R = self.r**2 * (1.0 + self.rho)
            if self.protocol == "supervised":
                W = eta.sum(axis=1, dtype=np.int32)  # M * eta_hat, integer
                kappa, scale = 1.0, self.M * math.sqrt(self.R)
                self._group = np.arange(self.K, dtype=np.int64)
            else:
                W = eta.reshape(self.K * self.M, self.N)
                kappa, scale = self.R ** (-self.P / 2) / self.M, 1.0
                self._group = np.repeat(np.arange(self.K, dtype=np.int64), self.M)
            self._eta_first_class = eta[0]
        zero_fraction = 1.0 - np.count_nonzero(W) / W.size
        self.sparse = zero_fraction > _SPARSE_ABOVE if sparse is None else bool(sparse)
        _memory.check_memory(
            int(
                _memory.network_bytes(
                    N=self.N,
                    K=self.K,
                    M=self.M or 1,
                    protocol=_memory_protocol(self.protocol),
                    d=zero_fraction if self.sparse else 0.0,
                )
            ),
            f"{type(self).__name__}(P={self.P}, N={self.N}, K={self.K}, M={self.M}, "
            f"protocol={self.protocol!r})",
        )
        self._storage = _energy.per_spin_storage(W, sparse=self.sparse)
        self._terms = _energy.energy_terms(
            self._storage,
            N=self.N,
            P=self.P,
            kappa=kappa,
            scale=scale,
            self_interaction=self.self_interaction,
        )
        if self.protocol != "hebbian" and xi is not None:
            self._obs = _energy.per_spin_storage(xi, sparse=self.sparse)
        else:
            self._obs = _energy.Storage(
                np.zeros(self.N + 1, np.int64),
                np.empty(0, np.int32),
                np.empty(0, np.int8),
                True,
                0,
            )

    @staticmethod
    def _quality(r, xi, eta) -> float:
        if r is not None:
            return _validate.quality(r)
        if xi is None:
            raise ValueError(
                "r is required for the example protocols when no patterns are "
                "given (it sets the normalisation R = r**2 (1 + rho))."
            )
        on = xi[:, None, :] != 0
        return _validate.quality(
            float((eta * xi[:, None, :])[np.broadcast_to(on, eta.shape)].mean())
        )

    # ------------------------------------------------------------------ energies
    def energy(self, sigma) -> np.ndarray:
        """Energy per neuron, H / N, of one or more states.

        Parameters
        ----------
        sigma : array_like of +-1, shape (..., N)

        Returns
        -------
        ndarray of float64, shape (...)
        """
        sig = _validate.spin_array("sigma", np.atleast_2d(sigma), ndim=2, allow_zero=False)
        if sig.shape[-1] != self.N:
            raise ValueError(f"sigma must have last axis N={self.N}; got shape {sig.shape}.")
        t = self._terms
        S = _energy.tracked_sums(self._storage, sig, t.n_sums)
        H = _kernels.energies(S, t)
        return (H / self.N).reshape(np.shape(sigma)[:-1])

    # ------------------------------------------------------------------ sampling
    def _initial_states(self, init, n_beta, chains, rng) -> np.ndarray:
        R, N = n_beta * chains, self.N

        def fill_zeros(row):
            row = row.astype(np.int8).copy()
            zero = row == 0
            row[zero] = np.where(rng.random(int(zero.sum())) < 0.5, 1, -1)
            return row

        if isinstance(init, str):
            _validate.choice("init", init, ("archetype", "random"))
            if init == "random":
                return np.where(rng.random((R, N)) < 0.5, 1, -1).astype(np.int8)
            if self._xi is not None:
                base = self._xi[0]
            else:  # examples only: the sign of the first class mean
                base = np.sign(self._eta_first_class.sum(axis=0, dtype=np.int64))
            return np.tile(fill_zeros(base), (R, 1))
        if isinstance(init, (int, np.integer)) and not isinstance(init, bool):
            if self._xi is None:
                raise ValueError("init as a pattern index needs patterns; none were given.")
            if not 0 <= init < self.K:
                raise ValueError(
                    f"init as a pattern index must lie in [0, {self.K - 1}]; got init={init}."
                )
            return np.tile(fill_zeros(self._xi[init]), (R, 1))
        arr = np.asarray(init)
        if arr.dtype.kind not in "iuf":
            raise ValueError(
                f"init must be 'archetype', 'random', a pattern index or a +-1 array; got {init!r}."
            )
        arr = _validate.spin_array("init", arr, ndim=arr.ndim, allow_zero=False)
        shapes = {(N,), (chains, N), (n_beta, chains, N)}
        if arr.shape not in shapes:
            raise ValueError(
                f"init array must have shape (N,), (chains, N) or (n_beta, chains, "
                f"N) = {(n_beta, chains, N)}; got {arr.shape}."
            )
        return np.broadcast_to(arr, (n_beta, chains, N)).reshape(R, N).copy()  # never the input

    def sample(
        self,
        *,
        beta=None,
        T=None,
        sweeps: int,
        burn_in: int = 0,
        chains: int = 1,
        init="archetype",
        dynamics: str = "glauber",
        seed,
        init_overlap: float | None = None,
        order: str = "random",
        tempering: bool = False,
        thin: int = 1,
        progress: bool = False,
        engine: str = "numba",
    ) -> xr.Dataset:
        """Run Monte Carlo chains; return equilibrium means, error bars and traces.

        Parameters
        ----------
        beta, T : float or 1-d array_like
            Inverse temperature or temperature (give one; ``T = 0`` / ``beta = inf`` runs
            zero-temperature dynamics). An array is a ladder: one set of ``chains`` per
            value, a leading ``beta`` dimension in the result (with ``T`` as coordinate).
        sweeps : int
            Recorded sweeps (N flip attempts each) after burn-in, >= 1.
        burn_in : int
            Sweeps discarded first.
        chains : int
            Independent chains per temperature, run in parallel (Numba threads). With
            ``chains >= 2`` the two-chain overlap ``q`` of every pair is recorded.
        init : "archetype", "random", int or array_like
            Initial state: ``xi^1`` (the sign of the first class mean when no patterns are
            given; diluted zeros filled at random), uniform random, pattern ``init`` (0-based),
            or a +-1 array of shape (N,), (chains, N) or (len(beta), chains, N).
        init_overlap : float, optional
            Start at overlap ``m0`` with the ``init`` pattern (``"archetype"`` or an index):
            each chain flips its own random set of ``round(N (1 - m0) / 2)`` spins of the
            pattern, so its initial overlap is ``1 - 2 round(N (1 - m0) / 2) / N`` (basins
            of attraction; see :func:`hopfield_sim.basins.basins`). In [-1, 1].
        dynamics : {"glauber", "metropolis", "zero_temperature"}
            Heat-bath, Metropolis, or T = 0 single flips (downhill always, flat moves with
            probability 1/2, uphill never).
        seed : int or numpy.random.SeedSequence
            Root seed: chain ``k`` gets its own stream, so the result does not depend on the
            number of threads.
        order : {"random", "sequential"}
            Random site per attempt (detailed balance at every step) or sweeps in site order.
        tempering : bool
            Parallel tempering over the ``beta`` ladder: after every sweep, neighbouring
            temperatures exchange states with probability
            ``min(1, exp((beta_k - beta_{k+1}) (H_k - H_{k+1})))`` (chain ``c`` with chain ``c``).
        thin : int
            Record every ``thin``-th sweep (``sweeps`` must be a multiple); saves memory
            (traces hold ``chains * sweeps / thin * K`` values) when ``K`` is large.
        progress : bool
            Show a progress bar (tqdm, on stderr) over the sweeps; the run is then split
            into about 100 calls of the kernel, with the same result.
        engine : {"numba", "jax"}
            ``"numba"``: the CPU kernels (threads over chains). ``"jax"``: the vectorised
            many-chain engine (:mod:`montecarlo._jax_engine`, imports JAX), for thousands
            of chains on a GPU; same physics and output, its own random numbers
            (``jax.random`` keys folded per chain and sweep).

        Returns
        -------
        xarray.Dataset
            ``m`` (dims ``chain``, ``pattern``; absent without patterns), ``n`` (class-mean
            overlap n_bar = eta_hat . sigma / (N r (1 + rho)), example protocols), ``energy``
            (H / N), ``q`` (dims ``chain_pair`` with ``chain_a``, ``chain_b``) when chains >= 2;
            each with ``*_err`` (autocorrelation-aware error of the mean), ``*_tau``
            (integrated autocorrelation time in sweeps) and ``*_trace`` (``sweep`` dim).
            ``reliable`` flags chains with fewer than 20 autocorrelation times recorded;
            ``sigma`` is the final state; ``swap_acceptance`` with tempering. Attributes: all
            settings, the seed and package versions.
        """
        dynamics = _validate.choice("dynamics", dynamics, _validate.DYNAMICS)
        order = _validate.choice("order", order, _validate.ORDERS)
        sweeps = _validate.integer("sweeps", sweeps, low=1)
        burn_in = _validate.integer("burn_in", burn_in, low=0)
        chains = _validate.integer("chains", chains, low=1)
        thin = _validate.integer("thin", thin, low=1)
        progress = _progress.check_flag(progress)
        engine = _validate.choice("engine", engine, _validate.ENGINES)
        if sweeps % thin:
            raise ValueError(
                f"sweeps must be a multiple of thin; got sweeps={sweeps}, thin={thin}."
            )
        records = sweeps // thin
        if not isinstance(tempering, (bool, np.bool_)):
            raise TypeError(f"tempering must be True or False; got {tempering!r}.")
        if dynamics == "zero_temperature" and beta is None and T is None:
            betas = np.asarray(np.inf)
        else:
            betas = _validate.temperature(beta, T)
        ladder = np.atleast_1d(betas).astype(np.float64)
        zero_t = np.isinf(ladder)
        if dynamics == "zero_temperature" and not zero_t.all():
            raise ValueError(
                "dynamics='zero_temperature' runs at T = 0; got finite "
                f"beta={betas.tolist()!r}. Use 'glauber' or 'metropolis'."
            )
        if zero_t.any() and not zero_t.all():
            raise ValueError(
                f"a temperature ladder cannot mix T = 0 with T > 0; got beta={betas.tolist()!r}."
            )
        if tempering and zero_t.any():
            raise ValueError(
                f"tempering needs finite beta on every rung (T > 0); got beta={betas.tolist()!r}."
            )
        used = "zero_temperature" if zero_t.all() else dynamics
        if tempering and ladder.size < 2:
            raise ValueError(
                "tempering=True needs a ladder of at least 2 temperatures; got "
                f"beta={betas.tolist()!r}."
            )
        if engine == "jax":
            if tempering:
                raise ValueError("tempering=True is available with engine='numba' only.")
            if self._terms.mode != _kernels.MODE_TABLE:
                raise ValueError(
                    "engine='jax' covers every P = 2 model, +-1 weights at any P and the plain "
                    "energy form (self_interaction=True); real-valued weights at P >= 4 "
                    f"(here P={self.P}, protocol={self.protocol!r}) need engine='numba'."
                )
        root = _validate.seed(seed)
        R = ladder.size * chains
        L = self._storage.n_terms
        jax_extra = 0 if engine == "numba" else self.N * (L + self.K) + 24 * R * (L + self.K)
        _memory.check_memory(
            jax_extra
            + int(
                _memory.run_bytes(
                    N=self.N,
                    K=self.K,
                    M=self.M or 1,
                    protocol=_memory_protocol(self.protocol),
                    P=self.P,
                    d=0.0,
                    R=R,
                    chains=chains,
                    n_beta=ladder.size,
                    sweeps=sweeps,
                    thin=thin,
                )
            ),
            f"sample(N={self.N}, K={self.K}, chains={chains}, n_beta={ladder.size}, "
            f"sweeps={sweeps}, thin={thin}; traces hold chains * n_beta * sweeps / thin * K "
            "values, thin= records fewer)",
        )
        ent = root.entropy  # an int, or a sequence of ints (SeedSequence([...]))
        seed_attr = ent if isinstance(ent, int) and ent < 2**63 else str(ent)
        chain_ss, swap_ss, init_ss = root.spawn(3)
        n_beta = ladder.size
        R = n_beta * chains
        init_rng = np.random.default_rng(init_ss)
        sigma = self._initial_states(init, n_beta, chains, init_rng)
        if init_overlap is not None:
            sigma = _at_overlap(sigma, init, init_overlap, init_rng)
        rng = stream_states(chain_ss, R)
        swap_rng = stream_states(swap_ss, 1)[0]
        t, st, ob = self._terms, self._storage, self._obs
        S = _energy.tracked_sums(st, sigma, t.n_sums).astype(_energy.sums_dtype(st, t), copy=False)
        O = _energy.tracked_sums(ob, sigma, 1).astype(
            _energy.observable_dtype(ob, self.N), copy=False
        )
        pair_a, pair_b = observables.pair_indices(chains)
        # traces in the narrowest integer type holding |group sum| <= N * M
        width = max(2, _memory.trace_itemsize(self.N * (self.M or 1)))
        tdtype = np.dtype(f"int{8 * width}")
        tries = np.zeros(max(n_beta - 1, 1), np.int64)
        accepts = np.zeros(max(n_beta - 1, 1), np.int64)
        if engine == "jax":
            from montecarlo import _jax_engine

            sigma, out_G, out_O, out_E, out_Q = _jax_engine.run(
                self, sigma, S, O, np.repeat(ladder, chains), _DYNAMICS_CODE[used],
                _ORDER_CODE[order], chain_ss.generate_state(2, np.uint32), burn_in, sweeps,
                thin, (n_beta, chains, pair_a, pair_b), progress,
            )  # fmt: skip
            out_G, out_O = out_G.astype(tdtype), out_O.astype(tdtype)
        else:
            out_G = np.zeros((R, records, self.K), tdtype)
            out_O = np.zeros((R, records, ob.n_terms), tdtype)
            out_E = np.zeros((R, records))
            out_Q = np.zeros((n_beta, pair_a.size, records))
            work = R * st.val.size  # weight entries one sweep of all replicas visits
            parallel = numba.get_num_threads() > 1 and R > 1 and work >= _chains.PARALLEL_MIN_WORK
            run = _chains.run_parallel if parallel else _chains.run_serial
            args = (sigma, S, O, rng, swap_rng, np.repeat(ladder, chains), n_beta, chains,
                    bool(tempering), _DYNAMICS_CODE[used], _ORDER_CODE[order], t, st, ob,
                    self._group, burn_in, sweeps, thin, pair_a, pair_b,
                    (out_G, out_O, out_E, out_Q), tries, accepts,
                    _chains.PAD_BYTES if parallel else 0)  # fmt: skip
            _progress.run_in_steps(run, args, burn_in + sweeps, progress)
        settings = dict(
            sweeps=sweeps,
            burn_in=burn_in,
            chains=chains,
            dynamics=used,
            order=order,
            init=init
            if isinstance(init, str)
            else (int(init) if isinstance(init, (int, np.integer)) else "array"),
            seed=seed_attr,
            **({} if init_overlap is None else {"init_overlap": float(init_overlap)}),
            tempering=int(bool(tempering)),
            thin=thin,
            engine=engine,
        )
        if not isinstance(betas, np.ndarray) or betas.ndim == 0:
            settings.update(beta=float(ladder[0]), T=1.0 / ladder[0] if ladder[0] > 0 else math.inf)
        return _dataset.build(
            self,
            ladder,
            betas.ndim == 0,
            chains,
            sigma,
            out_G,
            out_O,
            out_E,
            out_Q,
            pair_a,
            pair_b,
            tries,
            accepts,
            burn_in,
            settings,
        )

    def _model_attrs(self) -> dict:
        out = dict(
            model=type(self).__name__,
            P=self.P,
            N=self.N,
            K=self.K,
            protocol=self.protocol,
            self_interaction=int(self.self_interaction),
            storage="sparse" if self.sparse else "dense",
            energy_mode="table" if self._terms.mode == _kernels.MODE_TABLE else "power",
        )
        if self.protocol == "teacher":
            out.update(M=self.M)
        elif self.protocol != "hebbian":
            out.update(
                M=self.M, r=self.r, rho=self.rho, R=self.R, r_estimated=int(self.r_estimated)
            )
        return out


def _at_overlap(sigma: np.ndarray, init, m0, rng) -> np.ndarray:
    """Flip ``round(N (1 - m0) / 2)`` random spins of every row (``init_overlap``)."""
    if not (isinstance(init, str) and init == "archetype") and not (
        isinstance(init, (int, np.integer)) and not isinstance(init, bool)
    ):
        raise ValueError(f"init_overlap needs init='archetype' or a pattern index; got {init!r}.")
    if isinstance(m0, bool) or not isinstance(m0, (int, float, np.floating)) or not -1 <= m0 <= 1:
        raise ValueError(f"init_overlap must be a number in [-1, 1]; got {m0!r}.")
    R, N = sigma.shape
    k = int(round(N * (1.0 - float(m0)) / 2.0))
    for row in range(R):
        sigma[row, rng.permutation(N)[:k]] *= -1
    return sigma


def _memory_protocol(protocol: str) -> str:
    """The teacher protocol stores every example, as the unsupervised one does."""
    return "unsupervised" if protocol == "teacher" else protocol
