"""Example data: linear-Gaussian SCMs with closed-form oracles, and materials-science simulators."""

from causalx.datasets._synthetic import LinearSCM, make_lg_chain, make_linear_scm

__all__ = ["LinearSCM", "make_lg_chain", "make_linear_scm"]
