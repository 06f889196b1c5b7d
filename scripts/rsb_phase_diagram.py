"""Dense network (P = 4, hebbian) beyond replica symmetry: retrieval spinodals RS vs 1RSB in
(alpha, T), the AT line of the RS retrieval state and the T = 0 ground-state loads; and the
T = 0 energies of retrieval and spin-glass states, RS vs 1RSB.

Writes docs/figures/rsb_phase_diagram.png, docs/figures/rsb_ground_state.png and
data/rsb_phase_diagram.json. Takes a few minutes on 2 cores.

    python scripts/rsb_phase_diagram.py
"""

from __future__ import annotations

import json
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import theory  # noqa: E402
from theory import rsb  # noqa: E402
from theory.rsb import at, ground_state  # noqa: E402

P = 4
ROOT = pathlib.Path(__file__).resolve().parents[1]


def main() -> None:
    Ts_rs = np.array([0.0, 0.1, 0.2, 0.3, 0.4])
    Ts_1rsb = np.array([0.0, 0.1, 0.2])
    a_rs = [theory.critical_load(P, protocol="hebbian", T=T, level="RS") for T in Ts_rs]
    a_1rsb = [rsb.critical_load_1rsb(P, T=T, rtol=1e-3) for T in Ts_1rsb]
    alphas = np.linspace(0.012, 0.032, 9)
    T_at = at.at_line(P, alphas, branch="retrieval", T_range=(0.002, 1.0))
    gs_rs = ground_state.retrieval_ground_state_load(P, level="RS", rtol=1e-3)
    gs_1rsb = ground_state.retrieval_ground_state_load(P, level="1RSB", rtol=1e-3)
    a_e = np.linspace(0.004, 0.036, 9)
    E = ground_state.ground_state_energies(P, a_e)

    data = dict(
        P=P,
        T_rs=Ts_rs.tolist(),
        alpha_c_rs=a_rs,
        T_1rsb=Ts_1rsb.tolist(),
        alpha_c_1rsb=a_1rsb,
        alpha_at=alphas.tolist(),
        T_at=T_at.tolist(),
        alpha_gs_rs=gs_rs,
        alpha_gs_1rsb=gs_1rsb,
        alpha_energy=a_e.tolist(),
        **{k: E[k].values.tolist() for k in E.data_vars},
    )
    (ROOT / "data").mkdir(exist_ok=True)
    (ROOT / "data" / "rsb_phase_diagram.json").write_text(json.dumps(data, indent=1))

    fig, ax = plt.subplots(figsize=(5.2, 4))
    ax.plot(a_rs, Ts_rs, "o-", label="retrieval spinodal, RS")
    ax.plot(a_1rsb, Ts_1rsb, "s--", label="retrieval spinodal, 1RSB")
    ax.plot(alphas, T_at, "k:", label="AT line of RS retrieval")
    ax.plot([gs_rs], [0], "v", ms=9, label="retrieval = ground state up to (RS)")
    ax.plot([gs_1rsb], [0], "^", ms=9, label="retrieval = ground state up to (1RSB)")
    ax.set(xlabel=r"load $\alpha$ ($K=\alpha N^{3}$)", ylabel="T", title="P = 4, hebbian")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(ROOT / "docs" / "figures" / "rsb_phase_diagram.png", dpi=130)

    fig, ax = plt.subplots(figsize=(5.2, 4))
    for key, style in (
        ("retrieval_RS", "o-"),
        ("retrieval_1RSB", "s--"),
        ("spinglass_RS", "o-"),
        ("spinglass_1RSB", "s--"),
    ):
        ax.plot(a_e, E[f"E_{key}"], style, label=key.replace("_", ", "))
    ax.set(xlabel=r"load $\alpha$", ylabel="energy per neuron at T = 0", title="P = 4")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(ROOT / "docs" / "figures" / "rsb_ground_state.png", dpi=130)
    print(
        json.dumps(
            {k: data[k] for k in ("alpha_c_rs", "alpha_c_1rsb", "alpha_gs_rs", "alpha_gs_1rsb")},
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
