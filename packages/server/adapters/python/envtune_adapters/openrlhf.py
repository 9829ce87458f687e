"""OpenRLHF adapter: an agent function file (``--train.agent_func_path``) backed by envtune sessions.

OpenRLHF (pinned: OpenRLHF/OpenRLHF @ 3c3be6234e0cb353e76bb8019947db9dfe99fca7) loads this file,
instantiates ``AgentExecutor()`` (openrlhf/trainer/ray/vllm_engine.py:19-30) and awaits its
``execute(...)`` once per sample (vllm_engine.py:196-208). ``MultiTurnAgentExecutor.execute``
(openrlhf/utils/agent.py:36-181) creates one ``AgentInstance()`` per sample, awaits
``reset({"observation": prompt, "label": label})`` and then, after every generation,
``step({"observation_text", "action_text", "label", "sampling_params"})``, summing
``rewards.item()`` over the steps (agent.py:119) and keeping the last step's ``scores`` and
``extra_logs`` (agent.py:120-124). Here ``rewards`` is each step's reward increment, so the sum is
the episode reward of the stage's reward spec, counted once; ``scores`` is the episode reward so far;
``extra_logs`` holds the six reward components as floats (OpenRLHF makes a tensor of each value and
needs the same keys in every sample: samples_generator.py:293-297, experience.py:180-190).

Session lifetime: the episode ends when the environment says ``done`` (the session is deleted at
once) or when OpenRLHF's token budget runs out. On the budget OpenRLHF just leaves its loop
(agent.py:92-95) and calls nothing on the instance, so no instance hook exists; the executor's own
``execute`` is the last hook OpenRLHF runs for a sample, and ``AgentExecutor.execute`` here deletes
every session its instances opened when it returns or raises. The server's idle TTL
(``envtune serve --ttl``) remains the backstop for a process that dies mid-rollout.

HTTP calls run in a worker thread (``asyncio.to_thread``): ``execute`` runs on the vLLM actor's
event loop, which must keep streaming generations. All instances of a process share one
:class:`EnvtuneClient`, so the fleet state (dead servers, session affinity) is shared too.

The label is JSON ``{"task_id": ..., "stage": ..., "config": ...}`` (or a bare task id); the prompt
should be the task's first messages rendered with the model's chat template.
``environment_feedback`` is the environment's messages rendered as user turns with a chat
template (ChatML by default: ``$ENVTUNE_CHAT_TEMPLATE`` = ``chatml`` | ``llama3`` | ``plain``).

Use it directly as the agent file: ``--train.agent_func_path
/path/to/envtune_adapters/openrlhf.py`` (servers from ``$ENVTUNE_URLS`` or ``$ENVTUNE_URL``, token
``$ENVTUNE_TOKEN``).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import sys
import threading
from typing import Any, Dict, List, Optional

try:  # loaded as a package module
    from .client import EnvtuneClient, EnvtuneServerError, new_session_id, parse_config
except ImportError:  # loaded by file path (OpenRLHF imports the agent file on its own)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from envtune_adapters.client import EnvtuneClient, EnvtuneServerError, new_session_id, parse_config  # type: ignore

try:  # pragma: no cover - depends on the environment
    from openrlhf.utils.agent import AgentExecutorBase, AgentInstanceBase, MultiTurnAgentExecutor  # type: ignore
except Exception:  # OpenRLHF is not installed: the documented base classes, minimally

    class AgentInstanceBase:  # type: ignore[no-redef]
        """Stand-in for ``openrlhf.utils.agent.AgentInstanceBase``."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pass

        async def reset(self, states: dict, **kwargs: Any) -> dict:
            return states

        async def step(self, states: dict, **kwargs: Any) -> dict:
            raise NotImplementedError

    class AgentExecutorBase:  # type: ignore[no-redef]
        """Stand-in for ``openrlhf.utils.agent.AgentExecutorBase``."""

        async def execute(self, prompt: Any, label: Any, sampling_params: Any, max_length: int, hf_tokenizer: Any, llm_engine: Any, images: Any = None) -> dict:
            raise NotImplementedError

    class MultiTurnAgentExecutor(AgentExecutorBase):  # type: ignore[no-redef]
        """Stand-in for ``openrlhf.utils.agent.MultiTurnAgentExecutor``: holds the instance class; the
        multi-turn loop itself is OpenRLHF's (tests install a replay of it as ``execute``)."""

        def __init__(self, agent_instance_cls: Any) -> None:
            self.agent_instance_cls = agent_instance_cls


