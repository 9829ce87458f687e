"""Plays one episode through an adapter the way its RL engine would, against a running envtune server.

    python3 drive.py PLAN.json

PLAN: {"adapter": "verl" | "trl" | "openrlhf" | "skyrl", "base_url", "token"?, "task_id", "stage"?,
"config"?, "actions": [...]}. Text actions for verl/openrlhf/skyrl; for trl, ``{"tool": name,
"arguments": {...}}`` or ``{"end_turn": text}``. Prints JSON: the summed step rewards, the
adapter's own final reward, the last reward components, the step count and whether it ended.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def drive_verl(plan):
    from envtune_adapters.verl import EnvtuneInteraction

    inter = EnvtuneInteraction({"name": "envtune", "base_url": plan["base_url"], "token": plan.get("token")})

    async def run():
        kwargs = {"name": "envtune", "task_id": plan["task_id"]}
        if plan.get("stage") is not None:
            kwargs["stage"] = plan["stage"]
        if plan.get("config") is not None:
            kwargs["config"] = json.dumps(plan["config"])
        iid = await inter.start_interaction(plan.get("instance_id"), **kwargs)
        messages = []
        total, comps, steps, done = 0.0, {}, 0, False
        for action in plan["actions"]:
            messages.append({"role": "assistant", "content": action})
            done, text, score, extra = await inter.generate_response(iid, messages)
            messages.append({"role": "user", "content": text})
            total += score
            comps = extra["reward_components"]
            steps += 1
            if done:
                break
        final = await inter.calculate_score(iid)
        await inter.finalize_interaction(iid)
        return {"reward_sum": total, "final": final, "components": comps, "steps": steps, "done": done}

    return asyncio.run(run())


def drive_trl(plan):
    from envtune_adapters.trl import envtune_reward, make_environment_factory

    cls = make_environment_factory(base_url=plan["base_url"], token=plan.get("token"), stage=plan.get("stage"), config=plan.get("config"))
    env = cls()
    first = env.reset(task_id=plan["task_id"], **({"stage": plan["stage"]} if plan.get("stage") is not None else {}))
    total_steps, outputs = 0, []
    for a in plan["actions"]:
        if env.done:
            break
        if "end_turn" in a:
            outputs.append(env.end_turn(a["end_turn"]))
        else:
            outputs.append(getattr(env, a["tool"])(**a["arguments"]))
        total_steps += 1
    final = envtune_reward(completions=None, environments=[env])[0]
    tools = sorted(n for n in dir(cls) if not n.startswith("_") and n not in ("reset", "end_turn", "get_reward", "finish", "close", "client"))
    result = {"reward_sum": env.reward, "final": final, "components": env.reward_components, "steps": total_steps, "done": env.done, "first": first, "tool_count": len(tools)}
    env._close()
    return result


def drive_openrlhf(plan):
    from envtune_adapters import openrlhf

    os.environ["ENVTUNE_URL"] = plan["base_url"]
    if plan.get("token"):
        os.environ["ENVTUNE_TOKEN"] = plan["token"]
    label = {"task_id": plan["task_id"]}
    if plan.get("stage") is not None:
        label["stage"] = plan["stage"]
    if plan.get("config") is not None:
        label["config"] = plan["config"]

    async def run():
        # What OpenRLHF's MultiTurnAgentExecutor does with an agent instance.
        agent = openrlhf.AgentExecutor().agent_instance_cls()
        obs = (await agent.reset({"observation": "<prompt>", "label": json.dumps(label)}))["observation"]
        total, scores, comps, steps, done = 0.0, 0.0, {}, 0, False
        for action in plan["actions"]:
            r = await agent.step({"observation_text": obs, "action_text": action + "<|im_end|>", "label": json.dumps(label), "sampling_params": None})
            total += r["rewards"].item()
            scores = float(r["scores"])
            comps = {k: float(v) for k, v in r["extra_logs"].items()}
            obs = obs + action + r["environment_feedback"]
            steps += 1
            done = r["done"]
            if done:
                break
        return {"reward_sum": total, "final": scores, "components": comps, "steps": steps, "done": done}

    return asyncio.run(run())


def drive_skyrl(plan):
    from envtune_adapters.skyrl import EnvtuneTextEnv

    extras = {"task_id": plan["task_id"]}
    if plan.get("stage") is not None:
        extras["stage"] = plan["stage"]
    if plan.get("config") is not None:
        extras["config"] = plan["config"]
    env = EnvtuneTextEnv({"base_url": plan["base_url"], "token": plan.get("token")}, extras)
    prompt, meta = env.init([])
    total, comps, steps, done = 0.0, {}, 0, False
    for action in plan["actions"]:
        out = env.step(action)
        total += out["reward"]
        comps = out["metadata"]["reward_components"]
        steps += 1
        done = out["done"]
        if done:
            break
    env.close()
    return {"reward_sum": total, "final": env.total_reward, "components": comps, "steps": steps, "done": done, "prompt_roles": [m["role"] for m in prompt]}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        plan = json.load(f)
    fn = {"verl": drive_verl, "trl": drive_trl, "openrlhf": drive_openrlhf, "skyrl": drive_skyrl}[plan["adapter"]]
    print(json.dumps(fn(plan)))


if __name__ == "__main__":
    main()
