"""Replays verl's, TRL's and SkyRL's own call sequences against the adapters and a running server.

    python3 engines.py PLAN.json        # prints one JSON line

CI cannot reach the engines, so each sequence below is written from the engine's source; every
step cites ``file:line @ commit``:

- verl   volcengine/verl         @ b178a3cd56f58b2d502255daba591e92833930a7
- TRL    huggingface/trl         @ f2cd57710ae345ea6428ae95363267fcf38a3dc8
- SkyRL  NovaSky-AI/SkyRL        @ a9564572eb8e91076be43c1bd5e4615e3de17265

PLAN: ``{"engine": "verl"|"trl"|"skyrl", "base_url", "token"?, ...}`` (see each ``replay_*``).
Standard library only; no model: the plan gives each rollout's assistant outputs.
"""

from __future__ import annotations

import asyncio
import copy
import importlib
import inspect
import json
import os
import re
import sys
import uuid
from typing import Any, Dict, List

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


# --- verl ----------------------------------------------------------------------------------------

_HERMES = re.compile(r"<tool_call>(.*?)</tool_call>", re.DOTALL)


def hermes_calls(text: str) -> List[Dict[str, Any]]:
    """verl's hermes parser (verl/experimental/agent_loop/tool_parser.py:87-106): a ``<tool_call>`` block
    is a call to verl's tools when its JSON has ``name`` and ``arguments``; anything else is dropped."""
    if "<tool_call>" not in text or "</tool_call>" not in text:  # :90
        return []
    calls = []
    for match in _HERMES.findall(text):  # :93
        try:
            fc = json.loads(match)  # :97
            calls.append({"name": fc["name"], "arguments": json.dumps(fc["arguments"])})  # :98-99 (TypeError on arrays)
        except Exception:
            pass  # :100-101 logged, skipped
    return calls


async def _verl_rollout(plan: Dict[str, Any], rollout: Dict[str, Any], limits: Dict[str, Any]) -> Dict[str, Any]:
    row = rollout["row"]
    # agent_loop.py:443-445: rows without `agent_name` run `default_agent_loop` (rollout.yaml:218: single_turn_agent).
    agent_name = row.get("agent_name", "single_turn_agent")
    extra_fields: Dict[str, Any] = {}
    messages = copy.deepcopy(row["prompt"])  # tool_agent_loop.py:135 raw_prompt (rl_dataset.py:344)
    outputs = list(rollout["actions"])
    hook_calls: List[str] = []
    if agent_name == "tool_agent":
        # tool_agent_loop.py:127-131: a fresh interaction map per ToolAgentLoop, i.e. per rollout;
        # interaction_registry.py:55-80: class from `class_name`, config with `name` injected.
        item = plan["interaction_config"]["interaction"][0]
        module, cls_name = item["class_name"].rsplit(".", 1)
        config = dict(item.get("config") or {})
        config["name"] = item["name"]
        interaction = getattr(importlib.import_module(module), cls_name)(config=config)
        request_id = uuid.uuid4().hex  # tool_agent_loop.py:143
        kwargs = row["extra_info"]["interaction_kwargs"]  # :150
        await interaction.start_interaction(request_id, **kwargs)  # :160
        hook_calls.append("start_interaction")
        turn_scores: List[float] = []
        assistant_turns = user_turns = 0
        while outputs:  # the state machine, :175-186 (PENDING -> GENERATING)
            text = outputs.pop(0)
            assistant_turns += 1  # :243
            if limits.get("max_assistant_turns") and assistant_turns >= limits["max_assistant_turns"]:  # :256
                break
            if limits.get("max_user_turns") and user_turns >= limits["max_user_turns"]:  # :258
                break
            calls = hermes_calls(text)  # :262
            messages.append({"role": "assistant", "content": text})  # :265-270
            if calls:  # :273 PROCESSING_TOOLS: no verl tools are configured, so every call fails (:421-439)
                messages.extend({"role": "tool", "content": f"Error when executing tool: '{c['name']}'"} for c in calls)
                user_turns += 1  # :376
                continue
            done, response, reward, _ = await interaction.generate_response(request_id, messages, **kwargs)  # :386
            hook_calls.append("generate_response")
            user_turns += 1  # :389
            messages.append({"role": "user", "content": response})  # :391-392
            if reward is not None:
                turn_scores.append(reward)  # :394-395
            if done:  # :411-412
                break
        extra_fields = {"turn_scores": turn_scores, "tool_rewards": []}  # :208
        # verl calls no calculate_score or finalize_interaction anywhere (grep at the commit above).
    # else: single_turn_agent generates once and calls no interaction (single_turn_agent_loop.py).
    # reward_loop/reward_manager/naive.py:42-84: extra_info = row extra_info + tool_extra_fields.
    extra_info = copy.deepcopy(row.get("extra_info", {}))
    extra_info.update(extra_fields.items())
    extra_info["num_turns"] = 0
    extra_info["rollout_reward_scores"] = {}
    # trainer/ppo/reward.py:80-95 + utils/import_utils.py:106-108: `pkg://module` -> import_module.
    path, name = plan["custom_reward_function"]["path"], plan["custom_reward_function"]["name"]
    fn = getattr(importlib.import_module(path[len("pkg://"):].replace("/", ".")), name)
    try:
        score = fn(data_source=row["data_source"], solution_str="", ground_truth=row["reward_model"]["ground_truth"], extra_info=extra_info)
        error = None
    except Exception as e:  # noqa: BLE001 - reported to the test
        score, error = None, f"{type(e).__name__}: {e}"
    return {"score": score, "turn_scores": extra_fields.get("turn_scores"), "hooks": hook_calls, "error": error}


