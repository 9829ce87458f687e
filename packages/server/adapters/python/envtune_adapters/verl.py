"""verl adapter: a ``BaseInteraction`` that plays each rollout on an envtune server session.

verl calls ``start_interaction(instance_id, **interaction_kwargs)`` once per trajectory (the
kwargs come from the dataset's ``extra_info.interaction_kwargs``, as ``envtune export verl``
writes them: ``task_id``, ``stage``, optional ``config``), ``generate_response(instance_id,
messages)`` after every assistant message, and ``finalize_interaction`` at the end. The verl
``instance_id`` is the session id, so a session-id router pins the trajectory to one server.

``generate_response`` returns ``(done, observation_text, reward_increment, extra)``: the
increments of a trajectory sum to the episode reward of the stage's reward spec, and ``extra``
carries the named reward components and typed events (never sentinel-encoded scores).

Interaction config (``multi_turn.interaction_config_path``)::

    interaction:
      - name: envtune
        class_name: envtune_adapters.verl.EnvtuneInteraction
        config: {base_url: "http://127.0.0.1:8000", token_env: ENVTUNE_TOKEN}
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, Dict, List, Optional, Tuple
from uuid import uuid4

from .client import EnvtuneClient, EnvtuneServerError, observation_text, parse_config

try:  # pragma: no cover - depends on the environment
    from verl.interactions.base import BaseInteraction  # type: ignore
except Exception:  # verl is not installed: the documented base class, minimally

    class BaseInteraction:  # type: ignore[no-redef]
        """Stand-in for ``verl.interactions.base.BaseInteraction`` (same methods and signatures)."""

        def __init__(self, config: Dict[str, Any]):
            self.config = config
            self.name: str = config.get("name", "interaction_agent")

        async def start_interaction(self, instance_id: Optional[str] = None, **kwargs: Any) -> str:
            return instance_id if instance_id is not None else str(uuid4())

        async def generate_response(self, instance_id: str, messages: List[Dict[str, Any]], **kwargs: Any) -> Tuple[bool, str, float, Dict[str, Any]]:
            return False, "", 0.0, {}

        async def calculate_score(self, *args: Any, **kwargs: Any) -> float:
            return 0.0

        async def finalize_interaction(self, *args: Any, **kwargs: Any) -> None:
            return None


def _last_assistant(messages: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    for m in reversed(messages):
        if m.get("role") == "assistant":
            return m
    return None


class EnvtuneInteraction(BaseInteraction):
    """verl interaction backed by envtune sessions.

    Config keys: ``base_url`` (default ``$ENVTUNE_URL``), ``token`` or ``token_env``, ``timeout``,
    ``stage`` and ``config`` (defaults when a row's kwargs have none).
    """

    def __init__(self, config: Dict[str, Any]):
        super().__init__(config)
        token = config.get("token") or (os.environ.get(config["token_env"]) if config.get("token_env") else None)
        self.client = EnvtuneClient(config.get("base_url"), token=token, timeout=float(config.get("timeout", 120.0)))
        self.default_stage = config.get("stage")
        self.default_config = parse_config(config.get("config"))
        self._sessions: Dict[str, Dict[str, Any]] = {}

    async def start_interaction(self, instance_id: Optional[str] = None, **kwargs: Any) -> str:
        sid = instance_id or str(uuid4())
        task_id = kwargs.get("task_id") or kwargs.get("id")
        if not task_id:
            raise ValueError("[envtune] [verl] interaction_kwargs need `task_id` (as `envtune export verl` writes them).")
        stage = kwargs.get("stage", self.default_stage)
        config = parse_config(kwargs.get("config")) or self.default_config
        created = await asyncio.to_thread(self.client.create_session, task_id=task_id, session_id=sid, stage=None if stage is None else str(stage), config=config)
        self._sessions[sid] = {"done": False, "reward": 0.0, "components": {}, "tools": created.get("tools", [])}
        return sid

    async def generate_response(self, instance_id: str, messages: List[Dict[str, Any]], **kwargs: Any) -> Tuple[bool, str, float, Dict[str, Any]]:
        state = self._sessions.get(instance_id)
        if state is None:
            raise KeyError(f"[envtune] [verl] unknown instance {instance_id!r}; call start_interaction first.")
        if state["done"]:
            return True, "", 0.0, {"reward_components": state["components"]}
        last = _last_assistant(messages)
        if last is None:
            raise ValueError("[envtune] [verl] generate_response needs the assistant's message in `messages`.")
        message: Any = last.get("content") or ""
        if last.get("tool_calls"):
            message = {"role": "assistant", "content": last.get("content"), "tool_calls": last["tool_calls"]}
        r = await asyncio.to_thread(self.client.step, instance_id, message)
        state["done"] = bool(r["done"])
        state["reward"] += float(r["reward"])
        state["components"] = r["reward_components"]
        extra = {"reward_components": r["reward_components"], "events": r["events"], "info": r["info"], "truncated": r["truncated"]}
        if r["info"].get("tools_changed"):
            extra["tools"] = r["info"]["tools_changed"]
        return state["done"], observation_text(r["messages"]), float(r["reward"]), extra

    async def calculate_score(self, instance_id: Optional[str] = None, **kwargs: Any) -> float:
        """The episode reward so far (the sum of the increments ``generate_response`` returned)."""
        if instance_id is None or instance_id not in self._sessions:
            return 0.0
        snap = await asyncio.to_thread(self.client.get_session, instance_id)
        return float(snap["checker"]["rewards"]["reward"])

    async def finalize_interaction(self, instance_id: Optional[str] = None, **kwargs: Any) -> None:
        ids = [instance_id] if instance_id is not None else list(self._sessions)
        for sid in ids:
            self._sessions.pop(sid, None)
            try:
                await asyncio.to_thread(self.client.delete_session, sid)
            except EnvtuneServerError:
                pass  # Already reaped or gone with its server: nothing left to release.
