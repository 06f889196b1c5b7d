"""Expectations over two independent standard normals by plain NumPy Gauss-Hermite quadrature
(80 x 80 nodes), independent of the package's own quadrature (``theory._gaussian``); shared by
the RS mutation tests of this directory."""

from __future__ import annotations

import numpy as np

Y, WY = np.polynomial.hermite_e.hermegauss(80)
WY = WY / WY.sum()


def expect2(fn) -> float:
    """E fn(Y, z) for independent standard normals Y and z."""
    yy, zz = np.meshgrid(Y, Y, indexing="ij")
    return float((np.outer(WY, WY) * fn(yy, zz)).sum())