def replay_verl(plan: Dict[str, Any]) -> Dict[str, Any]:
    """PLAN: ``interaction_config`` (the YAML as a dict), ``custom_reward_function`` {path, name},
    ``limits`` {max_assistant_turns, max_user_turns}, ``rollouts`` [{row, actions}], ``concurrency``."""
    limits = plan.get("limits", {})

    async def run() -> List[Dict[str, Any]]:
        # agent_loop.py:473-481: every sample of a batch runs as its own asyncio task.
        out: List[Dict[str, Any]] = []
        batch = int(plan.get("concurrency", 16))
        for i in range(0, len(plan["rollouts"]), batch):
            out += await asyncio.gather(*(_verl_rollout(plan, r, limits) for r in plan["rollouts"][i : i + batch]))
        return out

    return {"rollouts": asyncio.run(run())}


# --- TRL -----------------------------------------------------------------------------------------

# transformers' get_json_schema (src/transformers/utils/chat_template_utils.py, v5.18.0): the
# Google-docstring regexes it parses with, and the checks that raise (:364, :202, :374).
_DESC = re.compile(r"^(.*?)[\n\s]*(Args:|Returns:|Raises:|\Z)", re.DOTALL)
_ARGS = re.compile(r"\n\s*Args:\n\s*(.*?)[\n\s]*(Returns:|Raises:|\Z)", re.DOTALL)
_ARG = re.compile(r"(?:^|\n)\s*(\w+):\s*(.*?)\s*(?=\n\s*\w+:|\Z)", re.DOTALL)
_CHOICES = re.compile(r"\(choices:\s*(.*?)\)\s*$", re.IGNORECASE)


def schema_problems(fn: Any) -> List[str]:
    """What transformers' ``get_json_schema`` would raise on for ``fn`` (empty: accepted)."""
    name = getattr(fn, "__name__", "?")
    doc = inspect.getdoc(fn)
    if not doc:
        return [f"{name}: no docstring"]
    problems = []
    sig = inspect.signature(fn)
    hints = getattr(fn, "__annotations__", {})
    block = _ARGS.search(doc.strip())
    described = {m[0]: m[1] for m in _ARG.findall("\n".join(l for l in block.group(1).split("\n") if l.strip()))} if block else {}
    for p in sig.parameters.values():
        if p.annotation is inspect.Parameter.empty and p.name not in hints:
            problems.append(f"{name}: argument {p.name} has no type hint")
        if p.name not in described:
            problems.append(f"{name}: argument {p.name} has no description")
        elif _CHOICES.search(described[p.name]):
            try:
                json.loads(_CHOICES.search(described[p.name]).group(1))
            except ValueError:
                problems.append(f"{name}: argument {p.name}: (choices: ...) is not JSON")
    if not _DESC.search(doc.strip()).group(1).strip():
        problems.append(f"{name}: empty description")
    return problems


