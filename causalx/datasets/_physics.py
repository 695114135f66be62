"""Physics of the dielectric-liquids study: the Kirkwood-Fröhlich equation and its SI constants."""

from __future__ import annotations

import numpy as np

__all__ = ["kirkwood_g"]

_EPS0 = 8.8541878128e-12
_KB = 1.380649e-23
_NA = 6.02214076e23
_DEBYE = 3.33564e-30


def kirkwood_g(permittivity, refractive_index, dipole, molar_volume, temperature=298.15):
    """Kirkwood correlation factor g from the Kirkwood-Fröhlich equation.

    ``(eps - n^2)(2 eps + n^2) / (eps (n^2 + 2)^2) = N g mu^2 / (9 eps_0 k T)`` with the number
    density ``N = N_A / V_m``; ``eps_inf = n^2`` (optical permittivity). g = 1 for a liquid
    without orientational correlations (Onsager), g > 1 for parallel alignment (H-bond chains).

    Parameters
    ----------
    permittivity, refractive_index : array-like
    dipole : array-like
        Gas-phase dipole moment [D].
    molar_volume : array-like
        [cm^3/mol].
    temperature : float or array-like, default 298.15
        [K].

    Examples
    --------
    >>> round(float(kirkwood_g(78.4, 1.333, 1.85, 18.07)), 2)  # water, 25 degC
    2.81
    """
    eps = np.asarray(permittivity, float)
    n2 = np.asarray(refractive_index, float) ** 2
    mu = np.asarray(dipole, float) * _DEBYE
    number_density = _NA / (np.asarray(molar_volume, float) * 1e-6)
    lhs = (eps - n2) * (2.0 * eps + n2) / (eps * (n2 + 2.0) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return lhs * 9.0 * _EPS0 * _KB * np.asarray(temperature, float) / (number_density * mu**2)

