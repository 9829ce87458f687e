"""TRL adapter: an ``environment_factory`` class whose tools are generated from the server's schema.

``GRPOTrainer(environment_factory=make_environment_factory(...))`` builds one instance per
rollout, calls ``reset(**dataset_row)`` and exposes every public method as a tool (schema from the
type hints and the Google-style docstring). Each BFCL tool becomes a method here, generated from
``GET /v1/tools`` without ``exec``: a generic body with a ``__signature__``, annotations and a
docstring. A tool call is one episode step.

TRL cannot inject user turns, so the next user question arrives inside the result of the
``end_turn`` tool: the model calls ``end_turn(message=...)`` with its reply to the user, and gets
the next question back (or "The task is complete."). ``reward`` / ``get_reward()`` give the
episode reward, and :func:`envtune_reward` is a ready reward function.

Dataset rows need ``task_id`` (and optionally ``stage``); :func:`trl_rows` builds them.
"""

from __future__ import annotations

import inspect
import json
from typing import Any, Callable, Dict, List, Optional

from .client import EnvtuneClient, EnvtuneServerError, new_session_id, observation_text, parse_config

#: Episode settings of TRL sessions: OpenAI tool calls, tool-role results, and one tool call per
#: step (so the per-turn budget counts calls).
TRL_EPISODE_CONFIG: Dict[str, Any] = {"actionFormat": "openai", "observation": "tool", "systemPrompt": "fc", "maxActionsPerTurn": 20}

_JSON_TYPES: Dict[str, Any] = {"string": str, "integer": int, "number": float, "boolean": bool, "array": list, "object": dict}
RESERVED = {"reset", "end_turn", "get_reward", "reward", "close", "finish"}
DONE_TEXT = "The task is complete."


def _py_type(schema: Dict[str, Any]) -> Any:
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), "string")
    return _JSON_TYPES.get(t or "string", str)


def _tool_method(name: str, fn_schema: Dict[str, Any]) -> Callable[..., str]:
    params = fn_schema.get("parameters") or {}
    props: Dict[str, Dict[str, Any]] = params.get("properties") or {}
    required = set(params.get("required") or [])

    def method(self: "EnvtuneTRLEnvironment", **kwargs: Any) -> str:
        return self._call(name, kwargs)

    sig_params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    annotations: Dict[str, Any] = {}
    arg_docs: List[str] = []
    for pname, p in props.items():
        annotations[pname] = _py_type(p)
        default = inspect.Parameter.empty if pname in required else None
        sig_params.append(inspect.Parameter(pname, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotations[pname]))
        desc = " ".join((p.get("description") or pname).split())
        arg_docs.append(f"    {pname}: {desc}")
    annotations["return"] = str
    method.__name__ = name
    method.__qualname__ = f"EnvtuneTRLEnvironment.{name}"
    method.__signature__ = inspect.Signature(sig_params, return_annotation=str)  # type: ignore[attr-defined]
    method.__annotations__ = annotations
    description = " ".join((fn_schema.get("description") or name).split())
    method.__doc__ = description + ("\n\nArgs:\n" + "\n".join(arg_docs) if arg_docs else "") + "\n\nReturns:\n    The tool's result."
    return method