class Reward(float):
    """A float with ``.item()``, which OpenRLHF calls on ``rewards`` (a tensor when torch is there)."""

    def item(self) -> float:
        return float(self)


def _scalar(x: float) -> Any:
    try:
        import torch  # type: ignore

        return torch.tensor(float(x))
    except Exception:
        return Reward(x)


TEMPLATES = {
    "chatml": ("<|im_end|>\n", "<|im_start|>user\n{content}<|im_end|>\n", "<|im_start|>assistant\n"),
    "llama3": ("<|eot_id|>", "<|start_header_id|>user<|end_header_id|>\n\n{content}<|eot_id|>", "<|start_header_id|>assistant<|end_header_id|>\n\n"),
    "plain": ("\n", "User: {content}\n", "Assistant: "),
}


def render_feedback(messages: List[Dict[str, Any]], done: bool, template: Optional[str] = None) -> str:
    """Closes the assistant turn, adds each environment message as a user turn, opens the next assistant turn."""
    end, user, start = TEMPLATES[template or os.environ.get("ENVTUNE_CHAT_TEMPLATE", "chatml")]
    body = "".join(user.format(content=m.get("content") or "") for m in messages if m.get("content"))
    return end + body + ("" if done else start)


def parse_label(label: Any) -> Dict[str, Any]:
    if isinstance(label, dict):
        return label
    try:
        value = json.loads(label)
    except (TypeError, ValueError):
        value = label
    if isinstance(value, str):
        return {"task_id": value}
    if not isinstance(value, dict) or not value.get("task_id"):
        raise ValueError(f"[envtune] [openrlhf] label must be a task id or JSON with `task_id`, got {str(label)[:100]!r}.")
    return value


# The reward components every step reports (the engine's REWARD_COMPONENTS): fixed keys, because
# OpenRLHF splits each extra_logs key per sample and fails on a key that some samples lack.
REWARD_COMPONENTS = ("progress", "binary", "format", "tool", "is_tool_call", "stage1")

_client: Optional[EnvtuneClient] = None
_client_lock = threading.Lock()


def shared_client() -> EnvtuneClient:
    """The process's client (created on first use from ``$ENVTUNE_URLS``/``$ENVTUNE_URL``)."""
    global _client
    with _client_lock:
        if _client is None:
            _client = EnvtuneClient(token=os.environ.get("ENVTUNE_TOKEN"))
        return _client


# The instances the current ``execute`` created (one asyncio task per sample, so one list each).
_open_instances: "contextvars.ContextVar[Optional[List[AgentInstance]]]" = contextvars.ContextVar("envtune_open_instances", default=None)


def strip_stop(action: str) -> str:
    for stop in ("<|im_end|>", "<|eot_id|>", "</s>", "<|endoftext|>"):
        if action.endswith(stop):
            return action[: -len(stop)]
    return action


class AgentInstance(AgentInstanceBase):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = shared_client()
        self.session_id: Optional[str] = None
        self.done = False
        self.reward = 0.0
        owned = _open_instances.get()
        if owned is not None:
            owned.append(self)

    async def reset(self, states: dict, **kwargs: Any) -> dict:
        label = parse_label(states.get("label"))
        await self.close()  # a reused instance must not leak its previous session
        sid = new_session_id()
        stage = label.get("stage")
        await asyncio.to_thread(self.client.create_session, task_id=label["task_id"], session_id=sid, stage=None if stage is None else str(stage), config=parse_config(label.get("config")))
        self.session_id = sid
        self.done = False
        self.reward = 0.0
        return {"observation": states.get("observation", states.get("prompt", ""))}

    async def step(self, states: dict, **kwargs: Any) -> dict:
        if self.session_id is None:
            raise RuntimeError("[envtune] [openrlhf] reset() was not called (or the episode is over).")
        r = await asyncio.to_thread(self.client.step, self.session_id, strip_stop(states.get("action_text") or ""))
        self.done = bool(r["done"])
        self.reward += float(r["reward"])
        if self.done:
            await self.close()
        comps = r.get("reward_components") or {}
        return {
            "rewards": _scalar(float(r["reward"])),
            "scores": _scalar(self.reward),
            "environment_feedback": render_feedback(r["messages"], self.done),
            "done": self.done,
            "sampling_params": states.get("sampling_params"),
            "extra_logs": {k: float(comps.get(k, 0.0)) for k in REWARD_COMPONENTS},
        }

    async def close(self) -> None:
        """Deletes the session (idempotent; a session already gone or lost is fine)."""
        sid, self.session_id = self.session_id, None
        if sid is not None:
            try:
                await asyncio.to_thread(self.client.delete_session, sid)
            except EnvtuneServerError:
                pass  # the server's idle TTL reaps what could not be deleted


