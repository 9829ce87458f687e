"""verl adapter: a ``BaseInteraction`` that plays each rollout on an envtune server session.

How verl drives it (volcengine/verl @ b178a3cd56f58b2d502255daba591e92833930a7):

- ``ToolAgentLoop`` (``agent_name: tool_agent``, rows of ``envtune export verl``) builds a fresh
  interaction per rollout and calls ``start_interaction(request_id, **interaction_kwargs)``
  (verl/experimental/agent_loop/tool_agent_loop.py:160); the kwargs are the row's
  ``extra_info.interaction_kwargs`` (``task_id``, ``stage``, optional ``config``).
- After every assistant message that verl's tool parser did not take as a call to verl's own
  tools, ``generate_response(request_id, messages, **interaction_kwargs)`` (tool_agent_loop.py:386).
  Its reward goes to ``turn_scores`` (:395), which reach the reward function as
  ``extra_info["turn_scores"]`` (verl/experimental/reward_loop/reward_manager/naive.py:45-47):
  :func:`envtune_adapters.verl_reward.compute_score` sums them, so the episode reward is counted once.
- verl never calls ``calculate_score`` or ``finalize_interaction``. A session therefore ends here:
  when the episode ends (``done``), or at the last answer verl will ask for under
  ``max_assistant_turns`` / ``max_user_turns`` (tool_agent_loop.py:256-259; give the same values in
  this interaction's config). A rollout that verl cuts on ``response_length`` (:254, :360) calls no
  hook at all: its session is reaped by the server's idle TTL (``envtune serve --session-ttl``).

Interaction config (``actor_rollout_ref.rollout.multi_turn.interaction_config_path``)::

    interaction:
      - name: envtune
        class_name: envtune_adapters.verl.EnvtuneInteraction
        config: {base_url: "http://127.0.0.1:8000", token_env: ENVTUNE_TOKEN,
                 max_assistant_turns: 32, max_user_turns: 32}
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


def _verl_turns(messages: List[Dict[str, Any]]) -> Tuple[int, int]:
    """verl's ``(assistant_turns, user_turns)`` at a ``generate_response`` call, read from ``messages``.

    With an interaction configured, verl appends every generated message as an assistant message
    (tool_agent_loop.py:265-270) and counts a user turn per tool round (:376) and per interaction
    answer (:389); the prompt has no assistant message, so turns are counted after the first one.
    """
    assistant = user = 0
    prev = None
    for m in messages:
        role = m.get("role")
        if role == "assistant":
            assistant += 1
        elif assistant and (role == "user" or (role == "tool" and prev != "tool")):
            user += 1
        prev = role
    return assistant, user


class EnvtuneInteraction(BaseInteraction):
    """verl interaction backed by envtune sessions.

    Config keys: ``base_url`` (default ``$ENVTUNE_URL``), ``token`` or ``token_env``, ``timeout``,
    ``stage`` and ``config`` (defaults when a row's kwargs have none), ``max_assistant_turns`` and
    ``max_user_turns`` (verl's ``multi_turn`` limits, so that the session ends at verl's last call).
    """

    def __init__(self, config: Dict[str, Any]):
        super().__init__(config)
        token = config.get("token") or (os.environ.get(config["token_env"]) if config.get("token_env") else None)
        self.client = EnvtuneClient(config.get("base_url"), token=token, timeout=float(config.get("timeout", 120.0)))
        self.default_stage = config.get("stage")
        self.default_config = parse_config(config.get("config"))
        self.max_assistant_turns = _limit(config, "max_assistant_turns")
        self.max_user_turns = _limit(config, "max_user_turns")
        self._sessions: Dict[str, Dict[str, Any]] = {}

    async def start_interaction(self, instance_id: Optional[str] = None, **kwargs: Any) -> str:
        sid = instance_id or str(uuid4())
        task_id = kwargs.get("task_id") or kwargs.get("id")
        if not task_id:
            raise ValueError("[envtune] [verl] interaction_kwargs need `task_id` (as `envtune export verl` writes them).")
        stage = kwargs.get("stage", self.default_stage)
        config = parse_config(kwargs.get("config")) or self.default_config
        created = await asyncio.to_thread(self.client.create_session, task_id=task_id, session_id=sid, stage=None if stage is None else str(stage), config=config)
        self._sessions[sid] = {"done": False, "open": True, "reward": 0.0, "components": {}, "tools": created.get("tools", [])}
        return sid

    def _last_call(self, messages: List[Dict[str, Any]]) -> bool:
        """Whether verl stops before asking again: its next generation reaches a turn limit (tool_agent_loop.py:256-259)."""
        assistant, user = _verl_turns(messages)
        return bool((self.max_assistant_turns and assistant + 1 >= self.max_assistant_turns) or (self.max_user_turns and user + 1 >= self.max_user_turns))

    async def generate_response(self, instance_id: str, messages: List[Dict[str, Any]], **kwargs: Any) -> Tuple[bool, str, float, Dict[str, Any]]:
        state = self._sessions.get(instance_id)
        if state is None:
            raise KeyError(f"[envtune] [verl] unknown instance {instance_id!r}; call start_interaction first.")
        if not state["open"]:
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
        # verl calls no hook after the rollout: release the session at the episode's end or verl's last call.
        end = state["done"] or self._last_call(messages)
        if end:
            await self._release(instance_id)
        return end, observation_text(r["messages"]), float(r["reward"]), extra

    async def calculate_score(self, instance_id: Optional[str] = None, **kwargs: Any) -> float:
        """The episode reward so far: the sum of the increments ``generate_response`` returned."""
        state = self._sessions.get(instance_id) if instance_id is not None else None
        return float(state["reward"]) if state else 0.0

    async def _release(self, sid: str) -> None:
        state = self._sessions.get(sid)
        if state is None or not state["open"]:
            return
        state["open"] = False
        try:
            await asyncio.to_thread(self.client.delete_session, sid)
        except EnvtuneServerError:
            pass  # Already reaped or gone with its server: nothing left to release.
        if not any(st["open"] for st in self._sessions.values()):
            # verl drops this per-rollout interaction now; close its kept-alive connections with it.
            self.client.close()

    async def finalize_interaction(self, instance_id: Optional[str] = None, **kwargs: Any) -> None:
        """Releases the session (verl does not call this today; other callers of the interaction API may)."""
        for sid in [instance_id] if instance_id is not None else list(self._sessions):
            await self._release(sid)
            self._sessions.pop(sid, None)


def _limit(config: Dict[str, Any], key: str) -> Optional[int]:
    value = config.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"[envtune] [verl] interaction config `{key}` must be a positive integer (verl's multi_turn.{key}), got {value!r}.")
    return value
