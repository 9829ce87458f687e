#!/usr/bin/env bash
# envtune + verl: GRPO on one curriculum stage. Pinned to volcengine/verl
# b178a3cd56f58b2d502255daba591e92833930a7 (the commit whose code these settings were read from).
#
#   STAGE=1 bash recipes/verl/run.sh            # then STAGE=2 INIT_MODEL=<merged stage-1 model> ...
#
# Needs: verl installed at that commit, `envtune serve` reachable at $ENVTUNE_URL, the data of
# `envtune export verl` converted to Parquet in $DATA (see README.md), envtune_adapters importable.
set -euo pipefail
STAGE="${STAGE:-1}"
DATA="${DATA:-$HOME/data/envtune-verl}"
MODEL="${INIT_MODEL:-Qwen/Qwen2.5-7B-Instruct}"
# verl stops a rollout after this many assistant (and user) turns; the interaction config written by
# `envtune export verl --max-turns` must carry the same number so the session ends at verl's last call.
MAX_TURNS="${MAX_TURNS:-32}"
NGPUS="${NGPUS:-8}"

python3 -m verl.trainer.main_ppo \
  algorithm.adv_estimator=grpo \
  data.train_files="$DATA/stage${STAGE}_train.parquet" \
  data.val_files="$DATA/val.parquet" \
  data.return_raw_chat=True \
  data.train_batch_size="${BATCH:-64}" \
  data.max_prompt_length=8192 \
  data.max_response_length=8192 \
  data.filter_overlong_prompts=True \
  actor_rollout_ref.model.path="$MODEL" \
  actor_rollout_ref.actor.ppo_mini_batch_size="${BATCH:-64}" \
  actor_rollout_ref.actor.use_kl_loss=False \
  actor_rollout_ref.rollout.name=vllm \
  actor_rollout_ref.rollout.mode=async \
  actor_rollout_ref.rollout.n=8 \
  actor_rollout_ref.rollout.multi_turn.enable=True \
  actor_rollout_ref.rollout.multi_turn.max_assistant_turns="$MAX_TURNS" \
  actor_rollout_ref.rollout.multi_turn.max_user_turns="$MAX_TURNS" \
  actor_rollout_ref.rollout.multi_turn.format=hermes \
  actor_rollout_ref.rollout.multi_turn.interaction_config_path="$DATA/interaction_config.yaml" \
  actor_rollout_ref.rollout.agent.default_agent_loop=tool_agent \
  custom_reward_function.path=pkg://envtune_adapters.verl_reward \
  custom_reward_function.name=compute_score \
  trainer.project_name=envtune \
  trainer.experiment_name="stage${STAGE}" \
  trainer.n_gpus_per_node="$NGPUS" \
  trainer.nnodes=1 \
  trainer.total_epochs="${EPOCHS:-1}" \
  "$@"
