"""Low-level helpers shared by every layer: validation, seeding, progress, parallelism."""

from causalx.utils.random import check_random_state, spawn_generators
from causalx.utils.validation import check_data, check_interval, check_option, suggest

__all__ = ["check_data", "check_interval", "check_option", "check_random_state", "spawn_generators", "suggest"]
