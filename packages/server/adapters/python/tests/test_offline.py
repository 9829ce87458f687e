"""Checks that need no server: stdlib-only imports, stand-in base classes, generated TRL tool signatures."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import typing
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
sys.path.insert(0, ROOT)

SCHEMA = {
    "tools": [
        {
            "type": "function",
            "function": {
                "name": "set_speed",
                "description": "Sets the\n speed.",
                "parameters": {
                    "type": "object",
                    "properties": {"speed": {"type": "number", "description": "km/h"}, "unit": {"type": ["string", "null"], "description": "unit"}},
                    "required": ["speed"],
                },
            },
        },
        {"type": "function", "function": {"name": "reset", "description": "clashes with the env API", "parameters": {"type": "object", "properties": {}}}},
        {"type": "function", "function": {"name": "ls", "description": "List.", "parameters": {"type": "object", "properties": {}}}},
    ]
}


class OfflineTests(unittest.TestCase):
    def test_imports_use_only_the_standard_library(self):
        code = (
            "import sys; sys.path.insert(0, %r)\n"
            "before = set(sys.modules)\n"
            "import envtune_adapters, envtune_adapters.verl, envtune_adapters.trl, envtune_adapters.openrlhf, envtune_adapters.skyrl, envtune_adapters.to_parquet\n"
            "std = set(sys.stdlib_module_names)\n"
            "bad = sorted(m for m in set(sys.modules) - before if m.split('.')[0] not in std and not m.startswith('envtune_adapters') and m.split('.')[0] not in ('verl','trl','openrlhf','skyrl_gym','torch'))\n"
            "print(','.join(bad))\n" % ROOT
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        self.assertEqual(out, "")

    def test_stand_ins_have_the_documented_methods(self):
        from envtune_adapters import openrlhf, skyrl, verl

        for m in ("start_interaction", "generate_response", "calculate_score", "finalize_interaction"):
            self.assertTrue(inspect.iscoroutinefunction(getattr(verl.EnvtuneInteraction, m)), m)
        for m in ("reset", "step"):
            self.assertTrue(inspect.iscoroutinefunction(getattr(openrlhf.AgentInstance, m)), m)
        for m in ("init", "step", "close"):
            self.assertTrue(callable(getattr(skyrl.EnvtuneTextEnv, m)), m)
        self.assertEqual(openrlhf.Reward(0.5).item(), 0.5)

    def test_trl_tools_are_generated_with_signatures_hints_and_docstrings(self):
        from envtune_adapters.trl import make_environment_factory

        cls = make_environment_factory(base_url="http://127.0.0.1:1", schema=SCHEMA)
        self.assertTrue(hasattr(cls, "set_speed") and hasattr(cls, "ls"))
        self.assertIs(cls.reset, cls.__mro__[1].reset, "a tool may not replace the env API")
        sig = inspect.signature(cls.set_speed)
        self.assertEqual(list(sig.parameters), ["self", "speed", "unit"])
        self.assertIs(sig.parameters["speed"].default, inspect.Parameter.empty)
        self.assertIsNone(sig.parameters["unit"].default)
        hints = typing.get_type_hints(cls.set_speed)
        self.assertEqual((hints["speed"], hints["unit"], hints["return"]), (float, str, str))
        doc = cls.set_speed.__doc__
        self.assertIn("Sets the speed.", doc)
        self.assertIn("Args:\n    speed: km/h\n    unit: unit", doc)
        self.assertIn("Args:", cls.end_turn.__doc__)
        bound = inspect.signature(cls().set_speed)
        self.assertEqual(list(bound.parameters), ["speed", "unit"])

    def test_openrlhf_labels_and_feedback(self):
        from envtune_adapters.openrlhf import parse_label, render_feedback

        self.assertEqual(parse_label("multi_turn_base_1"), {"task_id": "multi_turn_base_1"})
        self.assertEqual(parse_label('{"task_id": "x", "stage": "2"}')["stage"], "2")
        self.assertRaises(ValueError, parse_label, "{}")
        fb = render_feedback([{"role": "user", "content": "hi"}], done=False, template="chatml")
        self.assertEqual(fb, "<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n")
        self.assertEqual(render_feedback([], done=True, template="chatml"), "<|im_end|>\n")


if __name__ == "__main__":
    unittest.main()
