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

Anything else beyond ``threshold`` error bars is ``"disagrees"``.
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
        ``flag_meanings``), ``reason`` (str: why a finite-size effect), ``agree`` (bool:
        verdict is "agrees"), ``valid`` (both sides available and the theory converged),
        ``band`` (the finite-size |value| bound, NaN where not applicable). Attributes
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
    verdict = np.where(ok, np.where(np.abs(zv) <= threshold, 1, 3), 0).astype(np.int8)
    reason = np.full(theory.shape, "", dtype=object)
    bound = np.full(theory.shape, np.nan)
    if N is not None:
        zero = np.abs(th) <= ZERO
        bound = np.where(zero, band / np.sqrt(N), np.nan)
        inside = np.abs(sim) <= bound + threshold * e
        fs_zero = ok & zero & (np.abs(zv) > ZERO_Z) & inside
        verdict[fs_zero] = 2
        reason[fs_zero] = "theory m = 0; finite N keeps |m| ~ N^-1/2"
        near = (
            ok & (verdict == 3) & _transition_nearby(ds, theory, th, sim, e, N, window, threshold)
        )
        verdict[near] = 2
        reason[near] = "transition within one grid step; finite N rounds it"
        with np.errstate(divide="ignore", invalid="ignore"):
            z_bias = np.abs(th - sim) / np.sqrt(e**2 + (BIAS / N) ** 2)
        biased = ok & (verdict == 3) & ~zero & (z_bias <= threshold)
        verdict[biased] = 2
        reason[biased] = f"O(1/N) bias of a finite-N average (systematic {BIAS:g}/N added)"
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


def _transition_nearby(ds, theory, th, sim, e, N, window, threshold) -> np.ndarray:
    """Points whose grid neighbour (within ``window / sqrt(N)`` relative distance) has the
    theory on the other side of m = 0, with the simulation between the two theory values."""
    near = np.zeros(theory.shape, bool)
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
            between = (sim >= lo - threshold * e) & (sim <= hi + threshold * e)
            near |= close & across & between
    return near


def _n_text(row) -> str:
    for name in ("N_mc", "N"):
        if name in row.variables:
            return f"{float(row[name]):.0f}"
    return "?"


def comparison_table(ds: xr.Dataset, variable: str = "m", *, max_rows: int = 30) -> str:
    """A plain-text table: grid values, theory, simulation +- error, z, verdict; with a
    note under the table explaining every finite-size row."""
    cmp = compare(ds, variable)
    grid_dims = [d for d in ds[f"{variable}_mc"].dims if d != "pattern"]
    keys = [k for k in ("alpha", "T", "r", "M", "rho", "d", "N", "K", "P") if k in ds.coords]
    keys = [k for k in keys if set(ds.coords[k].dims) & set(grid_dims)] or list(grid_dims)
    head = "".join(f"{k:>9}" for k in keys) + f"{'theory':>10}{'simulation':>20}{'z':>8}  verdict"
    lines = [head, "-" * len(head)]
    shape = tuple(ds.sizes[d] for d in grid_dims)
    notes: dict[str, str] = {}  # reason -> footnote mark
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
        if code == 2:
            reason = str(c["reason"].values)
            if np.isfinite(float(c["band"])):
                reason += f" (|m| <= {float(c['band']):.3f} at N = {_n_text(row)})"
            mark = notes.setdefault(reason, f"({chr(ord('a') + len(notes))})")
            verdict += f" {mark}"
        lines.append(f"{vals}{th:>10.4f}{mc:>12.4f} +- {er:<6.4f}{float(c['z']):>7.2f}  {verdict}")
    if notes:
        lines.append("finite-size effect: the theory is the N -> infinity limit, the simulation")
        lines.append("has N neurons; these differences are expected at this N, not errors:")
        lines += [f"  {mark} {reason}" for reason, mark in notes.items()]
    return "\n".join(lines)
