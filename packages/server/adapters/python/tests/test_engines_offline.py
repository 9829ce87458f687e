"""Engine-facing rules of the verl, TRL and SkyRL adapters that need no server."""

from __future__ import annotations

import inspect
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)


class EngineRules(unittest.TestCase):
    def test_verl_counts_turns_as_tool_agent_loop_does(self):
        from envtune_adapters.verl import EnvtuneInteraction, _verl_turns

        prompt = [{"role": "system", "content": "s"}, {"role": "user", "content": "q"}]
        convo = prompt + [{"role": "assistant"}, {"role": "tool"}, {"role": "tool"}, {"role": "assistant"}, {"role": "user"}, {"role": "assistant"}]
        self.assertEqual(_verl_turns(convo), (3, 2))
        inter = EnvtuneInteraction({"name": "envtune", "base_url": "http://127.0.0.1:1", "max_assistant_turns": 4})
        self.assertTrue(inter._last_call(convo))
        self.assertFalse(inter._last_call(prompt + [{"role": "assistant"}]))
        self.assertRaises(ValueError, EnvtuneInteraction, {"base_url": "http://127.0.0.1:1", "max_user_turns": 0})

    def test_verl_compute_score_sums_turn_scores_and_explains_missing_ones(self):
        from envtune_adapters.verl_reward import compute_score

        self.assertEqual(compute_score("envtune/bfcl/base", "", [], {"turn_scores": [0.25, 0.75]}), 1.0)
        with self.assertRaisesRegex(ValueError, "agent_name: tool_agent"):
            compute_score("envtune/bfcl/base", "", [], {})

    def test_trl_base_class_exposes_only_reset_and_end_turn(self):
        from envtune_adapters.trl import EnvtuneTRLEnvironment, make_environment_factory

        public = sorted(n for n, m in inspect.getmembers(EnvtuneTRLEnvironment, inspect.isfunction) if not n.startswith("_"))
        self.assertEqual(public, ["end_turn", "reset"])
        self.assertFalse(hasattr(EnvtuneTRLEnvironment, "get_reward"), "TRL would add it as a second reward source")
        cls = make_environment_factory(base_url="http://127.0.0.1:1", schema={"tools": [{"type": "function", "function": {"name": "mv", "description": "Args: move (choices: x)", "parameters": {"type": "object", "properties": {"to": {"type": "string", "description": ""}}}}}]})
        from engines import schema_problems

        self.assertEqual(schema_problems(cls().mv), [])
        self.assertEqual(schema_problems(cls().end_turn), [])

    def test_skyrl_turn_limit_and_url_sources(self):
        from envtune_adapters.skyrl import EnvtuneTextEnv

        env = EnvtuneTextEnv({}, {"task_id": "t", "max_turns": 7, "envtune_url": "http://10.0.0.1:8000"}, base_url="http://10.0.0.2:8000")
        self.assertEqual((env.max_turns, env.client.base_url), (7, "http://10.0.0.1:8000"))
        env = EnvtuneTextEnv({}, {"task_id": "t", "extra_info": {"max_turns": 2}}, base_url="http://10.0.0.2:8000")
        self.assertEqual((env.max_turns, env.client.base_url), (2, "http://10.0.0.2:8000"))
        self.assertRaises(ValueError, EnvtuneTextEnv, {}, {"task_id": "t", "max_turns": 0})


if __name__ == "__main__":
    unittest.main()
