"""envtune + TRL: GRPO with GRPOTrainer(environment_factory=...) on one curriculum stage.

Pinned upstream: huggingface/trl f2cd57710ae345ea6428ae95363267fcf38a3dc8 (needs transformers >= 5.2
and jmespath, as GRPOTrainer checks). Every setting below was read from that commit.

    envtune serve --port 8000 --ttl 600 &
    ENVTUNE_URL=http://127.0.0.1:8000 STAGE=1 python recipes/trl/train.py
"""

import os

from datasets import Dataset
from trl import GRPOConfig, GRPOTrainer

from envtune_adapters.trl import envtune_reward, trl_dataset

STAGE = os.environ.get("STAGE", "1")
MODEL = os.environ.get("INIT_MODEL", "Qwen/Qwen3-8B")

# One environment class per tool set: each row's `environment` picks it, so a prompt lists its
# task's tools only (grpo_trainer.py:1727-1733), plus `end_turn`.
rows, environments = trl_dataset(os.environ.get("ENVTUNE_URL"), token=os.environ.get("ENVTUNE_TOKEN"), stage=STAGE)

trainer = GRPOTrainer(
    model=MODEL,
    # The one reward source: the environments define no `get_reward`, which TRL would add as a
    # second source (grpo_trainer.py:660-685) and so count every reward twice.
    reward_funcs=envtune_reward,
    environment_factory=environments,
    train_dataset=Dataset.from_list(rows),
    args=GRPOConfig(
        output_dir=f"out/envtune-stage{STAGE}",
        num_generations=8,
        per_device_train_batch_size=8,
        max_completion_length=int(os.environ.get("MAX_COMPLETION", "8192")),
        # Each tool call is one episode step; the episode's own budget ends a turn long before.
        max_tool_calling_iterations=int(os.environ.get("MAX_TOOL_CALLS", "64")),
        use_vllm=os.environ.get("USE_VLLM", "1") == "1",
        vllm_mode="colocate",
        num_train_epochs=1,
        logging_steps=1,
    ),
)
trainer.train()
trainer.save_model(f"out/envtune-stage{STAGE}/final")
