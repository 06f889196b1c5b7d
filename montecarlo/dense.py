"""Dense (P-body) Hebbian network: hebbian storage, supervised and unsupervised learning."""

from __future__ import annotations

import xarray as xr

from montecarlo._network import HebbianEngine

__all__ = ["DenseHebbianNetwork"]


class DenseHebbianNetwork(HebbianEngine):
    """Monte Carlo sampler of a dense Hebbian network (theory/MODELS.md §2).

    The energy is a function of integer overlaps only: a spin flip costs O(K) (O(K M) for
    the unsupervised protocol), with no coupling matrix or P-index tensor.

    ============  ==========================================================
    protocol      cost function (Gibbs weight exp(-beta H))
    ============  ==========================================================
    hebbian       H = -(N/2) sum_mu m_mu**P,        m_mu = xi^mu . sigma / N
    supervised    H = -(N/2) sum_mu nt_mu**P,       nt_mu = eta_hat^mu . sigma / (N sqrt(R))
    unsupervised  H = -(N/2) R**(-P/2) sum_mu (1/M) sum_a n_mu_a**P,  n = eta . sigma / N
    ============  ==========================================================

    with ``R = r**2 (1 + rho)`` and ``rho = (1 - r**2) / (M r**2)``.

    Parameters
    ----------
    P : int
        Even interaction order >= 2 (P = 2: the Hopfield model, T_c = 1 at low load).
    patterns : array_like of int, shape (K, N), optional
        Archetypes in {-1, +1} (0 where diluted). Required for ``hebbian``; optional for the
        example protocols, where they only give the Mattis overlaps ``m``.
    examples : array_like of int, shape (K, M, N), optional
        Examples in {-1, 0, +1}; required for ``supervised`` and ``unsupervised``.
    protocol : {"hebbian", "supervised", "unsupervised"}
    r : float, optional
        Example quality in (0, 1]; sets ``R`` and ``rho``. If omitted for an example protocol,
        it is estimated from the data as the mean of ``eta * xi`` (needs ``patterns``), and
        ``r_estimated=1`` is recorded.
    self_interaction : bool
        False (default): distinct-index energies (products over pairwise distinct sites, as
        the theory assumes), computed exactly from power sums via Newton's identities. True:
        the plain overlap form above, self-interaction terms included.
    sparse : bool, optional
        Per-spin storage of the weights: sparse rows (only non-zero weights, flip cost
        proportional to them) or dense rows. Default: sparse when more than 40 % are zero.

    Examples
    --------
    >>> import montecarlo
    >>> xi = montecarlo.archetypes(K=3, N=400, seed=0)
    >>> net = montecarlo.DenseHebbianNetwork(P=4, patterns=xi)
    >>> res = net.sample(beta=5.0, sweeps=20, seed=1)
    >>> bool(res.m.sel(chain=0, pattern=0) > 0.95)
    True
    """

    def __init__(
        self,
        P: int = 2,
        *,
        patterns=None,
        examples=None,
        protocol: str = "hebbian",
        r: float | None = None,
        self_interaction: bool = False,
        sparse: bool | None = None,
    ) -> None:
        super().__init__(P, patterns, examples, protocol, r, self_interaction, sparse)

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
        order: str = "random",
        tempering: bool = False,
        thin: int = 1,
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
        return super().sample(
            beta=beta,
            T=T,
            sweeps=sweeps,
            burn_in=burn_in,
            chains=chains,
            init=init,
            dynamics=dynamics,
            seed=seed,
            order=order,
            tempering=tempering,
            thin=thin,
        )
