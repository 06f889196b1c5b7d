"""Checks of what a user asks the Monte Carlo networks for: the data a network is built from
(:func:`check_data`) and the settings of one ``sample`` call (:func:`check_sample`). Each
returns a named tuple of validated values, or raises with a message that says what to give
instead; ``montecarlo._network`` only dispatches."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from montecarlo import _kernels, _progress, _validate

_DYNAMICS_CODE = {
    "glauber": _kernels.GLAUBER,
    "metropolis": _kernels.METROPOLIS,
    "zero_temperature": _kernels.ZERO_TEMPERATURE,
}
_ORDER_CODE = {"random": _kernels.ORDER_RANDOM, "sequential": _kernels.ORDER_SEQUENTIAL}


class Data(NamedTuple):
    """Validated constructor inputs of a network."""

    P: int
    protocol: str
    self_interaction: bool
    xi: np.ndarray | None  # patterns (K, N)
    eta: np.ndarray | None  # examples (K, M, N)
    K: int
    M: int | None
    N: int


class Request(NamedTuple):
    """Validated settings of one ``sample`` call."""

    betas: np.ndarray  # as given (0-d: a single temperature)
    ladder: np.ndarray  # float64 (n_beta,)
    sweeps: int
    burn_in: int
    chains: int
    thin: int
    dynamics: str  # the dynamics run ("zero_temperature" on a T = 0 ladder)
    order: str
    tempering: bool
    progress: bool
    engine: str
    record_q: bool
    root: np.random.SeedSequence

    @property
    def n_beta(self) -> int:
        return self.ladder.size

    @property
    def scalar(self) -> bool:
        """A single temperature: no ``beta`` dimension in the result."""
        return self.betas.ndim == 0

    @property
    def dynamics_code(self) -> int:
        return _DYNAMICS_CODE[self.dynamics]

    @property
    def order_code(self) -> int:
        return _ORDER_CODE[self.order]


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}.")
    return bool(value)


def check_data(P, patterns, examples, protocol, r, self_interaction) -> Data:
    """Validate the constructor inputs (shapes, protocol, which inputs a protocol uses)."""
    P = _validate.interaction_order(P)
    protocol = _validate.choice("protocol", protocol, _validate.PROTOCOLS)
    self_interaction = _flag("self_interaction", self_interaction)
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
    if protocol == "hebbian":
        _check_hebbian(xi, eta, r)
        (K, N), M = xi.shape, None
    else:
        if eta is None:
            raise ValueError(f"protocol={protocol!r} needs examples, shape (K, M, N).")
        K, M, N = eta.shape
        if xi is not None and xi.shape != (K, N):
            raise ValueError(
                f"patterns (K, N) and examples (K, M, N) disagree; got shapes "
                f"{xi.shape} and {eta.shape}."
            )
    if N < P:
        raise ValueError(f"N must be >= P; got N={N}, P={P}.")
    if protocol == "teacher" and r is not None:
        raise ValueError(
            f"r is not used by protocol='teacher' (the examples are teacher samples, "
            f"montecarlo.teacher_examples); got r={r!r}."
        )
    return Data(P, protocol, self_interaction, xi, eta, K, M, N)


def _check_hebbian(xi, eta, r) -> None:
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


def check_sample(net, *, beta, T, sweeps, burn_in, chains, dynamics, seed, order, tempering,
                 thin, progress, engine, record_q) -> Request:  # fmt: skip
    """Validate the settings of ``net.sample`` (see its docstring) in the order of its
    parameters' importance; ``init`` and ``init_overlap`` are checked where the initial
    states are built."""
    dynamics = _validate.choice("dynamics", dynamics, _validate.DYNAMICS)
    order = _validate.choice("order", order, _validate.ORDERS)
    sweeps = _validate.integer("sweeps", sweeps, low=1)
    burn_in = _validate.integer("burn_in", burn_in, low=0)
    chains = _validate.integer("chains", chains, low=1)
    thin = _validate.integer("thin", thin, low=1)
    progress = _progress.check_flag(progress)
    engine = _validate.choice("engine", engine, _validate.ENGINES)
    if sweeps % thin:
        raise ValueError(f"sweeps must be a multiple of thin; got sweeps={sweeps}, thin={thin}.")
    tempering = _flag("tempering", tempering)
    record_q = _flag("record_q", record_q)
    if dynamics == "zero_temperature" and beta is None and T is None:
        betas = np.asarray(np.inf)
    else:
        betas = _validate.temperature(beta, T)
    ladder = np.atleast_1d(betas).astype(np.float64)
    used = _check_ladder(betas, ladder, dynamics, tempering)
    if engine == "jax":
        _check_jax(net, tempering)
    root = _validate.seed(seed)
    return Request(np.asarray(betas), ladder, sweeps, burn_in, chains, thin, used, order,
                   tempering, progress, engine, record_q, root)  # fmt: skip


def _check_ladder(betas, ladder, dynamics, tempering) -> str:
    """The ladder against the dynamics and tempering; returns the dynamics that runs."""
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
    if tempering and ladder.size < 2:
        raise ValueError(
            "tempering=True needs a ladder of at least 2 temperatures; got "
            f"beta={betas.tolist()!r}."
        )
    return "zero_temperature" if zero_t.all() else dynamics


def _check_jax(net, tempering) -> None:
    if tempering:
        raise ValueError("tempering=True is available with engine='numba' only.")
    if net._terms.mode != _kernels.MODE_TABLE:
        raise ValueError(
            "engine='jax' covers every P = 2 model, +-1 weights at any P and the plain "
            "energy form (self_interaction=True); real-valued weights at P >= 4 "
            f"(here P={net.P}, protocol={net.protocol!r}) need engine='numba'."
        )


def settings_attrs(req: Request, init, init_overlap) -> dict:
    """The run settings recorded as Dataset attributes (in this order)."""
    ent = req.root.entropy  # an int, or a sequence of ints (SeedSequence([...]))
    seed_attr = ent if isinstance(ent, int) and ent < 2**63 else str(ent)
    if isinstance(init, str):
        init_attr = init
    else:
        init_attr = int(init) if isinstance(init, (int, np.integer)) else "array"
    settings = dict(
        sweeps=req.sweeps,
        burn_in=req.burn_in,
        chains=req.chains,
        dynamics=req.dynamics,
        order=req.order,
        init=init_attr,
        seed=seed_attr,
        **({} if init_overlap is None else {"init_overlap": float(init_overlap)}),
        tempering=int(req.tempering),
        thin=req.thin,
        engine=req.engine,
    )
    if not req.record_q:
        settings.update(record_q=0)
    if req.scalar:
        beta = req.ladder[0]
        settings.update(beta=float(beta), T=1.0 / beta if beta > 0 else math.inf)
    return settings
