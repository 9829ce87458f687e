"""TRL adapter: ``environment_factory`` classes whose tools are exactly one task's BFCL tools.

How TRL drives it (huggingface/trl @ f2cd57710ae345ea6428ae95363267fcf38a3dc8,
trl/trainer/grpo_trainer.py):

- Every public bound method of the environment instance except ``reset`` and ``get_reward`` is a
  tool (:645-651, :2306-2310); the tool schema comes from transformers' ``get_json_schema`` (type
  hints plus a Google docstring). So this class's lifecycle methods are underscore-prefixed, and its
  public methods are the task's tools plus ``end_turn`` (below).
- A dict ``environment_factory`` renders each prompt with the tools of the environment its row names
  in the ``environment`` column (:1727-1733). :func:`trl_dataset` groups the tasks by their tool set
  and returns the rows and that dict, so a prompt carries its task's tools (about 30, not all 140).
- ``reset(**row)`` opens the rollout's episode (:2320-2331); its result is appended to the prompt.
- TRL adds an environment's ``get_reward`` as a reward source of its own (:660-685). This class has
  none: :func:`envtune_reward` is the one reward source (pass it as ``reward_funcs``), so the episode
  reward is counted once. It also answers an open turn with the rollout's final text and releases
  the session; sessions end earlier when the episode ends.

TRL cannot inject user turns, so the next user question arrives inside the result of the
``end_turn`` tool: the model calls ``end_turn(message=...)`` with its reply to the user, and gets
the next question back (or "The task is complete.").
"""

from __future__ import annotations

import inspect
import json
from typing import Any, Callable, Dict, List, Optional, Tuple

from .client import EnvtuneClient, EnvtuneServerError, new_session_id, observation_text, parse_config

#: Episode settings of TRL sessions: OpenAI tool calls, tool-role results, and one tool call per
#: step (so the per-turn budget counts calls).
TRL_EPISODE_CONFIG: Dict[str, Any] = {"actionFormat": "openai", "observation": "tool", "systemPrompt": "fc", "maxActionsPerTurn": 20}

_JSON_TYPES: Dict[str, Any] = {"string": str, "integer": int, "number": float, "boolean": bool, "array": list, "object": dict}
#: Names a BFCL tool may not take: TRL's own (``reset``, ``get_reward``) and the turn-ending tool.
RESERVED = {"reset", "get_reward", "end_turn"}
DONE_TEXT = "The task is complete."


def _py_type(schema: Dict[str, Any]) -> Any:
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), "string")
    return _JSON_TYPES.get(t or "string", str)


def _doc_text(text: Any, fallback: str) -> str:
    """One line of docstring text that transformers' Google-docstring parser reads back unchanged.

    ``get_json_schema`` cuts the description at ``Args:``/``Returns:``/``Raises:`` and reads a
    trailing ``(choices: ...)`` as a JSON enum (transformers/utils/chat_template_utils.py, v5.18.0:
    ``description_re``, ``args_split_re``, ``get_json_schema``); tool texts must trigger neither.
    """
    out = " ".join(str(text or "").split()) or fallback
    for word in ("Args:", "Returns:", "Raises:"):
        out = out.replace(word, word[:-1] + " -")
    return out.replace("(choices:", "(choices -")


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
        arg_docs.append(f"    {pname}: {_doc_text(p.get('description'), pname)}")
    annotations["return"] = str
    method.__name__ = name
    method.__qualname__ = f"EnvtuneTRLEnvironment.{name}"
    method.__signature__ = inspect.Signature(sig_params, return_annotation=str)  # type: ignore[attr-defined]
    method.__annotations__ = annotations
    description = _doc_text(fn_schema.get("description"), name)
    method.__doc__ = description + ("\n\nArgs:\n" + "\n".join(arg_docs) if arg_docs else "") + "\n\nReturns:\n    The tool's result."
    return method


