"""envtune adapters: thin Python shims that drive envtune server sessions from RL engines.

Standard library only at import time. Each engine module imports the engine's documented base
class when the engine is installed and a minimal stand-in of it otherwise:

- ``envtune_adapters.verl``: ``EnvtuneInteraction`` (verl ``BaseInteraction``); ``envtune_adapters.verl_reward``:
  ``compute_score`` (verl ``custom_reward_function``)
- ``envtune_adapters.trl``: ``trl_dataset`` and ``envtune_reward`` (TRL ``GRPOTrainer(environment_factory=..., reward_funcs=...)``)
- ``envtune_adapters.openrlhf``: ``AgentInstance`` / ``AgentExecutor`` (OpenRLHF agent function)
- ``envtune_adapters.skyrl``: ``EnvtuneTextEnv`` (SkyRL ``BaseTextEnv``)
"""

from .client import EnvtuneClient, EnvtuneServerError

__all__ = ["EnvtuneClient", "EnvtuneServerError"]
__version__ = "0.1.0"
