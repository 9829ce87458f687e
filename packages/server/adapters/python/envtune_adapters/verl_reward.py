"""verl reward function for envtune rows: the episode reward, counted once.

Set it as verl's custom reward function::

    custom_reward_function.path=pkg://envtune_adapters.verl_reward
    custom_reward_function.name=compute_score

verl's reward is what this function returns, nothing more: the interaction's per-answer rewards are
collected in ``turn_scores`` (verl/experimental/agent_loop/tool_agent_loop.py:394-395 @
b178a3cd56f58b2d502255daba591e92833930a7) and handed to the reward function inside ``extra_info``
(verl/experimental/reward_loop/reward_manager/naive.py:44-47), which then becomes the sample's
score (naive.py:86-99). envtune's increments sum to the episode reward, so the sum of
``turn_scores`` *is* the episode reward (1.0 for a solved task under the progress reward).

Rows whose ``data_source`` does not start with ``envtune/`` go to verl's ``default_compute_score``,
so envtune data can be mixed with verl's own datasets.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

DATA_SOURCE_PREFIX = "envtune/"


def compute_score(data_source: str, solution_str: str, ground_truth: Any, extra_info: Optional[Dict[str, Any]] = None, **kwargs: Any) -> Any:
    """verl's ``compute_score(data_source, solution_str, ground_truth, extra_info)`` for envtune rows."""
    if not str(data_source).startswith(DATA_SOURCE_PREFIX):
        from verl.utils.reward_score import default_compute_score  # type: ignore

        return default_compute_score(data_source, solution_str, ground_truth, extra_info, **kwargs)
    scores = (extra_info or {}).get("turn_scores")
    if scores is None:
        raise ValueError(
            f"[envtune] [verl] no `turn_scores` for a `{data_source}` row: the rollout did not run through the envtune "
            "interaction. Use rows of `envtune export verl` (agent_name: tool_agent) and set "
            "actor_rollout_ref.rollout.multi_turn.interaction_config_path (see recipes/verl)."
        )
    return float(sum(float(s) for s in scores))
