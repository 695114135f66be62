"""Formula parsing (band gap featurisation) and the Kirkwood-Fröhlich helper, without data packages."""

from __future__ import annotations

import numpy as np
import pytest

from causalx.datasets import kirkwood_g
from causalx.datasets._formula import _parse_formula, _reduced_formula


@pytest.mark.parametrize(
    "text, expected",
    [
        ("GaAs", {"Ga": 1.0, "As": 1.0}),
        ("Al0.3Ga0.7As", {"Al": 0.3, "Ga": 0.7, "As": 1.0}),
        ("Fe2O3", {"Fe": 2.0, "O": 3.0}),
        (" CdTe ", {"Cd": 1.0, "Te": 1.0}),
        ("OHO", {"O": 2.0, "H": 1.0}),  # repeated elements add up
    ],
)
def test_parse_formula(text, expected):
    assert _parse_formula(text) == expected


@pytest.mark.parametrize("text", ["", "gaas", "Ca(OH)2", "CuSO4·5H2O", "Ga As"])
def test_parse_formula_rejects(text):
    assert _parse_formula(text) is None


def test_reduced_formula_is_shared_by_multiples():
    assert _reduced_formula(_parse_formula("Fe2O3")) == _reduced_formula(_parse_formula("Fe4O6"))
    assert _reduced_formula(_parse_formula("FeO")) != _reduced_formula(_parse_formula("Fe2O3"))


def test_kirkwood_g_vectorised_and_onsager_limit():
    g = kirkwood_g([78.4, 78.4], [1.333, 1.333], [1.85, 1.85], [18.07, 18.07])
    assert g.shape == (2,) and np.allclose(g, g[0])
    assert float(kirkwood_g(1.333**2, 1.333, 1.85, 18.07)) == pytest.approx(0.0)  # no orientational part
