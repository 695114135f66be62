"""Low-level helpers shared by every layer: validation, seeding, progress, parallelism."""

from causalx.utils._encoding import Codebook, DataEncoding, encode_data
from causalx.utils.random import check_random_state, spawn_generators
from causalx.utils.validation import check_data, check_interval, check_option, suggest

__all__ = ["Codebook", "DataEncoding", "check_data", "check_interval", "check_option", "check_random_state",
           "encode_data", "spawn_generators", "suggest"]
