"""Functional core of modern Hopfield retrieval: ``retrieve`` and ``energy``.

Notation (docs/layers.md, "The model"): stored patterns (the keys) ``x_1..x_S``, a state
(the query) ``xi``, inverse temperature ``beta``; roles query / key / value (docs/layers.md,
"Roles"). One retrieval update is

    xi  <-  X sep(beta X^T xi),

the CCCP step of the energy ``E(xi) = -Psi*(beta X^T xi)/beta + xi.xi/2`` of the separation
``sep`` (``Psi*`` its convex conjugate, :func:`hopfield_sim.layers.separation.conjugate`),
so E never increases along the iteration. With softmax, one step is scaled dot-product
attention ``softmax(beta Q K^T) V``.

Layout follows ``jax.nn.dot_product_attention``: arrays are ``[batch..., length, heads,
depth]`` and weights ``[batch..., heads, L, S]``.
"""

from __future__ import annotations

import functools
import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from hopfield_sim.layers import _attention, _iterate, _validate
from hopfield_sim.layers import separation as _sep
from hopfield_sim.layers._deprecate import renamed
from hopfield_sim.layers._dtypes import acc_dtype
from hopfield_sim.layers._inputs import arrays as _arrays
from hopfield_sim.layers._inputs import check_bias as _check_bias
from hopfield_sim.layers._inputs import mask as _mask
from hopfield_sim.layers.result import HopfieldResult, deprecated_alias

__all__ = ["retrieve", "energy"]