async def _execute_and_close(run: Any) -> dict:
    """Runs one sample's ``execute``; then closes every session its instances left open.

    A sample can also end before its first step: the executors of one prompt share one
    ``sampling_params`` and each writes its budget into it (agent.py:92), so another sample's
    negative budget can skip the initial truncation (agent.py:61-63) and end the loop at once with
    ``extra_logs = {}`` (agent.py:82). Every result gets every component key (0.0 where no step
    ran), because OpenRLHF fails a batch whose samples log different keys (experience.py:180-190).
    """
    owned: List[AgentInstance] = []
    token = _open_instances.set(owned)
    try:
        result = await run()
        if isinstance(result, dict) and isinstance(result.get("extra_logs"), dict):
            result["extra_logs"] = {**{k: 0.0 for k in REWARD_COMPONENTS}, **result["extra_logs"]}
        return result
    finally:
        _open_instances.reset(token)
        for inst in owned:
            await inst.close()


def openrlhf_row(client: EnvtuneClient, task_id: str, stage: Optional[str] = None) -> Dict[str, Any]:
    """One prompt-dataset row: the task's first messages (``prompt``, for ``--data.apply_chat_template``)
    and its ``label`` (JSON text, what :func:`parse_label` reads)."""
    sid = new_session_id()
    created = client.create_session(task_id=task_id, session_id=sid, stage=stage)
    client.delete_session(sid)
    messages = [{"role": m["role"], "content": m.get("content") or ""} for m in created["messages"]]
    label = {"task_id": task_id, **({"stage": str(stage)} if stage is not None else {})}
    return {"prompt": messages, "label": json.dumps(label)}


def openrlhf_rows(client: EnvtuneClient, stage: Optional[str] = None, split: Optional[str] = None, part: Optional[str] = None) -> List[Dict[str, Any]]:
    """The prompt dataset of a stage (``--data.input_key prompt --data.label_key label``)."""
    tasks = client.tasks(split=split, part=part, stage=stage)["tasks"]
    return [openrlhf_row(client, t["task_id"], stage) for t in tasks]


def main(argv: Optional[List[str]] = None) -> int:
    """``python -m envtune_adapters.openrlhf --stage 3 --out stage3.jsonl``: a stage's prompt dataset."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m envtune_adapters.openrlhf", description="Write an OpenRLHF prompt dataset (JSONL) from a running envtune server.")
    ap.add_argument("--out", required=True, help="JSONL file to write")
    ap.add_argument("--stage", help="curriculum stage (1-4); default: the server's default")
    ap.add_argument("--split", help="split name (default: the server's)")
    ap.add_argument("--part", help="split part: train or test")
    ap.add_argument("--url", help="server URL(s), comma-separated (default $ENVTUNE_URLS / $ENVTUNE_URL)")
    args = ap.parse_args(argv)
    rows = openrlhf_rows(EnvtuneClient(args.url), stage=args.stage, split=args.split, part=args.part)
    with open(args.out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    print(f"[envtune] [openrlhf] wrote {len(rows)} rows to {args.out}", file=sys.stderr)
    return 0


class AgentExecutor(MultiTurnAgentExecutor):  # type: ignore[misc, valid-type]
    """What OpenRLHF loads from the agent file: its multi-turn loop, with sessions closed at the end."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(AgentInstance)

    async def execute(self, *args: Any, **kwargs: Any) -> dict:
        # The last hook OpenRLHF runs for a sample, whether it ended done, on the token budget or raised.
        return await _execute_and_close(lambda: super(AgentExecutor, self).execute(*args, **kwargs))


if __name__ == "__main__":
    sys.exit(main())