def _real_get_json_schema():
    try:
        from transformers.utils import get_json_schema  # type: ignore
    except Exception:
        return None
    return get_json_schema


def replay_trl(plan: Dict[str, Any]) -> Dict[str, Any]:
    """PLAN: ``stage``, ``rollouts`` [{task_id, calls: [{tool, arguments} | {end_turn}], final_text?}],
    ``batch`` (rollouts per generation batch). Uses ``trl_dataset`` for rows and factories."""
    from envtune_adapters import trl as adapter

    rows, factories = adapter.trl_dataset(plan["base_url"], token=plan.get("token"), stage=plan.get("stage"))
    by_task = {r["task_id"]: r for r in rows}
    # grpo_trainer.py:615-624: a dict factory maps each row's `environment` to its factory.
    reward_funcs: List[Any] = [adapter.envtune_reward]  # the user's reward_funcs (README)
    env_tools: Dict[str, List[str]] = {}
    problems: List[str] = []
    real = _real_get_json_schema()
    pool: Dict[str, List[Any]] = {}
    for name, factory in factories.items():  # :639-685, one probe instance per environment
        instance = factory()
        has_reset, methods = False, []
        for member_name, member in inspect.getmembers(instance, predicate=inspect.ismethod):  # :645
            if member_name == "reset":
                has_reset = True
            elif member_name == "get_reward":  # :648-649, then :660-685: an extra reward source, weight 1
                env_type = type(instance)
                reward_funcs.append(lambda environments, _t=env_type, **kw: [e.get_reward() if type(e) is _t else None for e in environments])
            elif not member_name.startswith("_"):  # :650-651
                methods.append(member)
        assert has_reset, "reset missing"  # :652-655
        env_tools[name] = sorted(m.__name__ for m in methods)
        pool[name] = [instance]
        for m in methods:  # the chat template renders each tool with get_json_schema (:1731-1733)
            problems += schema_problems(m)
            if real is not None:
                try:
                    real(m)
                except Exception as e:  # noqa: BLE001
                    problems.append(f"real get_json_schema: {m.__name__}: {e}")

    totals: List[float] = []
    batch = int(plan.get("batch", 8))
    selected = plan["rollouts"]
    for i in range(0, len(selected), batch):
        group = selected[i : i + batch]
        inputs = [by_task[r["task_id"]] for r in group]
        environments, cursor = [], {}
        for x in inputs:  # :2279-2296: one pooled instance per rollout, reused across batches
            name = x["environment"]
            k = cursor.get(name, 0)
            if k == len(pool[name]):
                pool[name].append(factories[name]())
            cursor[name] = k + 1
            environments.append(pool[name][k])
        tool_dicts = [
            {n: m for n, m in inspect.getmembers(env, predicate=inspect.ismethod) if n not in ("reset", "get_reward") and not n.startswith("_")}
            for env in environments
        ]  # :2300-2318
        completions = []
        for r, x, env, tools in zip(group, inputs, environments, tool_dicts):
            env.reset(**{k: v for k, v in x.items() if k != "environment"})  # :2320-2324
            completion: List[Dict[str, Any]] = []
            for c in r["calls"]:  # the tool loop: one call, one result
                name = "end_turn" if "end_turn" in c else c["tool"]
                args = {"message": c["end_turn"]} if "end_turn" in c else c["arguments"]
                if name not in tools:
                    completion.append({"role": "tool", "name": name, "content": f"unknown tool {name}"})
                    continue
                completion.append({"role": "tool", "name": name, "content": tools[name](**args)})
            completion.append({"role": "assistant", "content": r.get("final_text", "")})
            completions.append(completion)
        # :1612-1660: every reward func gets the rows' columns and `environments`; weights are 1.
        kwargs = {k: [x[k] for x in inputs] for k in inputs[0] if k not in ("prompt", "completion", "completion_ids")}
        per_func = [f(prompts=[x["prompt"] for x in inputs], completions=completions, completion_ids=None, environments=environments, **kwargs) for f in reward_funcs]
        totals += [sum(v[j] for v in per_func if v[j] is not None) for j in range(len(group))]
    row_env = {t: by_task[t]["environment"] for t in {r["task_id"] for r in selected}}
    return {"totals": totals, "reward_sources": len(reward_funcs), "env_tools": env_tools, "row_env": row_env, "problems": problems, "environments": len(factories), "real_get_json_schema": real is not None}