class EnvtuneTRLEnvironment:
    """Base of the generated class (see :func:`make_environment_factory`); tool methods are added there."""

    _client_args: Dict[str, Any] = {}
    _stage: Optional[str] = None
    _config: Dict[str, Any] = {}

    def __init__(self) -> None:
        self.client = EnvtuneClient(**self._client_args)
        self.session_id: Optional[str] = None
        self.done = False
        self.reward = 0.0
        self.reward_components: Dict[str, float] = {}
        self._calls = 0

    def reset(self, **kwargs: Any) -> Optional[str]:
        """Starts the row's episode; returns its first user question (appended to the prompt)."""
        if self.session_id is not None:
            self.client.delete_session(self.session_id)
        task_id = kwargs.get("task_id")
        if not task_id:
            raise ValueError("[envtune] [trl] dataset rows need a `task_id` column (see trl_rows()).")
        stage = kwargs.get("stage", self._stage)
        config = {**self._config, **(parse_config(kwargs.get("config")) or {})}
        self.session_id = new_session_id()
        created = self.client.create_session(task_id=task_id, session_id=self.session_id, stage=None if stage is None else str(stage), config=config)
        self.done = False
        self.reward = 0.0
        self.reward_components = {}
        users = [m["content"] for m in created["messages"] if m["role"] == "user" and m.get("content")]
        return "\n\n".join(users) or None

    def _apply(self, message: Any, call_id: Optional[str] = None) -> str:
        if self.session_id is None:
            raise RuntimeError("[envtune] [trl] reset() was not called.")
        if self.done:
            raise RuntimeError("[envtune] [trl] The episode has ended; no more tool calls.")
        r = self.client.step(self.session_id, message)
        self.done = bool(r["done"])
        self.reward += float(r["reward"])
        self.reward_components = r["reward_components"]
        own = [m for m in r["messages"] if call_id is not None and m.get("tool_call_id") == call_id]
        others = [m for m in r["messages"] if m not in own]
        text = observation_text(own) if own else ""
        follow = observation_text(others)
        if follow:
            text = (text + "\n\n" if text else "") + follow
        if self.done:
            text = (text + "\n\n" if text else "") + DONE_TEXT
        return text

    def _call(self, name: str, kwargs: Dict[str, Any]) -> str:
        self._calls += 1
        call_id = f"call_{self._calls}"
        args = {k: v for k, v in kwargs.items() if v is not None}
        msg = {"role": "assistant", "content": None, "tool_calls": [{"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}]}
        return self._apply(msg, call_id)

    def end_turn(self, message: str) -> str:
        """Reply to the user and end the current request; returns the user's next request.

        Args:
            message: Your reply to the user: a summary of what was done, a question for missing information, or a refusal.

        Returns:
            The user's next request, or "The task is complete." when there is none.
        """
        return self._apply(message) or DONE_TEXT

    def get_reward(self) -> float:
        """The episode reward so far (the stage's reward spec; unfinished turns count as failed)."""
        return self.reward

    def finish(self, final_text: Optional[str] = None) -> float:
        """Ends the rollout: the final assistant text (if the turn is still open) is sent as the answer."""
        if not self.done and final_text and self.session_id is not None:
            try:
                self._apply(final_text)
            except EnvtuneServerError:
                pass
        return self.reward

    def close(self) -> None:
        if self.session_id is not None:
            self.client.delete_session(self.session_id)
            self.session_id = None


def make_environment_factory(
    base_url: Optional[str] = None,
    token: Optional[str] = None,
    stage: Optional[str] = None,
    config: Optional[Dict[str, Any]] = None,
    schema: Optional[Dict[str, Any]] = None,
    task_id: Optional[str] = None,
) -> type:
    """Builds the ``environment_factory`` class from the server's ``/v1/tools`` (all tools, or one task's)."""
    client_args = {"base_url": base_url, "token": token}
    if schema is None:
        c = EnvtuneClient(**client_args)
        schema = c.tools(task_id=task_id, stage=stage)
        c.close()
    attrs: Dict[str, Any] = {"_client_args": client_args, "_stage": stage, "_config": {**TRL_EPISODE_CONFIG, **(config or {})}}
    for tool in schema.get("tools", []):
        fn = tool.get("function", tool)
        name = fn.get("name", "")
        if not name.isidentifier() or name.startswith("_") or name in RESERVED:
            continue
        attrs[name] = _tool_method(name, fn)
    return type("EnvtuneTRLEnvironment", (EnvtuneTRLEnvironment,), attrs)


def envtune_reward(completions: Any = None, environments: Any = None, **kwargs: Any) -> List[float]:
    """TRL reward function: each rollout's episode reward (the final text answers an open turn)."""
    out: List[float] = []
    for i, env in enumerate(environments or []):
        final = None
        if completions is not None and i < len(completions):
            c = completions[i]
            if isinstance(c, list) and c and isinstance(c[-1], dict) and c[-1].get("role") == "assistant" and not c[-1].get("tool_calls"):
                final = c[-1].get("content")
        out.append(float(env.finish(final)))
    return out


def trl_rows(client: EnvtuneClient, stage: Optional[str] = None, split: Optional[str] = None, part: Optional[str] = None) -> List[Dict[str, Any]]:
    """Dataset rows for TRL: the system prompt of each task (function-calling variant) plus its id."""
    rows = []
    tasks = client.tasks(split=split, part=part, stage=stage)["tasks"]
    for t in tasks:
        sid = new_session_id()
        created = client.create_session(task_id=t["task_id"], session_id=sid, stage=stage, config=TRL_EPISODE_CONFIG)
        client.delete_session(sid)
        system = [m for m in created["messages"] if m["role"] == "system"]
        rows.append({"prompt": system + [{"role": "user", "content": ""}], "task_id": t["task_id"], **({"stage": stage} if stage is not None else {})})
    return rows