def __getattr__(name: str):
    if name == "Retrieval":
        return deprecated_alias(name, __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@renamed(keys="key", values="value", alpha="entmax_alpha")
def retrieve(
    query: jax.Array,
    key: jax.Array,
    value: jax.Array | None = None,
    *,
    beta: float | jax.Array | None = None,
    separation: str = "softmax",
    entmax_alpha: float | jax.Array | None = None,
    mask: jax.Array | None = None,
    bias: jax.Array | None = None,
    update_steps_max: int | list[int] | None = 0,
    update_steps_eps: float | list[float] = 1e-4,
    update_steps_limit: int = 100,
    heads: bool = True,
    mask_convention: str = "jax",
    dropout_rate: float = 0.0,
    dropout_rng: jax.Array | None = None,
    return_info: bool = False,
    remat: bool | None = None,
    dtype=None,
    implementation: str | None = None,
) -> jax.Array | HopfieldResult:
    """Modern Hopfield retrieval ``xi <- K^T sep(beta K xi)``, then ``sep(...) @ V``.

    Parameters
    ----------
    query : array, shape (..., L, H, d)
        State patterns xi (one per query position and head). With ``heads=False`` the
        shape is (..., L, d). Any floating dtype (float64, float32, bfloat16, float16).
    key : array, shape (..., S, H, d)
        Stored patterns x_1..x_S. Batch axes broadcast against ``query``'s. (``keys=`` is
        deprecated.)
    value : array, shape (..., S, H, dv), optional
        What the weights retrieve; default ``key`` (pure pattern retrieval). (``values=``
        is deprecated.)
    beta : float or array broadcastable to (..., H), optional
        Inverse temperature (> 0), per batch entry and/or head; default ``1/sqrt(d)``.
    separation : {"softmax", "softmax_1", "sparsemax", "entmax"}
        Separation function (see :mod:`hopfield_sim.layers.separation`).
    entmax_alpha : float or array, optional
        Entmax order (> 1), default 1.5; only used by ``"entmax"``; differentiable
        (``alpha=`` is deprecated).
    mask : bool array broadcastable to (..., H, L, S), optional
        Which associations are allowed. ``mask_convention="jax"`` (default): ``True``
        keeps (as ``jax.nn.dot_product_attention``); ``"reference"``: ``True`` excludes
        (hopfield-layers / PyTorch). A query row with nothing allowed retrieves 0.
    bias : array broadcastable to (..., H, L, S), optional
        Added to the scores ``beta xi.x`` at every step.
    update_steps_max : int, list of int per head, or None
        Updates after the first association (0 = one step, i.e. attention); ``None`` or
        a negative per-head entry: until converged, at most ``update_steps_limit``.
    update_steps_eps : float or list of float per head
        An entry stops when the Frobenius norm of its weight change is <= this.
    heads : bool
        False when the arrays have no heads axis.
    dropout_rate, dropout_rng
        Dropout on the final weights (inverted scaling), needs a PRNG key when > 0.
    return_info : bool
        Return a :class:`~hopfield_sim.layers.HopfieldResult` (output, weights, state,
        steps, converged, values, patterns) instead of the output only.
    remat : bool, optional
        Recompute each update in the backward pass (``jax.checkpoint`` in a scan) so that
        the memory of ``jax.grad`` does not grow with the number of updates (costs one extra
        forward association per update in the backward pass). None (default): on for GPU /
        TPU and for more than 8 updates, off on CPU for up to 8 (unrolled, faster there).
    dtype : floating dtype, optional
        Computation dtype; default: the promoted dtype of query, key and value. With a
        16-bit dtype, scores, separation and convergence test run in float32.
    implementation : {None, "explicit", "xla", "cudnn"}
        How a softmax / softmax_1 step without returned weights runs (see
        :mod:`hopfield_sim.layers._attention`); None picks cuDNN flash attention on a GPU.

    Returns
    -------
    array (..., L, H, dv) or HopfieldResult
        The retrieved values (heads axis dropped when ``heads=False``), in the computation
        dtype.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> X = jnp.array([[1.0, 1, -1, -1], [1, -1, 1, -1], [-1, 1, 1, -1]])
    >>> xi = jnp.array([[0.9, 0.8, -1.1, -0.7]])      # noisy copy of pattern 0
    >>> out = retrieve(xi, X, beta=8.0, heads=False, update_steps_max=3)
    >>> bool(jnp.allclose(out, X[0], atol=1e-3))
    True
    """
    alpha = entmax_alpha
    query, keys, values, dtype, batch = _arrays(query, key, value, heads, dtype)
    H, L, S, d = query.shape[-2], query.shape[-3], keys.shape[-3], query.shape[-1]
    _validate.separation(separation, alpha)
    _attention.check_implementation(implementation)
    mask = _mask(mask, mask_convention, batch + (H, L, S))
    _check_bias(bias, batch + (H, L, S))
    beta = 1.0 / math.sqrt(d) if beta is None else beta
    _validate.positive("beta", beta)
    _validate.beta_fits(beta, query, batch + (H,), dtype)
    _validate.steps(update_steps_max, update_steps_eps, H)
    if not 0.0 <= dropout_rate < 1.0:
        raise ValueError(f"dropout_rate must lie in [0, 1); got {dropout_rate!r}.")
    if dropout_rate > 0 and dropout_rng is None:
        raise ValueError("dropout_rate > 0 needs dropout_rng (a jax.random key).")

    T, max_h, eps_h = _iterate.step_schedule(update_steps_max, update_steps_eps,
                                             update_steps_limit, H)  # fmt: skip
    impl = _attention.choose(implementation, dtype, d, values.shape[-1])
    attention = (
        impl != "explicit"
        and separation in ("softmax", "softmax_1")
        and _iterate.static_schedule(max_h, eps_h, T)
        and not return_info
        and dropout_rate == 0.0
    )
    beta = jnp.broadcast_to(jnp.asarray(beta, dtype=acc_dtype(dtype)), batch + (H,))
    a = None if separation != "entmax" else jnp.asarray(1.5 if alpha is None else alpha)
    res = _retrieve(
        query,
        keys,
        values,
        beta,
        a,
        mask,
        bias,
        jnp.asarray(max_h),
        jnp.asarray(eps_h, dtype=acc_dtype(dtype)),
        dropout_rng,
        separation=separation,
        T=T,
        implementation=impl if attention else "explicit",
        dropout_rate=float(dropout_rate),
        need_info=return_info,
        remat=_iterate.resolve_remat(remat, T),
        every_step=_iterate.static_schedule(max_h, eps_h, T),
    )
    if not return_info:
        return res if heads else res[..., 0, :]
    if update_steps_max is None:
        _warn_unconverged(res, update_steps_limit, update_steps_eps)
    return res if heads else _drop_heads(res)


def _warn_unconverged(res: HopfieldResult, limit: int, eps) -> None:
    """RuntimeWarning when an iteration to convergence stopped at the step limit."""
    if res.converged is None or not _validate.is_concrete(res.steps):
        return
    if not bool(jnp.all(res.converged)):
        warnings.warn(
            f"retrieve: {int(jnp.sum(~res.converged))} of {res.converged.size} (batch, head) "
            f"entries did not converge within update_steps_limit={limit} "
            f"(update_steps_eps={eps}); see HopfieldResult.converged.",
            RuntimeWarning,
            stacklevel=3,
        )


def _drop_heads(res: HopfieldResult) -> HopfieldResult:
    """The result of a call with ``heads=False``: the heads axis of length 1 removed."""
    out = res.output[..., 0, :]
    return HopfieldResult(
        out,
        res.weights[..., 0, :, :],
        res.state[..., 0, :],
        res.steps[..., 0],
        None if res.converged is None else res.converged[..., 0],
        res.values[..., 0, :, :],
        out,
    )

@functools.partial(
    jax.jit,
    static_argnames=(
        "separation",
        "T",
        "implementation",
        "dropout_rate",
        "need_info",
        "remat",
        "every_step",
    ),
)
def _retrieve(
    query,
    keys,
    values,
    beta,
    alpha,
    mask,
    bias,
    max_h,
    eps_h,
    dropout_rng,
    *,
    separation,
    T,
    implementation,
    dropout_rate,
    need_info,
    remat,
    every_step,
):
    b = beta[..., None, :, None]  # (..., 1, H, 1), accumulation dtype
    q0 = (query * b).astype(query.dtype)
    if implementation != "explicit":
        return _attention.iterate_attention(
            q0,
            keys,
            values,
            mask,
            bias,
            b,
            T=T,
            zero_row=separation == "softmax_1",
            implementation=implementation,
            remat=remat,
        )
    w, steps, converged = _iterate.iterate(
        q0,
        keys,
        _sep.get(separation, alpha),
        mask=mask,
        bias=bias,
        beta_state=b,
        max_steps=max_h,
        eps=eps_h,
        T=T,
        every_step=every_step,
        remat=remat,
    )
    w_used = w
    if dropout_rate > 0:
        keep = jax.random.bernoulli(dropout_rng, 1.0 - dropout_rate, w.shape)
        w_used = jnp.where(keep, w / (1.0 - dropout_rate), 0.0)
    out = _iterate.mix(w_used, values)
    if not need_info:
        return out
    state = _iterate.mix(w, keys)
    v = jnp.swapaxes(jnp.broadcast_to(values, out.shape[:-3] + values.shape[-3:]), -3, -2)
    return HopfieldResult(out, w.astype(query.dtype), state, steps, converged, v, out)


@renamed(state="query", memory="key", alpha="entmax_alpha")
def energy(
    query: jax.Array,
    key: jax.Array,
    *,
    beta: float | jax.Array,
    separation: str = "softmax",
    entmax_alpha: float | jax.Array | None = None,
    mask: jax.Array | None = None,
) -> jax.Array:
    """Hopfield energy whose CCCP step is the retrieval update with ``separation``.

    ``E(xi) = -Psi*(beta X^T xi)/beta + xi.xi/2`` with ``Psi*`` the convex conjugate of the
    separation's entropy. For softmax this is the energy of docs/layers.md ("The model")
    with its constants, ``-lse(beta, X^T xi) + xi.xi/2 + log(S)/beta + M^2/2`` (``M`` the
    largest pattern norm), which makes it non-negative; the others carry no constant.

    Parameters
    ----------
    query : array, shape (..., d)
        State pattern(s) xi (``state=`` is deprecated).
    key : array, shape (..., S, d)
        Stored patterns x_1..x_S as rows; batch axes broadcast against ``query``'s
        (``memory=`` is deprecated).
    beta : float or array broadcastable to query.shape[:-1]
        Inverse temperature, > 0.
    entmax_alpha : float or array, optional
        Entmax order (> 1), default 1.5 (``alpha=`` is deprecated).
    mask : bool array broadcastable to (..., S), optional
        ``True`` keeps a stored pattern (JAX convention).

    Returns
    -------
    array, shape (...)
        In the promoted dtype of ``query`` and ``key``; computed in at least float32
        (cast 16-bit inputs to float32 yourself to compare energies finely).
    """
    _validate.array("query", query, min_ndim=1)
    _validate.array("key", key, min_ndim=2)
    _validate.same(
        ["query", "key"],
        [query.shape[-1:], key.shape[-1:]],
        "query and key must share the last axis d",
    )
    _validate.positive("beta", beta)
    _validate.separation(separation, entmax_alpha)
    if mask is not None:
        try:
            target = np.broadcast_shapes(query.shape[:-1], key.shape[:-2])
        except ValueError:
            raise ValueError(
                f"the batch axes of query {tuple(query.shape)} and key "
                f"{tuple(key.shape)} must broadcast."
            ) from None
        _validate.mask("mask", mask, target + key.shape[-2:-1], "(..., S) =")
    dtype = jnp.result_type(query, key)
    acc = acc_dtype(dtype)
    a = jnp.asarray(1.5 if entmax_alpha is None else entmax_alpha, dtype=acc)
    E = _energy(
        query.astype(acc),
        key.astype(acc),
        jnp.asarray(beta, dtype=acc),
        a,
        mask,
        separation=separation,
    )
    return E.astype(dtype)


@functools.partial(jax.jit, static_argnames=("separation",))
def _energy(state, memory, beta, alpha, mask, *, separation):
    z = beta[..., None] * jnp.einsum("...sd,...d->...s", memory, state)
    psi = _sep.conjugate(separation, z, mask, alpha)
    E = -psi / beta + 0.5 * jnp.sum(state * state, axis=-1)
    if separation == "softmax":
        S = memory.shape[-2] if mask is None else jnp.sum(mask, axis=-1)
        M2 = jnp.max(jnp.sum(memory * memory, axis=-1), axis=-1)
        E = E + jnp.log(S) / beta + 0.5 * M2
    return E
