"""Dense (P-body) Hebbian network: hebbian storage, supervised and unsupervised learning."""

from __future__ import annotations

from montecarlo._network import HebbianEngine

__all__ = ["DenseHebbianNetwork"]


class DenseHebbianNetwork(HebbianEngine):
    """Monte Carlo sampler of a dense Hebbian network (docs/models.md §2).

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
        super().__init__(
            P=P,
            patterns=patterns,
            examples=examples,
            protocol=protocol,
            r=r,
            self_interaction=self_interaction,
            sparse=sparse,
        )
