"""Studies (layer L4): a run config, the pipeline behind ``causalx run``, and hypothesis rules.

- :func:`load_config` / :class:`RunConfig` -- the YAML run config (``causalx: 1``).
- :func:`run_study` -> :class:`StudyResult` -- model, explanations, diagnostics, hypotheses.
- :func:`generate_hypotheses` -> tuple of :class:`Hypothesis` -- the rules on their own.
"""

from causalx.study.config import RunConfig, load_config, loads_config
from causalx.study.hypotheses import Hypothesis, generate_hypotheses
from causalx.study.pipeline import StudyResult, run_study

__all__ = ["Hypothesis", "RunConfig", "StudyResult", "generate_hypotheses", "load_config", "loads_config", "run_study"]
