"""Replays OpenRLHF's own call sequence against envtune_adapters.openrlhf (for test/server/engine-openrlhf.test.ts).

Every step follows OpenRLHF/OpenRLHF @ 3c3be6234e0cb353e76bb8019947db9dfe99fca7 (cited per step).
CI cannot fetch OpenRLHF, so its text-only multi-turn loop is written out here and installed as the
stand-in ``MultiTurnAgentExecutor.execute``; where OpenRLHF is installed its own loop runs instead.
The model is scripted (it answers with the given actions), the tokenizer is one token per character.

argv[1]: JSON {"base_url", "task_id", "actions": [...], "rollouts", "group", "budget_every",
"budget_length"}. Prints one JSON report.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import urllib.request
from copy import deepcopy
from types import SimpleNamespace

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

PLAN = json.loads(sys.argv[1])
os.environ["ENVTUNE_URL"] = PLAN["base_url"]

from envtune_adapters import openrlhf as agent_file  # noqa: E402


class Tokens(list):
    def tolist(self) -> list:
        return list(self)


class CharTokenizer:
    """hf_tokenizer(text=..., add_special_tokens=False, return_tensors="pt")["input_ids"][0].tolist()."""

    def __call__(self, text: str, add_special_tokens: bool = False, return_tensors: str = "pt") -> dict:
        return {"input_ids": [Tokens(ord(c) for c in text)]}

    def decode(self, ids: list, skip_special_tokens: bool = False) -> str:
        return "".join(chr(i) for i in ids)


class ScriptedEngine:
    """``llm_engine.generate(tokens, sampling_params, multi_modal_data=...)`` -> RequestOutput-like."""

    def __init__(self, actions: list) -> None:
        self.actions = list(actions)
        self.calls = 0

    async def generate(self, prompt_token_ids: list, sampling_params, multi_modal_data=None):
        text = self.actions[min(self.calls, len(self.actions) - 1)] + "<|im_end|>"
        self.calls += 1
        text = text[: sampling_params.max_tokens]  # the engine stops at the budget
        return SimpleNamespace(outputs=[SimpleNamespace(token_ids=[ord(c) for c in text], text=text, logprobs=None)])


async def multi_turn_execute(self, prompt, label, sampling_params, max_length: int, hf_tokenizer, llm_engine, images=None):
    """openrlhf/utils/agent.py:36-181 (MultiTurnAgentExecutor.execute), text-only branches."""
    agent_instance = self.agent_instance_cls()  # agent.py:38
    initial_states = {"observation": prompt, "label": label}  # agent.py:41
    reset_result = await agent_instance.reset(initial_states)  # agent.py:42
    observation_text = reset_result["observation"]  # agent.py:43
    current_obs_tokens = hf_tokenizer(text=observation_text, add_special_tokens=False, return_tensors="pt")["input_ids"][0].tolist()  # agent.py:56-58
    min_generation_tokens = getattr(sampling_params, "max_tokens", None) or 1  # agent.py:61
    max_initial_length = max_length - min_generation_tokens  # agent.py:62
    if len(current_obs_tokens) > max_initial_length:  # agent.py:63-76: keep the prompt's tail
        current_obs_tokens = current_obs_tokens[-max_initial_length:]
        observation_text = hf_tokenizer.decode(current_obs_tokens, skip_special_tokens=False)
    action_ranges, total_reward, final_scores, extra_logs = [], 0, 0, {}  # agent.py:79-82
    step_rewards = []
    while True:  # agent.py:90
        sampling_params.max_tokens = max_length - len(current_obs_tokens)  # agent.py:92
        if sampling_params.max_tokens <= 0:  # agent.py:94-95: the token budget ends the episode, no hook
            break
        request_output = await llm_engine.generate(current_obs_tokens, deepcopy(sampling_params), multi_modal_data=None)  # agent.py:99-101
        action_tokens = request_output.outputs[0].token_ids  # agent.py:102
        action_text = request_output.outputs[0].text  # agent.py:103
        action_ranges.append((len(current_obs_tokens), len(current_obs_tokens) + len(action_tokens)))  # agent.py:106-108
        states = {"observation_text": observation_text, "action_text": action_text, "label": label, "sampling_params": sampling_params}  # agent.py:111-116
        step_result = await agent_instance.step(states)  # agent.py:117
        total_reward += step_result["rewards"].item()  # agent.py:119
        step_rewards.append(step_result["rewards"].item())
        final_scores = step_result.get("scores", total_reward)  # agent.py:120
        environment_feedback_text = step_result["environment_feedback"]  # agent.py:121
        done = step_result["done"]  # agent.py:123
        extra_logs = step_result.get("extra_logs", {})  # agent.py:124
        feedback_tokens = hf_tokenizer(text=environment_feedback_text, add_special_tokens=False, return_tensors="pt")["input_ids"][0].tolist()  # agent.py:145-147
        observation_text = observation_text + action_text + environment_feedback_text  # agent.py:150
        current_obs_tokens = current_obs_tokens + action_tokens + feedback_tokens  # agent.py:151
        if step_result.get("sampling_params", None):  # agent.py:162-163
            sampling_params = step_result["sampling_params"]
        if done:  # agent.py:165-166
            break
    return {"prompt": prompt, "label": label, "reward": total_reward, "scores": final_scores, "observation_tokens": current_obs_tokens, "action_ranges": action_ranges, "extra_logs": extra_logs, "step_rewards": step_rewards, "done": bool(action_ranges) and done}  # agent.py:169-181


try:  # OpenRLHF installed: its own loop runs (its stand-in is only defined without it)
    import openrlhf.utils.agent  # type: ignore  # noqa: F401
except Exception:
    if hasattr(agent_file, "MultiTurnAgentExecutor"):
        agent_file.MultiTurnAgentExecutor.execute = multi_turn_execute  # type: ignore[assignment]


def execute_of(executor):
    """The ``execute`` OpenRLHF would call: the file's own, else the inherited MultiTurnAgentExecutor loop."""
    if type(executor).execute is agent_file.AgentExecutorBase.execute:
        return lambda **kw: multi_turn_execute(executor, **kw)
    return executor.execute


