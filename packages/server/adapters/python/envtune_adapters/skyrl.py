"""SkyRL adapter: a ``BaseTextEnv`` backed by an envtune session.

How SkyRL drives it (NovaSky-AI/SkyRL @ a9564572eb8e91076be43c1bd5e4615e3de17265):

- The dataset row's columns other than ``prompt`` and ``env_class`` are the env's ``extras``
  (skyrl/train/dataset/dataset.py:86-94): ``envtune export skyrl`` writes ``task_id``, ``stage``,
  optional ``config`` and ``envtune_url`` there.
- The generator sets ``extras["max_turns"] = generator.max_turns`` and builds the env with
  ``skyrl_gym.make(env_class, env_config=getattr(skyrl_gym_cfg, env_class, {}), extras=extras)``
  (skyrl/train/generators/skyrl_gym_generator.py:333-337). ``SkyRLGymConfig`` accepts no keys of
  its own for other envs (skyrl/train/config/config.py:1299, checked by
  ``validate_dict_keys_against_dataclass``), so ``env_config`` is ``{}`` here.
- ``init(prompt)`` (:344), ``step(text)`` until ``done`` (:447-451), ``close()`` after the loop (:521).

The server URL comes from, in order: the row's ``envtune_url``, ``register(base_url=...)`` (kept in
the registry's ``EnvSpec.kwargs`` and passed to every env, skyrl-gym/skyrl_gym/envs/registration.py
``make``), ``env_config.base_url``, ``$ENVTUNE_URL``. The turn limit is ``extras["max_turns"]``
(else ``extras["extra_info"]["max_turns"]``, as skyrl-gym's own multi-turn envs read it); on the
last allowed step the env answers ``done`` and releases its session.
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


def _turn_limit(extras: Dict[str, Any], info: Dict[str, Any], env_config: Any) -> Optional[int]:
    for value in (extras.get("max_turns"), info.get("max_turns"), _get(env_config, "max_turns")):
        if value is not None:
            n = int(value)
            if n < 1:
                raise ValueError(f"[envtune] [skyrl] max_turns must be at least 1, got {value!r} (generator.max_turns).")
            return n
    return None


class EnvtuneTextEnv(BaseTextEnv):
    def __init__(self, env_config: Any = None, extras: Optional[Dict[str, Any]] = None, base_url: Optional[str] = None, token: Optional[str] = None):
        super().__init__()
        extras = extras or {}
        info = extras.get("extra_info") if isinstance(extras.get("extra_info"), dict) else {}
        self.task_id = extras.get("task_id") or info.get("task_id")
        if not self.task_id:
            raise ValueError("[envtune] [skyrl] the dataset row needs `task_id` (in extras or extra_info); write rows with `envtune export skyrl`.")
        self.stage = extras.get("stage", info.get("stage", _get(env_config, "stage")))
        self.episode_config = parse_config(extras.get("config", info.get("config", _get(env_config, "config"))))
        url = extras.get("envtune_url") or base_url or _get(env_config, "base_url")
        self.client = EnvtuneClient(url, token=token or _get(env_config, "token"))
        self.session_id: Optional[str] = None
        #: ``None``: the episode alone decides when to stop.
        self.max_turns = _turn_limit(extras, info, env_config)
        self.total_reward = 0.0

    def init(self, prompt: Any = None) -> Tuple[List[Dict[str, Any]], Dict[str, Any]]:
        """Opens the session; the conversation starts with the episode's own messages (system + first user turn)."""
        self.close()
        self.session_id = new_session_id()
        created = self.client.create_session(task_id=self.task_id, session_id=self.session_id, stage=None if self.stage is None else str(self.stage), config=self.episode_config)
        self.turns = 0
        self.total_reward = 0.0
        messages = [{"role": m["role"], "content": m.get("content") or ""} for m in created["messages"]]
        return messages, {"session_id": self.session_id, "tools": created["tools"], "info": created["info"]}

    def step(self, action: str) -> Any:
        if self.session_id is None:
            raise RuntimeError("[envtune] [skyrl] the episode has ended (or init() was not called).")
        self.turns += 1
        r = self.client.step(self.session_id, action)
        self.total_reward += float(r["reward"])
        limited = self.max_turns is not None and self.turns >= self.max_turns
        done = bool(r["done"]) or limited
        observations = [{"role": m["role"], "content": m.get("content") or ""} for m in r["messages"]]
        metadata = {"reward_components": r["reward_components"], "events": r["events"], "info": r["info"], "truncated": bool(r["truncated"]) or (limited and not r["done"])}
        if done:
            self.close()  # SkyRL calls close() too, but not when the loop raises: release now.
        return BaseTextEnvStepOutput(observations=observations, reward=float(r["reward"]), done=done, metadata=metadata)

    def close(self) -> None:
        if self.session_id is not None:
            sid, self.session_id = self.session_id, None
            try:
                self.client.delete_session(sid)
            except EnvtuneServerError:
                pass


def register(env_id: str = "envtune", base_url: Optional[str] = None, token: Optional[str] = None) -> None:
    """Registers the env with skyrl_gym (no-op when SkyRL is not installed).

    ``base_url``/``token`` go into the registration's kwargs, which ``skyrl_gym.make`` passes to every
    env it builds: the way to set the server without an ``envtune_url`` column or ``$ENVTUNE_URL``.
    """
    try:
        from skyrl_gym.envs import register as skyrl_register  # type: ignore
    except Exception:
        return
    kwargs = {k: v for k, v in (("base_url", base_url), ("token", token)) if v is not None}
    skyrl_register(id=env_id, entry_point="envtune_adapters.skyrl:EnvtuneTextEnv", kwargs=kwargs)
