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
    _levels,
    _memory,
    _progress,
    _requests,
    _validate,
    observables,
)
from montecarlo._rng import stream_states

_SPARSE_ABOVE = 0.4  # auto storage: sparse rows once more than 40 % of the weights are zero


class HebbianEngine:
    """Common constructor and sampler (``sample`` is the public method of both networks);
    see the public subclasses for the constructor parameters."""

    def __init__(
        self,
        *,
        P: int,
        patterns=None,
        examples=None,
        protocol: str = "hebbian",
        r: float | None = None,
        self_interaction: bool = False,
        sparse: bool | None = None,
    ) -> None:
        data = _requests.check_data(P, patterns, examples, protocol, r, self_interaction)
        self.P, self.protocol, self.self_interaction = data.P, data.protocol, data.self_interaction
        self.K, self.M, self.N = data.K, data.M, data.N
        self._xi = xi = data.xi
        self.r_estimated = self.protocol not in ("hebbian", "teacher") and r is None
        W, kappa, scale = self._weights(data, r)
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

    def _weights(self, data: _requests.Data, r) -> tuple[np.ndarray, float, float]:
        """The energy terms' weights ``W`` (L, N), the prefactor ``kappa`` and the overlap
        scale of the protocol; sets ``r``, ``rho``, ``R`` and the term groups."""
        xi, eta = data.xi, data.eta
        K, M, N = self.K, self.M, self.N
        if self.protocol in ("teacher", "hebbian"):
            self.r = self.rho = self.R = None
        else:
            self.r = self._quality(r, xi, eta)
            self.rho = (1.0 - self.r**2) / (M * self.r**2)
            self.R = self.r**2 * (1.0 + self.rho)
        if self.protocol != "hebbian":
            self._eta_first_class = eta[0]
        per_class = np.arange(K, dtype=np.int64)
        per_example = np.repeat(per_class, M or 1)
        if self.protocol == "teacher":  # every example a pattern (docs/teacher-student.md)
            self._group = per_example
            return eta.reshape(K * M, N), 1.0, 1.0
        if self.protocol == "hebbian":
            self._group = per_class
            return xi, 1.0, 1.0
        if self.protocol == "supervised":
            self._group = per_class
            return eta.sum(axis=1, dtype=np.int32), 1.0, M * math.sqrt(self.R)  # M * eta_hat
        self._group = per_example
        return eta.reshape(K * M, N), self.R ** (-self.P / 2) / M, 1.0

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
        record_q: bool = True,
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
            ``chains >= 2`` (and ``record_q``) the two-chain overlap ``q`` of every pair is
            recorded.
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
        record_q : bool
            Record the two-chain overlaps ``q`` (``chains * (chains - 1) / 2`` pairs, N
            products each per record, and their error analysis). ``False`` skips them (no
            ``q`` variables, attribute ``record_q = 0``; the other results are unchanged):
            with many chains and few patterns they are a large part of a run's cost.

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
        req = _requests.check_sample(
            self, beta=beta, T=T, sweeps=sweeps, burn_in=burn_in, chains=chains,
            dynamics=dynamics, seed=seed, order=order, tempering=tempering, thin=thin,
            progress=progress, engine=engine, record_q=record_q,
        )  # fmt: skip
        self._check_run_memory(req)
        chain_ss, swap_ss, init_ss = req.root.spawn(3)
        init_rng = np.random.default_rng(init_ss)
        sigma = self._initial_states(init, req.n_beta, req.chains, init_rng)
        if init_overlap is not None:
            sigma = _at_overlap(sigma, init, init_overlap, init_rng)
        t, st, ob = self._terms, self._storage, self._obs
        state = _chains.Chains(
            sigma,
            _energy.tracked_sums(st, sigma, t.n_sums).astype(_energy.sums_dtype(st, t), copy=False),
            _energy.tracked_sums(ob, sigma, 1).astype(
                _energy.observable_dtype(ob, self.N), copy=False
            ),
            stream_states(chain_ss, req.n_beta * req.chains),
            stream_states(swap_ss, 1)[0],
        )
        run = self._run_jax if req.engine == "jax" else self._run_numba
        records = run(req, state, chain_ss)
        settings = _requests.settings_attrs(req, init, init_overlap)
        return _dataset.build(self, req.ladder, req.scalar, state.sigma, records, settings)

    def _check_run_memory(self, req: _requests.Request) -> None:
        R = req.n_beta * req.chains
        L = self._storage.n_terms
        jax_extra = 0 if req.engine == "numba" else self.N * (L + self.K) + 24 * R * (L + self.K)
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
                    chains=req.chains,
                    n_beta=req.n_beta,
                    sweeps=req.sweeps,
                    thin=req.thin,
                )
            ),
            f"sample(N={self.N}, K={self.K}, chains={req.chains}, n_beta={req.n_beta}, "
            f"sweeps={req.sweeps}, thin={req.thin}; traces hold chains * n_beta * sweeps / "
            "thin * K values, thin= records fewer)",
        )

    def _trace_dtype(self) -> np.dtype:
        """The narrowest integer type holding |group sum| <= N * M (at least int16)."""
        width = max(2, _memory.trace_itemsize(self.N * (self.M or 1)))
        return np.dtype(f"int{8 * width}")

    def _pairs(self, req: _requests.Request) -> tuple[np.ndarray, np.ndarray]:
        if req.record_q:
            return observables.pair_indices(req.chains)
        return np.zeros(0, np.int64), np.zeros(0, np.int64)

    def _run_numba(self, req, state, chain_ss) -> _chains.Records:
        """Run the CPU driver (threads over chains when a sweep is big enough)."""
        R, n_rec = req.n_beta * req.chains, req.sweeps // req.thin
        tdtype = self._trace_dtype()
        pair_a, pair_b = self._pairs(req)
        n_swap = max(req.n_beta - 1, 1)
        records = _chains.Records(
            np.zeros((R, n_rec, self.K), tdtype),
            np.zeros((R, n_rec, self._obs.n_terms), tdtype),
            np.zeros((R, n_rec)),
            np.zeros((req.n_beta, pair_a.size, n_rec)),
            self._group,
            pair_a,
            pair_b,
            np.zeros(n_swap, np.int64),
            np.zeros(n_swap, np.int64),
        )
        work = R * self._storage.val.size  # weight entries one sweep of all replicas visits
        parallel = numba.get_num_threads() > 1 and R > 1 and work >= _chains.PARALLEL_MIN_WORK
        settings = _chains.RunSettings(
            np.repeat(req.ladder, req.chains), req.n_beta, req.chains, req.tempering,
            req.dynamics_code, req.order_code, req.burn_in, req.sweeps, req.thin,
            _chains.PAD_BYTES if parallel else 0,
            *_levels.acceptance_levels(self._terms, self._storage, req.ladder, req.dynamics_code),
        )  # fmt: skip
        run = _chains.run_parallel if parallel else _chains.run_serial
        args = (state, settings, self._terms, self._storage, self._obs, records)
        _progress.run_in_steps(run, args, req.burn_in + req.sweeps, req.progress)
        return records

    def _run_jax(self, req, state, chain_ss) -> _chains.Records:
        """Run the vectorised JAX engine (``engine="jax"``); the final states go to
        ``state.sigma``."""
        from montecarlo import _jax_engine

        pair_a, pair_b = self._pairs(req)
        sigma, G, O, E, Q = _jax_engine.run(
            self, state.sigma, state.S, state.O, np.repeat(req.ladder, req.chains),
            req.dynamics_code, req.order_code, chain_ss.generate_state(2, np.uint32),
            req.burn_in, req.sweeps, req.thin, (req.n_beta, req.chains, pair_a, pair_b),
            req.progress,
        )  # fmt: skip
        state.sigma[...] = sigma
        tdtype = self._trace_dtype()
        n_swap = max(req.n_beta - 1, 1)
        swaps = np.zeros(n_swap, np.int64)
        return _chains.Records(G.astype(tdtype), O.astype(tdtype), E, Q, self._group, pair_a,
                               pair_b, swaps, swaps.copy())  # fmt: skip

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