def tensor_ready(value) -> bool:
    """What ``torch.tensor([value])`` accepts in samples_generator.py:294-297: a number (or numeric list)."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float)):
        return True
    if hasattr(value, "item"):
        return True
    return isinstance(value, list) and all(tensor_ready(v) for v in value)


def dataset_row() -> tuple:
    """The recipe's dataset row (``openrlhf_row``), rendered as prompts_dataset.py:26-37 does with
    ``--data.apply_chat_template`` (a ChatML tokenizer's template here)."""
    from envtune_adapters.client import EnvtuneClient

    row = agent_file.openrlhf_row(EnvtuneClient(PLAN["base_url"]), PLAN["task_id"])
    prompt = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in row["prompt"]) + "<|im_start|>assistant\n"
    return prompt, row["label"]


PROMPT, LABEL = dataset_row()


def health() -> dict:
    with urllib.request.urlopen(PLAN["base_url"] + "/v1/health") as r:
        return json.loads(r.read())


async def rollouts() -> dict:
    # vllm_engine.py:19-30 (_load_agent_executor): the agent file's AgentExecutor(), no arguments.
    executor = agent_file.AgentExecutor()
    assert isinstance(executor, agent_file.AgentExecutorBase)
    execute = execute_of(executor)
    tokenizer = CharTokenizer()
    prompt, label = PROMPT, LABEL
    results = []
    for start in range(0, PLAN["rollouts"], PLAN["group"]):
        n = min(PLAN["group"], PLAN["rollouts"] - start)
        budget = PLAN["budget_every"] and (start // PLAN["group"]) % PLAN["budget_every"] == 1
        max_length = PLAN["budget_length"] if budget else 10_000_000
        # samples_generator.py:203-211: one SamplingParams shared by the group; max_tokens=None.
        sampling_params = SimpleNamespace(max_tokens=None, logprobs=None, temperature=1.0)
        # vllm_engine.py:196-208 (generate_responses): num_samples executes of one prompt, gathered.
        outs = await asyncio.gather(*(execute(prompt=prompt, label=label, sampling_params=sampling_params, max_length=max_length, hf_tokenizer=tokenizer, llm_engine=ScriptedEngine(PLAN["actions"]), images=None) for _ in range(n)))
        results.extend(outs)
    return {
        "rollouts": len(results),
        "solved": [r["reward"] for r in results if r["done"]],
        "budget_ended": sum(1 for r in results if not r["done"]),
        "step_rewards": results[0]["step_rewards"],
        "scores": results[0]["scores"] if isinstance(results[0]["scores"], float) else float(results[0]["scores"].item()),
        "extra_logs_keys": sorted({tuple(sorted(r["extra_logs"])) for r in results}),
        "extra_logs_numeric": all(tensor_ready(v) for r in results for v in r["extra_logs"].values()),
        "health": health(),
    }


def remote_reward() -> dict:
    """openrlhf/utils/agent.py:281-296 and 322-353: POST {query, prompts, labels}; read rewards, scores, extra_logs."""
    prompt = PROMPT
    query = prompt + "<|im_end|>\n<|im_start|>assistant\n".join(PLAN["actions"])  # agent.py:283: the decoded prompt + response
    payload = {"query": [query], "prompts": [prompt], "labels": [LABEL]}  # agent.py:332-336
    req = urllib.request.Request(PLAN["base_url"] + "/v1/reward", data=json.dumps(payload).encode(), headers={"content-type": "application/json"})
    with urllib.request.urlopen(req) as r:  # agent.py:342-344: raise_for_status, then .json()
        rewards_info = json.loads(r.read())
    score_value = rewards_info.get("scores")  # agent.py:290-292
    if score_value is None:
        score_value = rewards_info.get("rewards")
    extra_logs = rewards_info.get("extra_logs") or {}  # agent.py:296
    return {
        "reward": rewards_info.get("rewards"),
        "scores": score_value,
        # samples_generator.py:288-297: torch.tensor([reward]), torch.tensor([score]), torch.tensor([value]) per extra_logs key
        "tensor_ready": tensor_ready(rewards_info.get("rewards")) and tensor_ready(score_value) and all(tensor_ready(v) for v in extra_logs.values()),
        "extra_logs": extra_logs,
    }


if __name__ == "__main__":
    report = asyncio.run(rollouts())
    report["remote"] = remote_reward()
    print(json.dumps(report))
