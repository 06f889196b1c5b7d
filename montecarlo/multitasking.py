"""Multitasking Hebbian network: P = 2 on diluted (ternary) patterns, sparse per-spin storage."""

from __future__ import annotations

from montecarlo._network import HebbianEngine

__all__ = ["MultitaskingNetwork"]


class MultitaskingNetwork(HebbianEngine):
    """Monte Carlo sampler of the multitasking network (docs/models.md §2 and §6).

    A pairwise (P = 2) Hebbian network on diluted patterns xi in {-1, 0, +1} (each entry 0
    with probability d). Weights are stored per spin as sparse rows, so a flip costs
    O(K (1 - d)) (O(K M (1 - d)) unsupervised). Costs as in
    :class:`montecarlo.DenseHebbianNetwork` with ``P = 2``: hebbian
    ``H = -(N/2) sum_mu m_mu**2``, supervised on the class means, unsupervised on the
    examples. At low load and T -> 0 the overlaps form the hierarchical cascade
    ``m_k = (1 - d) d**(k-1)`` (for d below the critical dilution).

    Parameters
    ----------
    patterns : array_like of int, shape (K, N), optional
        Diluted archetypes (see ``montecarlo.archetypes(K, N, d=...)``); required for
        ``hebbian``, optional for the example protocols (then only ``n`` is measured).
    examples : array_like of int, shape (K, M, N), optional
        Examples (zeros of the archetypes stay zero); required for the example protocols.
    protocol : {"hebbian", "supervised", "unsupervised"}
    r : float, optional
        Example quality in (0, 1]; estimated from the data when omitted (needs patterns).
    self_interaction : bool
        Keep the diagonal (plain overlap form) instead of distinct indices (default False).

    ``sample`` takes the parameters of :meth:`montecarlo.DenseHebbianNetwork.sample` and
    returns the same result; with ``init="archetype"`` the diluted zeros of ``xi^1`` are
    filled with random signs.

    Examples
    --------
    >>> import montecarlo
    >>> xi = montecarlo.archetypes(K=2, N=2000, d=0.3, seed=0)
    >>> net = montecarlo.MultitaskingNetwork(patterns=xi)
    >>> res = net.sample(beta=50.0, sweeps=20, burn_in=20, seed=1)
    >>> [round(abs(float(v)), 1) for v in res.m.sel(chain=0)]
    [0.7, 0.2]
    """

    def __init__(
        self,
        *,
        patterns=None,
        examples=None,
        protocol: str = "hebbian",
        r: float | None = None,
        self_interaction: bool = False,
    ) -> None:
        super().__init__(
            P=2,
            patterns=patterns,
            examples=examples,
            protocol=protocol,
            r=r,
            self_interaction=self_interaction,
            sparse=True,
        )
