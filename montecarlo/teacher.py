"""Teacher-student data: examples drawn as Gibbs samples of a *teacher* dense network
(docs/teacher-student.md).

The teacher of class mu is the dense network of order ``P_star`` that stores its archetype
``xi^mu`` alone, ``H*(eta) = -(N/2) (xi^mu . eta / N)**P_star`` (the package's normalisation,
distinct indices by default), at temperature ``T_star``. Each example is the final state of
its own chain of that network, run by this package's engine; the student
(``DenseHebbianNetwork(P, examples=..., protocol="teacher")``) stores every example as a
pattern. This is the setting of Theriault & Tantari, SciPost Phys. 17, 040 (2024), whose
units are T' = 2 T and alpha' = P! alpha (docs/models.md §2).
"""

from __future__ import annotations

import math

import numpy as np

from montecarlo import _progress, _validate
from montecarlo.dense import DenseHebbianNetwork

__all__ = ["teacher_examples", "teacher_is_ferromagnetic"]


def teacher_is_ferromagnetic(P_star: int, T_star: float) -> bool:
    """True where the single-pattern teacher's retrieval state is its thermodynamic state.

    Low storage (one pattern, N -> inf): the largest solution of m = tanh(beta P m^(P-1)/2)
    (iterated down from m = 1) with free energy (P-1) m^P/2 - T ln 2cosh(beta P m^(P-1)/2)
    below the paramagnet's -T ln 2 (docs/models.md §3). T = 0 is ferromagnetic.
    """
    P_star = _validate.interaction_order(P_star)
    if not (T_star >= 0.0 and math.isfinite(T_star)):
        raise ValueError(f"T_star must be a finite number >= 0; got T_star={T_star!r}.")
    if T_star == 0.0:
        return True
    beta = 1.0 / T_star
    m = 1.0
    for _ in range(100_000):
        new = math.tanh(beta * P_star * m ** (P_star - 1) / 2.0)
        if abs(new - m) < 1e-13:
            break
        m = new
    if m < 1e-6:
        return False
    x = beta * P_star * m ** (P_star - 1) / 2.0
    f_ret = (P_star - 1) * m**P_star / 2.0 - T_star * (abs(x) + math.log1p(math.exp(-2 * abs(x))))
    return f_ret < -T_star * math.log(2.0)


def teacher_examples(
    patterns,
    M: int,
    *,
    P_star: int,
    T_star: float,
    seed,
    sweeps: int = 100,
    init: str = "auto",
    self_interaction: bool = False,
    progress: bool = False,
) -> np.ndarray:
    """M examples per archetype, Gibbs samples of the single-pattern teacher network.

    Parameters
    ----------
    patterns : array_like of +-1, shape (K, N)
        The teacher archetypes xi* (one teacher network per row).
    M : int
        Examples per archetype (independent chains), >= 1.
    P_star : int
        Interaction order of the teacher, >= 2.
    T_star : float
        Teacher temperature in the package's units (T' = 2 T_star in the peer paper's).
        0 gives the teacher's ground state.
    seed : int or numpy.random.SeedSequence
        Root seed; class mu uses child mu, example a of it its own stream.
    sweeps : int
        Glauber sweeps per chain (the example is the state after the last one).
    init : {"auto", "archetype", "random"}
        Start of every chain: "auto" starts at xi^mu where the teacher is ferromagnetic
        (:func:`teacher_is_ferromagnetic`) and at random otherwise.
    self_interaction : bool
        Plain overlap form of the teacher energy instead of distinct indices.
    progress : bool
        Progress bar per class.

    Returns
    -------
    ndarray of int8, shape (K, M, N)
        Examples eta^{mu a}, reproducible from ``seed`` (independent of threads).

    Examples
    --------
    >>> import montecarlo
    >>> xi = montecarlo.archetypes(1, 200, seed=0)
    >>> eta = montecarlo.teacher_examples(xi, 50, P_star=3, T_star=0.5, seed=1, sweeps=20)
    >>> eta.shape, bool((eta[0].astype(int) @ xi[0] / 200).mean() > 0.9)
    ((1, 50, 200), True)
    """
    xi = _validate.spin_array("patterns", patterns, ndim=2, allow_zero=False)
    K, N = xi.shape
    M = _validate.integer("M", M, low=1)
    P_star = _validate.interaction_order(P_star)
    sweeps = _validate.integer("sweeps", sweeps, low=1)
    beta = float(_validate.temperature(None, T_star))
    _validate.choice("init", init, ("auto", "archetype", "random"))
    progress = _progress.check_flag(progress)
    if init == "auto":
        init = "archetype" if teacher_is_ferromagnetic(P_star, 1.0 / beta) else "random"
    children = _validate.seed(seed).spawn(K)
    out = np.empty((K, M, N), dtype=np.int8)
    for mu in range(K):
        teacher = DenseHebbianNetwork(
            P_star, patterns=xi[mu : mu + 1], self_interaction=self_interaction
        )
        # M chains as a ladder of M equal temperatures with one chain each: independent
        # streams and no chain-pair overlaps
        res = teacher.sample(
            beta=np.full(M, beta), sweeps=1, burn_in=sweeps - 1, chains=1, init=init,
            seed=children[mu], progress=progress,
        )  # fmt: skip
        out[mu] = res.sigma.values.reshape(M, N)
    return out
