"""The OpenRLHF agent file's session lifetime and log keys, against a scripted loopback server."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)

from test_client import Scripted  # noqa: E402

from envtune_adapters import openrlhf  # noqa: E402


class ExecutorTests(unittest.TestCase):
    def setUp(self) -> None:
        self.s = Scripted()
        self.saved = openrlhf.MultiTurnAgentExecutor.execute
        openrlhf._client = openrlhf.EnvtuneClient(self.s.url, max_retries=0)

    def tearDown(self) -> None:
        openrlhf.MultiTurnAgentExecutor.execute = self.saved
        openrlhf._client.close()
        openrlhf._client = None
        self.s.close()

    def run_loop(self, loop) -> dict:
        openrlhf.MultiTurnAgentExecutor.execute = loop  # what OpenRLHF's own loop would do
        return asyncio.run(openrlhf.AgentExecutor().execute(prompt="p", label=json.dumps({"task_id": "t"}), sampling_params=None, max_length=10, hf_tokenizer=None, llm_engine=None))

    def deletes(self) -> list:
        return [p for m, p, _ in self.s.seen if m == "DELETE"]

    def test_a_sample_that_ends_without_done_or_raises_leaves_no_session(self):
        async def budget_ends(self, **kw):  # reset, then the budget runs out: no step, no hook
            inst = self.agent_instance_cls()
            await inst.reset({"observation": kw["prompt"], "label": kw["label"]})
            return {"reward": 0, "extra_logs": {}}

        out = self.run_loop(budget_ends)
        self.assertEqual(len(self.deletes()), 1)
        # Every component key is there, so OpenRLHF's batch has the same keys for every sample.
        self.assertEqual(sorted(out["extra_logs"]), sorted(openrlhf.REWARD_COMPONENTS))
        self.assertTrue(all(v == 0.0 for v in out["extra_logs"].values()))

        async def raises(self, **kw):
            inst = self.agent_instance_cls()
            await inst.reset({"observation": kw["prompt"], "label": kw["label"]})
            raise RuntimeError("engine failed")

        with self.assertRaisesRegex(RuntimeError, "engine failed"):
            self.run_loop(raises)
        self.assertEqual(len(self.deletes()), 2)

    def test_a_done_episode_is_deleted_once(self):
        self.s.script = [(201, {}, {"session_id": "x"}), (200, {}, {"messages": [{"role": "user", "content": "bye"}], "reward": 1.0, "reward_components": {"progress": 1.0}, "done": True})]

        async def one_step(self, **kw):
            inst = self.agent_instance_cls()
            await inst.reset({"observation": kw["prompt"], "label": kw["label"]})
            r = await inst.step({"observation_text": "p", "action_text": "<answer>a</answer><|im_end|>", "label": kw["label"], "sampling_params": None})
            return {"reward": r["rewards"].item(), "done": r["done"], "extra_logs": r["extra_logs"]}

        out = self.run_loop(one_step)
        self.assertTrue(out["done"])
        self.assertEqual(out["reward"], 1.0)
        self.assertEqual(len(self.deletes()), 1)
        step = [b for m, p, b in self.s.seen if p.endswith("/step")][0]
        self.assertEqual(step, {"message": "<answer>a</answer>"})  # the stop token is not sent
        self.assertEqual(out["extra_logs"]["progress"], 1.0)
        self.assertEqual(out["extra_logs"]["binary"], 0.0)


if __name__ == "__main__":
    unittest.main()