class EnvtuneTRLEnvironment:
    """Base of the generated classes (see :func:`make_environment_factory`); tool methods are added there.

    Public methods are tools (TRL's rule); everything else here is ``reset`` or underscore-prefixed.
    """

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
        self._close()  # TRL reuses instances across batches (grpo_trainer.py:2279-2296).
        task_id = kwargs.get("task_id")
        if not task_id:
            raise ValueError("[envtune] [trl] dataset rows need a `task_id` column (see trl_dataset()).")
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
            raise RuntimeError("[envtune] [trl] The episode has ended (or reset() was not called); no more tool calls.")
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
            self._close()  # The reward is known here; the server need not keep the episode.
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
        if self.done:
            return DONE_TEXT
        return self._apply(message) or DONE_TEXT

    def _finish(self, final_text: Optional[str] = None) -> float:
        """Ends the rollout: the final assistant text (if a turn is still open) answers it; releases the session."""
        if not self.done and final_text and self.session_id is not None:
            try:
                self._apply(final_text)
            except EnvtuneServerError:
                pass
        self._close()
        return self.reward

    def _close(self) -> None:
        if self.session_id is not None:
            sid, self.session_id = self.session_id, None
            try:
                self.client.delete_session(sid)
            except EnvtuneServerError:
                pass  # Reaped or gone with its server: nothing left to release.


def make_environment_factory(
    base_url: Optional[str] = None,
    token: Optional[str] = None,
    stage: Optional[str] = None,
    config: Optional[Dict[str, Any]] = None,
    schema: Optional[Dict[str, Any]] = None,
    task_id: Optional[str] = None,
) -> type:
    """One ``environment_factory`` class whose tools are ``schema``'s (default: ``GET /v1/tools`` of ``task_id``)."""
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
            continue  # TRL would not expose it as a tool (private) or it would replace the env API.
        attrs[name] = _tool_method(name, fn)
    return type("EnvtuneTRLEnvironment", (EnvtuneTRLEnvironment,), attrs)


def trl_dataset(
    base_url: Optional[str] = None,
    token: Optional[str] = None,
    stage: Optional[str] = None,
    split: Optional[str] = None,
    part: Optional[str] = None,
    config: Optional[Dict[str, Any]] = None,
) -> Tuple[List[Dict[str, Any]], Dict[str, type]]:
    """Rows and the dict ``environment_factory`` for ``GRPOTrainer``: one environment per tool set.

    A row is ``{prompt, task_id, stage?, environment}``; the prompt is the task's system prompt (the
    function-calling variant) and an empty user message that ``reset`` fills with the first
    question. Tasks with the same tools share an environment named after their classes.
    """
    client = EnvtuneClient(base_url, token=token)
    episode_config = {**TRL_EPISODE_CONFIG, **(config or {})}
    rows: List[Dict[str, Any]] = []
    names: Dict[Tuple[str, ...], str] = {}
    factories: Dict[str, type] = {}
    try:
        for t in client.tasks(split=split, part=part, stage=stage)["tasks"]:
            sid = new_session_id()
            created = client.create_session(task_id=t["task_id"], session_id=sid, stage=stage, config=episode_config)
            client.delete_session(sid)
            key = tuple(sorted(tool["function"]["name"] for tool in created["tools"]))
            if key not in names:
                base = "+".join(sorted(t.get("classes") or [])) or "tools"
                taken = sum(1 for n in names.values() if n == base or n.startswith(base + "#"))
                names[key] = base if taken == 0 else f"{base}#{taken + 1}"
                factories[names[key]] = make_environment_factory(base_url, token, stage, config, schema={"tools": created["tools"]})
            system = [m for m in created["messages"] if m["role"] == "system"]
            row = {"prompt": system + [{"role": "user", "content": ""}], "task_id": t["task_id"], "environment": names[key]}
            if stage is not None:
                row["stage"] = stage
            rows.append(row)
    finally:
        client.close()
    return rows, factories


def envtune_reward(completions: Any = None, environments: Any = None, **kwargs: Any) -> List[float]:
    """TRL's one reward source for envtune: each rollout's episode reward, counted once.

    TRL passes the rollouts' environments as ``environments`` (grpo_trainer.py:1629-1631). A final
    assistant text (no tool call) answers the turn that is still open; then the session is released.
    """
    out: List[float] = []
    for i, env in enumerate(environments or []):
        final = None
        if completions is not None and i < len(completions):
            c = completions[i]
            if isinstance(c, list) and c and isinstance(c[-1], dict) and c[-1].get("role") == "assistant" and not c[-1].get("tool_calls"):
                final = c[-1].get("content")
        out.append(float(env._finish(final)))
    return out