# --- SkyRL ---------------------------------------------------------------------------------------


def _skyrl_make(env_class: str, env_config: Any, extras: Dict[str, Any], registered: Dict[str, Any]) -> Any:
    """skyrl_gym.make (skyrl-gym/skyrl_gym/envs/registration.py, ``make``): the registration's kwargs
    updated with ``env_config``/``extras``, passed to the entry point."""
    try:
        import skyrl_gym  # type: ignore

        return skyrl_gym.make(env_class, env_config=env_config, extras=extras)
    except ImportError:
        spec = registered[env_class]
        mod, attr = spec["entry_point"].split(":")
        kwargs = copy.deepcopy(spec["kwargs"])
        kwargs.update(env_config=env_config, extras=extras)
        return getattr(importlib.import_module(mod), attr)(**kwargs)


def replay_skyrl(plan: Dict[str, Any]) -> Dict[str, Any]:
    """PLAN: ``register`` {base_url?, token?}, ``max_turns`` (generator.max_turns), ``rollouts``
    [{row, actions}]. ``$ENVTUNE_URL`` is unset unless ``env_url`` is given."""
    from envtune_adapters import skyrl as adapter

    os.environ.pop("ENVTUNE_URL", None)
    if plan.get("env_url"):
        os.environ["ENVTUNE_URL"] = plan["env_url"]
    reg = plan.get("register", {})
    # The user's entrypoint registers the env, as examples/train/multiply/main_multiply.py:14-20 does.
    adapter.register("envtune", **reg)
    registered = {"envtune": {"entry_point": "envtune_adapters.skyrl:EnvtuneTextEnv", "kwargs": reg}}
    results = []
    for r in plan["rollouts"]:
        row = copy.deepcopy(r["row"])
        prompt = row.pop("prompt")  # skyrl/train/dataset/dataset.py:88
        env_class = row.pop("env_class")  # :89
        extras = {k: v for k, v in row.items()}  # :91
        extras["max_turns"] = plan["max_turns"]  # skyrl_gym_generator.py:333
        env_config: Dict[str, Any] = {}  # :336 getattr(SkyRLGymConfig, "envtune", dict()) -> no such field
        env = _skyrl_make(env_class, env_config, extras, registered)  # :337
        chat_history, _ = env.init(copy.deepcopy(prompt))  # :344
        rewards, done, steps = [], False, 0
        actions = list(r["actions"])
        while not done and actions:  # :384 (an exhausted plan stands for the `length` stop, :386-388)
            out = env.step(actions.pop(0))  # :447
            rewards.append(out["reward"])  # :450, :516 per_step_rewards
            done = out["done"]  # :451
            steps += 1
        env.close()  # :521
        results.append({"reward": sum(rewards), "steps": steps, "done": done, "prompt_roles": [m["role"] for m in chat_history]})
    return {"rollouts": results}


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        plan = json.load(f)
    fn = {"verl": replay_verl, "trl": replay_trl, "skyrl": replay_skyrl}[plan["engine"]]
    print(json.dumps(fn(plan)))


if __name__ == "__main__":
    main()
