"""Real images as +-1 examples grouped by class, from data shipped inside installed packages.

Only scikit-learn's handwritten digits (1797 images of 8 x 8 pixels, 10 classes; UCI
"optical recognition of handwritten digits") are used: ``sklearn.datasets.load_digits``
reads them from files inside the scikit-learn wheel, so nothing is downloaded. No installed
PyPI dependency of this package ships the full MNIST set without a download (checked:
scikit-learn's ``fetch_openml("mnist_784")`` downloads), so MNIST is not offered here.
"""

from __future__ import annotations

import numpy as np

from montecarlo import _validate

__all__ = ["load_digits"]


def load_digits(M: int | None = None, *, threshold: float = 8.0, seed=None) -> np.ndarray:
    """Handwritten digits 0-9 as +-1 examples, shape (10, M, 64).

    Parameters
    ----------
    M : int, optional
        Examples per class (at most the smallest class size, 174). Default: that maximum.
    threshold : float
        Grey levels run 0..16; a pixel is +1 where its level exceeds ``threshold``, else -1.
    seed : int or numpy.random.SeedSequence, optional
        If given, each class's examples are a random subset in random order; otherwise the
        first ``M`` of each class in file order.

    Returns
    -------
    ndarray of int8, shape (10, M, 64)
        ``examples[k, a]`` is the a-th image of digit k, row-major 8 x 8 pixels. Use with
        ``protocol="supervised"`` or ``"unsupervised"`` (no archetypes exist; pass ``r`` or
        estimate it from your own prototypes).

    Examples
    --------
    >>> eta = load_digits(M=20)
    >>> eta.shape, eta.dtype.name
    ((10, 20, 64), 'int8')
    """
    from sklearn.datasets import load_digits as _sk_load_digits

    data = _sk_load_digits()
    images, labels = np.asarray(data.data), np.asarray(data.target)
    counts = np.bincount(labels, minlength=10)
    largest = int(counts.min())
    if M is None:
        M = largest
    M = _validate.integer("M", M, low=1, meaning="M is the number of examples per class.")
    if M > largest:
        raise ValueError(f"M must be <= {largest} (the smallest digit class); got M={M}.")
    if not (0.0 <= float(threshold) < 16.0):
        raise ValueError(f"threshold must lie in [0, 16); got threshold={threshold!r}.")
    rng = None if seed is None else np.random.default_rng(_validate.seed(seed))
    out = np.empty((10, M, images.shape[1]), dtype=np.int8)
    for k in range(10):
        rows = np.flatnonzero(labels == k)
        if rng is not None:
            rows = rng.permutation(rows)
        out[k] = np.where(images[rows[:M]] > threshold, 1, -1)
    return out
