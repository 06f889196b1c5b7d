"""Parallel tempering (replica exchange) between the rungs of a temperature ladder.

Used by ``sample(beta=[...], tempering=True)``: after every sweep, states of neighbouring
rungs of the same chain index are exchanged with the Metropolis probability
``min(1, exp((beta_b - beta_{b+1}) (E_b - E_{b+1})))``, which leaves the product of the Gibbs
measures at all rungs invariant. The even-odd (deterministic) scheme alternates the pairs
(0,1), (2,3), .. and (1,2), (3,4), ..; exchanges draw from their own random stream.
"""

from __future__ import annotations

import numpy as np

from montecarlo import _rng
from montecarlo._cache import keyed_njit, source_digest
from montecarlo._rng import uniform


@keyed_njit(source_digest(_rng))  # compiled with _rng.uniform: cache keyed by its source
def exchange(t, sigma, S, O, E, betas, n_beta, n_chain, swap_rng, tries, accepts):
    """Replica exchange between rungs b and b + 1 of every chain, even-odd scheme: pairs
    (0,1), (2,3).. after even sweeps t, (1,2), (3,4).. after odd ones; acceptance
    min(1, exp((beta_b - beta_{b+1}) (E_b - E_{b+1})))."""
    N = sigma.shape[1]
    for ch in range(n_chain):
        for b in range(t % 2, n_beta - 1, 2):
            r1 = b * n_chain + ch
            r2 = r1 + n_chain
            arg = (betas[r1] - betas[r2]) * (E[r1] - E[r2])
            tries[b] += 1
            if arg >= 0.0 or uniform(swap_rng) < np.exp(arg):
                accepts[b] += 1
                for i in range(N):
                    tmp = sigma[r1, i]
                    sigma[r1, i] = sigma[r2, i]
                    sigma[r2, i] = tmp
                for l in range(S.shape[1]):
                    for j in range(S.shape[2]):
                        tmp2 = S[r1, l, j]
                        S[r1, l, j] = S[r2, l, j]
                        S[r2, l, j] = tmp2
                for l in range(O.shape[1]):
                    tmp3 = O[r1, l, 0]
                    O[r1, l, 0] = O[r2, l, 0]
                    O[r2, l, 0] = tmp3
                tmpe = E[r1]
                E[r1] = E[r2]
                E[r2] = tmpe
