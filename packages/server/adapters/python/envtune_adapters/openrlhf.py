"""OpenRLHF adapter: an agent function file (``--train.agent_func_path``) backed by envtune sessions.

OpenRLHF's multi-turn executor creates one ``AgentInstance`` per prompt, calls ``reset({"observation":
prompt, "label": label})`` and then ``step({"observation_text", "action_text", "label", ...})`` after
every generation, summing ``rewards`` over the steps. Here ``rewards`` is each step's reward
increment, so the sum is the episode reward of the stage's reward spec; ``scores`` is the episode
reward so far. The label is JSON ``{"task_id": ..., "stage": ..., "config": ...}`` (or a bare task
id); the prompt should be the task's first messages rendered with the model's chat template.

``environment_feedback`` is the environment's messages rendered as user turns with a chat
template (ChatML by default: ``$ENVTUNE_CHAT_TEMPLATE`` = ``chatml`` | ``llama3`` | ``plain``).

Use it directly as the agent file: ``--train.agent_func_path
/path/to/envtune_adapters/openrlhf.py`` (server from ``$ENVTUNE_URL``, token ``$ENVTUNE_TOKEN``).
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional

try:  # loaded as a package module
    from .client import EnvtuneClient, EnvtuneServerError, new_session_id, parse_config
except ImportError:  # loaded by file path (OpenRLHF imports the agent file on its own)
    import sys

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from envtune_adapters.client import EnvtuneClient, EnvtuneServerError, new_session_id, parse_config  # type: ignore

try:  # pragma: no cover - depends on the environment
    from openrlhf.utils.agent import AgentExecutorBase, AgentInstanceBase  # type: ignore
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

        async def execute(self, prompt: Any, label: Any, sampling_params: Any, max_length: int, hf_tokenizer: Any, llm_engine: Any) -> dict:
            raise NotImplementedError


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


class AgentInstance(AgentInstanceBase):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = EnvtuneClient(os.environ.get("ENVTUNE_URL"), token=os.environ.get("ENVTUNE_TOKEN"))
        self.session_id: Optional[str] = None
        self.done = False
        self.reward = 0.0

    async def reset(self, states: dict, **kwargs: Any) -> dict:
        label = parse_label(states.get("label"))
        self.session_id = new_session_id()
        stage = label.get("stage")
        self.client.create_session(task_id=label["task_id"], session_id=self.session_id, stage=None if stage is None else str(stage), config=parse_config(label.get("config")))
        self.done = False
        self.reward = 0.0
        return {"observation": states.get("observation", states.get("prompt", ""))}

    async def step(self, states: dict, **kwargs: Any) -> dict:
        if self.session_id is None:
            raise RuntimeError("[envtune] [openrlhf] reset() was not called.")
        action = states.get("action_text") or ""
        for stop in ("<|im_end|>", "<|eot_id|>", "</s>", "<|endoftext|>"):
            if action.endswith(stop):
                action = action[: -len(stop)]
        r = self.client.step(self.session_id, action)
        self.done = bool(r["done"])
        self.reward += float(r["reward"])
        if self.done:
            try:
                self.client.delete_session(self.session_id)
            except EnvtuneServerError:
                pass
        return {
            "rewards": _scalar(float(r["reward"])),
            "scores": _scalar(self.reward),
            "environment_feedback": render_feedback(r["messages"], self.done),
            "done": self.done,
            "sampling_params": states.get("sampling_params"),
            "extra_logs": {k: _scalar(v) for k, v in r["reward_components"].items()},
        }


try:  # pragma: no cover - depends on the OpenRLHF version
    from openrlhf.utils.agent import MultiTurnAgentExecutor  # type: ignore

    class AgentExecutor(MultiTurnAgentExecutor):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(AgentInstance)

except Exception:

    class AgentExecutor(AgentExecutorBase):  # type: ignore[no-redef]
        """Executor of older OpenRLHF versions (and without OpenRLHF): holds the instance class."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.agent_instance_cls = AgentInstance
