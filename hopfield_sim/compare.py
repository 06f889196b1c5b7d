"""Theory versus simulation in units of the simulation error bar, aware of finite size.

The theory describes N -> infinity; a simulation has N neurons. Two finite-size effects
are known and are not disagreements:

1. **Zero overlap.** Where the theory has ``m = 0`` (paramagnet, spin glass) the overlap of
   a finite system with a pattern is a sum of N weakly dependent terms of size 1/N, so its
   magnitude is ``sqrt(chi / N)`` (chi: the pattern susceptibility, O(1) away from
   transitions, larger near them). Its mean is biased upwards, not noise around 0: a value
   more than 2 error bars from 0 but inside the band ``band / sqrt(N)`` is reported as
   ``"finite-size effect"``.
2. **Transition nearby.** A finite system rounds and shifts a transition by a relative
   amount of order ``N^(-1/2)``. Where a neighbouring grid point within the relative
   distance ``window / sqrt(N)`` has the theory on the other side of the transition
   (one side m = 0, the other not) and the simulation lies between the two theory values,
   the difference is reported as ``"finite-size effect"``.
3. **O(1/N) bias.** Away from transitions, the disorder average of an order parameter of a
   finite mean-field system differs from its N -> infinity value by O(1/N). A difference
   within ``threshold`` error bars once a systematic ``bias / N`` is added to the error bar
   in quadrature is reported as ``"finite-size effect"`` (``bias = 5``: 0.0025 at N = 2000,
   so it cannot hide a real difference at sizes where the theory is compared).

One rule gives every verdict: ``|theory - simulation| <= limit``. "agrees": ``limit =
threshold`` error bars (``ZERO_Z`` where the theory is 0 and sizes are known, since there the
mean is biased, not noise around 0); "finite-size effect": the limit of the first rule above
that applies and holds (its systematic allowance plus ``threshold`` error bars); anything
else "disagrees". :func:`compare` returns the ``limit`` of every point, and
:func:`comparison_table` prints it in a column, so a note never contradicts a row.

4. **Remanent overlap** (not a finite-size effect, and independent of N). A run started at
   the pattern (``init = "archetype"``) above the capacity (theory m = 0 here, m > 0 at a
   smaller load with everything else equal) keeps an overlap m ~ 0.1-0.3 for the whole run:
   the dynamics do not reach the equilibrium m = 0 of the theory. Unless a transition is
   within one grid step (rule 2), such points "disagree" whatever N, with the reason
   :data:`REMANENT`, which suggests ``init = "random"``.

Points with ``reliable_mc = False`` keep their verdict and are marked (``reliable``; ``*``
in the table).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import xarray as xr

#: default agreement threshold, in error bars (|z| <= 4: about 1 in 16 000 for a normal law)
THRESHOLD = 4.0
#: default error floor: an error bar of 0 (every chain frozen in the same state, e.g. at
#: T = 0) does not mean infinite precision
FLOOR = 1e-4
#: |m| of a finite system where the theory has m = 0: up to BAND / sqrt(N)
BAND = 5.0
#: relative distance, times sqrt(N), within which a transition counts as nearby
WINDOW = 3.0
#: systematic O(1/N) bias of a finite-N average: BIAS / N
BIAS = 5.0
#: theory values below this count as m = 0
ZERO = 1e-3
#: where the theory is 0, |z| above this is the (biased) finite-size overlap, not noise
ZERO_Z = 2.0
#: reasons, as printed under the comparison table (the numbers are per row, in ``limit``)
ZERO_REASON = "theory m = 0; finite N keeps |m| ~ N^-1/2: limit = band/sqrt(N) + threshold err"
NEAR_REASON = (
    "transition within one grid step; finite N rounds it: "
    "limit = theory jump + threshold err + bias/N"
)
BIAS_REASON = "O(1/N) bias of a finite-N average: limit = threshold sqrt(err^2 + (bias/N)^2)"
REMANENT = (
    "remanent overlap: started at the pattern above capacity, the run keeps an overlap with "
    "it (m ~ 0.1-0.3 at low T), not the equilibrium m = 0 of the theory; "
    "rerun with init = \"random\""
)
#: verdict codes (CF flag_values / flag_meanings)
VERDICTS = ("not compared", "agrees", "finite-size effect", "disagrees")


def compare(
    ds: xr.Dataset,
    variable: str = "m",
    *,
    threshold: float = THRESHOLD,
    floor: float = FLOOR,
    finite_size: bool = True,
    band: float = BAND,
    window: float = WINDOW,
) -> xr.Dataset:
    """Distance between theory and Monte Carlo, point by point, with a verdict.

    Parameters
    ----------
    ds : xarray.Dataset
        A sweep result holding ``{variable}_theory``, ``{variable}_mc`` and
        ``{variable}_mc_err`` (and ``N_mc``, the simulated size, for the finite-size rules).
    variable : str
        Order parameter to compare (``"m"``, ``"n"``, ``"q"``).
    threshold : float
        ``|z| <= threshold`` agrees.
    floor : float
        Error bars are combined with this floor, ``sqrt(err**2 + floor**2)``, so that a
        vanishing Monte Carlo error (frozen chains) does not turn a 1e-6 difference into
        infinitely many error bars. ``0`` compares with the raw error bars.
    finite_size : bool
        Apply the finite-size rules of the module docstring (needs ``N_mc`` or an ``N``
        coordinate). ``False``: the verdict is ``agrees``/``disagrees`` by ``threshold``.
    band : float
        Where the theory is 0, a simulated ``|value|`` up to ``band / sqrt(N)`` (plus
        ``threshold`` error bars) is a finite-size effect.
    window : float
        A transition between this grid point and a neighbour within the relative distance
        ``window / sqrt(N)`` is nearby.

    Returns
    -------
    xarray.Dataset
        On the sweep's grid: ``difference`` = theory - simulation, ``z`` = difference /
        error, ``verdict`` (int8 codes of :data:`VERDICTS`, with ``flag_values`` and
        ``flag_meanings``), ``reason`` (str: why a finite-size effect, or the remanent
        overlap), ``agree`` (bool: verdict is "agrees"), ``valid`` (both sides available
        and the theory converged), ``band`` (the finite-size |value| bound, NaN where not
        applicable), ``limit`` (the
        largest |difference| the verdict's rule accepts; for "disagrees" the largest of the
        rules that applied), ``reliable`` (``reliable_mc``, True where absent). Attributes
        ``worst_z`` (largest |z| of the valid points) and ``disagree`` (number of points
        that disagree).
    """
    names = [f"{variable}_theory", f"{variable}_mc", f"{variable}_mc_err"]
    missing = [n for n in names if n not in ds]
    if missing:
        raise KeyError(
            f"compare needs {', '.join(names)}; the Dataset lacks {', '.join(missing)} "
            "(run the sweep with both [theory] and [montecarlo])."
        )
    for key, value in (("threshold", threshold), ("band", band), ("window", window)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ValueError(f"{key} must be a number > 0; got {value!r}.")
    if isinstance(floor, bool) or not isinstance(floor, (int, float)) or not floor >= 0:
        raise ValueError(f"floor must be >= 0; got {floor!r}.")
    import xarray as xr

    theory, mc, err = (ds[n] for n in names)
    err = np.sqrt(err**2 + floor**2)
    valid = np.isfinite(theory) & np.isfinite(mc) & np.isfinite(err)
    if "converged_theory" in ds:
        valid = valid & ds["converged_theory"].astype(bool)
    diff = (theory - mc).where(valid)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = xr.where(err > 0, diff / err, np.where(diff == 0, 0.0, np.inf)).where(valid)
    z, diff = z.transpose(*theory.dims), diff.transpose(*theory.dims)
    th, sim, e = (
        np.broadcast_to(np.asarray(a.transpose(*theory.dims)), theory.shape)
        for a in (theory, mc, err)
    )
    zv, ok = np.asarray(z), np.broadcast_to(np.asarray(valid.transpose(*theory.dims)), theory.shape)
    N = _sizes(ds, theory) if finite_size else None
    absd = np.abs(th - sim)
    # one rule: |difference| <= limit. "agrees": limit = threshold error bars; "finite-size
    # effect": limit = that plus the rule's systematic allowance; the table prints the limit
    zero = np.abs(th) <= ZERO
    # where the theory is 0 a finite system's |m| is biased upwards, not noise around 0: a
    # difference beyond ZERO_Z error bars is the finite-size overlap (or remanent), not agreement
    limit = np.where(zero & (N is not None), min(ZERO_Z, threshold), threshold) * e
    verdict = np.where(ok, np.where(absd <= limit, 1, 3), 0).astype(np.int8)
    reason = np.full(theory.shape, "", dtype=object)
    bound = np.full(theory.shape, np.nan)
    remanent = ok & (verdict == 3) & zero & _remanent(ds, theory, th)
    if N is not None:
        bound = np.where(zero, band / np.sqrt(N), np.nan)
        open_ = ok & (verdict == 3)
        rules = (  # a remanent overlap is not the finite-N overlap of an m = 0 state
            (zero & ~remanent, bound + threshold * e, ZERO_REASON),
            (*_transition_nearby(ds, theory, th, sim, e, N, window, threshold), NEAR_REASON),
            (~zero, threshold * np.sqrt(e**2 + (BIAS / N) ** 2), BIAS_REASON),
        )
        for applies, allowed, text in rules:
            allowed = np.where(applies, allowed, -np.inf)
            hit = open_ & applies & (absd <= allowed)
            verdict[hit], reason[hit] = 2, text
            raised = np.where(open_ & applies, np.maximum(limit, allowed), limit)
            limit = np.where(hit, allowed, raised)
            open_ &= ~hit
    remanent &= verdict == 3
    reason[remanent] = REMANENT
    dims = theory.dims
    out = xr.Dataset(
        {
            "difference": diff.assign_attrs(long_name=f"{variable} theory - simulation", units="1"),
            "z": z.assign_attrs(long_name=f"({variable} theory - simulation) / error", units="1"),
            "verdict": (dims, verdict, {
                "long_name": "theory vs simulation verdict",
                "flag_values": np.arange(len(VERDICTS), dtype=np.int8),
                "flag_meanings": " ".join(v.replace(" ", "_") for v in VERDICTS),
            }),
            "reason": (dims, reason, {"long_name": "why a finite-size effect"}),
            "band": (dims, bound, {"long_name": "finite-size bound of |value|", "units": "1"}),
            "limit": (dims, np.where(ok, limit, np.nan), {
                "long_name": "largest |difference| of the verdict's rule", "units": "1"}),
            "reliable": (dims, _reliable(ds, theory)),
            "agree": (dims, verdict == 1),
            "valid": (dims, np.array(ok, dtype=bool)),
        },
        coords=theory.coords,
    )  # fmt: skip
    finite = np.abs(zv[ok])
    bad = np.abs(zv[verdict == 3])
    out.attrs.update(
        variable=variable,
        threshold=float(threshold),
        floor=float(floor),
        worst_z=float(finite.max()) if finite.size else float("nan"),
        disagree=int(bad.size),
        finite_size=int(N is not None),
    )
    return out


def _sizes(ds: xr.Dataset, like: xr.DataArray) -> np.ndarray | None:
    """The simulated N at every point (from ``N_mc`` or an ``N`` coordinate), or None."""
    for name in ("N_mc", "N"):
        if name in ds.variables:
            arr = ds[name]
            if set(arr.dims) <= set(like.dims):
                n = np.broadcast_to(
                    np.asarray(arr.broadcast_like(like).transpose(*like.dims)), like.shape
                )
                if np.all(np.isfinite(n) & (n > 0)):
                    return n.astype(float)
    return None


def _transition_nearby(ds, theory, th, sim, e, N, window, threshold):
    """``(near, allowed)``: points whose grid neighbour (within ``window / sqrt(N)``
    relative distance) has the theory on the other side of m = 0, with the simulation
    between the two theory values (within ``threshold`` errors + ``BIAS / N``); ``allowed``
    = the theory jump + that slack."""
    near = np.zeros(theory.shape, bool)
    allowed = np.full(theory.shape, -np.inf)
    for axis, dim in enumerate(theory.dims):
        if dim not in ds.coords or ds.coords[dim].ndim != 1 or theory.shape[axis] < 2:
            continue
        x = np.asarray(ds.coords[dim].values, dtype=float)
        if not np.all(np.isfinite(x)):
            continue
        for step in (-1, 1):
            idx = np.arange(theory.shape[axis]) + step
            has = (idx >= 0) & (idx < len(x))
            j = np.clip(idx, 0, len(x) - 1)
            scale = np.maximum(np.abs(x), np.abs(x[j]))
            rel = np.abs(x[j] - x) / np.where(scale > 0, scale, 1.0)
            shape = [1] * theory.ndim
            shape[axis] = -1
            close = (has & (rel > 0)).reshape(shape) & (rel.reshape(shape) <= window / np.sqrt(N))
            other = np.take(th, j, axis=axis)
            across = (np.abs(th) <= ZERO) != (np.abs(other) <= ZERO)
            lo, hi = np.minimum(th, other), np.maximum(th, other)
            slack = threshold * e + BIAS / N  # errors and the O(1/N) bias of rule 3
            between = (sim >= lo - slack) & (sim <= hi + slack)
            hit = close & across & between
            near |= hit
            jump = np.abs(th - other) + slack
            allowed = np.where(hit, np.maximum(allowed, jump), allowed)
    return near, allowed


def _spec(ds) -> dict:
    import json

    try:
        return json.loads(ds.attrs.get("sweep_spec", "{}"))
    except (TypeError, ValueError):
        return {}


def _remanent(ds, theory, th) -> np.ndarray:
    """Points above capacity simulated from the pattern: ``init = "archetype"`` in the stored
    spec, theory m = 0 there and m > 0 at a smaller load with everything else equal."""
    mc = _spec(ds).get("montecarlo")
    out = np.zeros(theory.shape, bool)
    if not mc or mc.get("init", "archetype") != "archetype" or "alpha" not in theory.dims:
        return out
    axis = theory.dims.index("alpha")
    order = np.argsort(np.asarray(ds.coords["alpha"].values, float))
    retrieves = np.take(np.abs(th) > ZERO, order, axis=axis)
    below = np.logical_or.accumulate(retrieves, axis=axis)  # retrieval at this load or lower
    out_sorted = below & ~retrieves
    np.put_along_axis(
        out, np.broadcast_to(order.reshape([-1 if a == axis else 1 for a in range(th.ndim)]),
                             th.shape), out_sorted, axis=axis)  # fmt: skip
    return out


def _reliable(ds, theory) -> np.ndarray:
    """``reliable_mc`` on the grid (True where absent)."""
    if "reliable_mc" not in ds:
        return np.ones(theory.shape, bool)
    r = ds["reliable_mc"].astype(bool).broadcast_like(theory).transpose(*theory.dims)
    return np.broadcast_to(np.asarray(r), theory.shape).copy()


def _n_text(row) -> str:
    for name in ("N_mc", "N"):
        if name in row.variables:
            return f"{float(row[name]):.0f}"
    return "?"


def comparison_table(ds: xr.Dataset, variable: str = "m", *, max_rows: int = 30) -> str:
    """A plain-text table: grid values, theory, simulation +- error, z, the limit of the
    verdict's rule (``|theory - simulation| <= limit``), verdict; with a note under the
    table for every finite-size rule, remanent overlap and unreliable point."""
    cmp = compare(ds, variable)
    grid_dims = [d for d in ds[f"{variable}_mc"].dims if d != "pattern"]
    keys = [k for k in ("alpha", "T", "r", "M", "rho", "d", "N", "K", "P") if k in ds.coords]
    keys = [k for k in keys if set(ds.coords[k].dims) & set(grid_dims)] or list(grid_dims)
    head = "".join(f"{k:>9}" for k in keys)
    head += f"{'theory':>10}{'simulation':>20}{'z':>8}{'limit':>8}  verdict"
    lines = [head, "-" * len(head)]
    shape = tuple(ds.sizes[d] for d in grid_dims)
    notes: dict[str, str] = {}  # note -> footnote mark
    for count, idx in enumerate(np.ndindex(*shape)):
        if count == max_rows:
            lines.append(f"... ({int(np.prod(shape)) - max_rows} more points)")
            break
        at = dict(zip(grid_dims, idx))
        row, c = ds.isel(at), cmp.isel(at)
        vals = "".join(f"{float(row[k]):>9.4g}" for k in keys)
        th, mc, er = (float(row[f"{variable}{s}"]) for s in ("_theory", "_mc", "_mc_err"))
        code = int(c["verdict"])
        verdict = "-" if code == 0 else VERDICTS[code]
        why = str(c["reason"].values)
        if why:
            if np.isfinite(float(c["band"])) and why == ZERO_REASON:
                why += f" (band/sqrt(N) = {float(c['band']):.3f} at N = {_n_text(row)})"
            verdict += " " + notes.setdefault(why, f"({chr(ord('a') + len(notes))})")
        if not bool(c["reliable"]):
            verdict += " *"
        lim = float(c["limit"])
        lines.append(f"{vals}{th:>10.4f}{mc:>12.4f} +- {er:<6.4f}{float(c['z']):>7.2f}"
                     f"{lim:>8.4f}  {verdict}")  # fmt: skip
    threshold = cmp.attrs["threshold"]
    lines.append(f"verdict: |theory - simulation| <= limit; agrees: limit = {threshold:g} err "
                 f"({min(ZERO_Z, threshold):g} err where the theory is 0; err: error bar with "
                 f"floor {cmp.attrs['floor']:g});")  # fmt: skip
    lines.append("finite-size effect: the limit of a finite-size rule below (theory: N -> "
                 f"infinity; band = {BAND:g}, bias = {BIAS:g}); otherwise disagrees.")  # fmt: skip
    lines += [f"  {mark} {why}" for why, mark in notes.items()]
    if not bool(cmp["reliable"].all()):
        lines.append("  * reliable_mc = False: a chain recorded fewer than 20 autocorrelation "
                     "times; run more sweeps before trusting this point")  # fmt: skip
    return "\n".join(lines)
