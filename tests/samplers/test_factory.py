"""get_sampler: names, instances, helpful errors."""

from __future__ import annotations

import pytest

from causalx.samplers import BaseSampler, GaussianSampler, MechanismSampler, get_sampler


@pytest.mark.parametrize("name, cls", [("gaussian", GaussianSampler), ("mechanism", MechanismSampler)])
def test_names(name, cls):
    sampler = get_sampler(name)
    assert type(sampler) is cls and isinstance(sampler, BaseSampler)
    assert get_sampler(name) is not sampler


def test_params_are_forwarded():
    assert get_sampler("mechanism", random_state=3).random_state == 3
    assert get_sampler("gaussian", shrinkage="ledoit_wolf").shrinkage == "ledoit_wolf"


def test_instance_passes_through():
    sampler = GaussianSampler(shrinkage=0.2)
    assert get_sampler(sampler) is sampler
    other = get_sampler(sampler, shrinkage=0.3)
    assert other is not sampler and other.shrinkage == 0.3 and sampler.shrinkage == 0.2


@pytest.mark.parametrize(
    "value, exc, match",
    [
        ("gausian", ValueError, r"Accepted values are 'gaussian', 'mechanism', 'vae'\. Did you mean 'gaussian'\?"),
        ("empirical", ValueError, "is not supported"),
        (GaussianSampler, TypeError, "BaseSampler instance"),
        (None, TypeError, "got None"),
    ],
)
def test_errors(value, exc, match):
    with pytest.raises(exc, match=match):
        get_sampler(value)


def test_unknown_param():
    with pytest.raises(TypeError):
        get_sampler("gaussian", random_state=0)


def test_names_come_from_the_options_module():
    from causalx._options import SAMPLERS
    from causalx.samplers import _SAMPLERS

    assert tuple(_SAMPLERS) == SAMPLERS
