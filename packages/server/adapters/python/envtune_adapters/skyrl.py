"""SkyRL adapter: a ``BaseTextEnv`` backed by an envtune session.

SkyRL builds the env with ``(env_config, extras)`` where ``extras`` is the dataset row's extra
fields: ``task_id`` (required), ``stage``, ``config``. ``init(prompt)`` opens the session and
returns the episode's first messages; ``step(action)`` sends the model's text and returns the
environment's new messages (OpenAI message format), the reward increment (increments sum to the
episode reward), ``done`` and metadata with the named reward components and typed events.

Register it with ``register()`` (``skyrl_gym.envs.register(id="envtune", ...)``); the server URL
comes from ``env_config.base_url`` or ``$ENVTUNE_URL``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from .client import EnvtuneClient, EnvtuneServerError, new_session_id, parse_config

try:  # pragma: no cover - depends on the environment
    from skyrl_gym.envs.base_text_env import BaseTextEnv, BaseTextEnvStepOutput  # type: ignore
except Exception:  # SkyRL is not installed: the documented base class, minimally

    def BaseTextEnvStepOutput(observations: List[Dict[str, str]], reward: float, done: bool, metadata: Dict[str, Any], postprocessed_action: Optional[str] = None) -> Dict[str, Any]:  # type: ignore[no-redef]
        """Stand-in for the ``BaseTextEnvStepOutput`` TypedDict."""
        return {"observations": observations, "reward": reward, "done": done, "metadata": metadata, "postprocessed_action": postprocessed_action}

    class BaseTextEnv:  # type: ignore[no-redef]
        """Stand-in for ``skyrl_gym.envs.base_text_env.BaseTextEnv``: ``init``, ``step``, ``close``."""

        def __init__(self) -> None:
            self.turns = 0
            self.max_turns = 1

        def init(self, prompt: List[Dict[str, str]]) -> Tuple[List[Dict[str, str]], Dict[str, Any]]:
            return prompt, {}

        def step(self, action: str) -> Dict[str, Any]:
            raise NotImplementedError

        def close(self) -> None:
            pass


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


class EnvtuneTextEnv(BaseTextEnv):
    def __init__(self, env_config: Any = None, extras: Optional[Dict[str, Any]] = None):
        super().__init__()
        extras = extras or {}
        info = extras.get("extra_info") if isinstance(extras.get("extra_info"), dict) else {}
        self.task_id = extras.get("task_id") or info.get("task_id")
        if not self.task_id:
            raise ValueError("[envtune] [skyrl] the dataset row needs `task_id` (in extras or extra_info).")
        self.stage = extras.get("stage", info.get("stage", _get(env_config, "stage")))
        self.episode_config = parse_config(extras.get("config", info.get("config", _get(env_config, "config"))))
        self.client = EnvtuneClient(_get(env_config, "base_url"), token=_get(env_config, "token"))
        self.session_id: Optional[str] = None
        self.max_turns = int(_get(env_config, "max_turns", 10_000))
        self.total_reward = 0.0

    def init(self, prompt: Any = None) -> Tuple[List[Dict[str, Any]], Dict[str, Any]]:
        """Opens the session; the conversation starts with the episode's own messages (system + first user turn)."""
        self.session_id = new_session_id()
        created = self.client.create_session(task_id=self.task_id, session_id=self.session_id, stage=None if self.stage is None else str(self.stage), config=self.episode_config)
        self.turns = 0
        self.total_reward = 0.0
        messages = [{"role": m["role"], "content": m.get("content") or ""} for m in created["messages"]]
        return messages, {"session_id": self.session_id, "tools": created["tools"], "info": created["info"]}

    def step(self, action: str) -> Any:
        if self.session_id is None:
            raise RuntimeError("[envtune] [skyrl] init() was not called.")
        self.turns += 1
        r = self.client.step(self.session_id, action)
        self.total_reward += float(r["reward"])
        done = bool(r["done"]) or self.turns >= self.max_turns
        observations = [{"role": m["role"], "content": m.get("content") or ""} for m in r["messages"]]
        metadata = {"reward_components": r["reward_components"], "events": r["events"], "info": r["info"], "truncated": r["truncated"]}
        return BaseTextEnvStepOutput(observations=observations, reward=float(r["reward"]), done=done, metadata=metadata)

    def close(self) -> None:
        if self.session_id is not None:
            try:
                self.client.delete_session(self.session_id)
            except EnvtuneServerError:
                pass
            self.session_id = None


def register(env_id: str = "envtune") -> None:
    """Registers the env with skyrl_gym (no-op when SkyRL is not installed)."""
    try:
        from skyrl_gym.envs import register as skyrl_register  # type: ignore
    except Exception:
        return
    skyrl_register(id=env_id, entry_point="envtune_adapters.skyrl:EnvtuneTextEnv")
