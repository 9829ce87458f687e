#!/usr/bin/env bash
# envtune + SkyRL: GRPO on one curriculum stage. Pinned to NovaSky-AI/SkyRL
# a9564572eb8e91076be43c1bd5e4615e3de17265.
#
#   STAGE=1 bash recipes/skyrl/run.sh         # then STAGE=2 INIT_MODEL=<stage-1 export> ...
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
STAGE="${STAGE:-1}"
DATA="${DATA:-$HOME/data/envtune-skyrl}"
NUM_GPUS="${NUM_GPUS:-8}"
export ENVTUNE_URL="${ENVTUNE_URL:-http://127.0.0.1:8000}"

python3 "$HERE/main_envtune.py" \
  data.train_data="['$DATA/stage${STAGE}_train.parquet']" \
  data.val_data="['$DATA/val.parquet']" \
  environment.env_class=envtune \
  generator.max_turns="${MAX_TURNS:-32}" \
  generator.use_conversation_multi_turn=true \
  trainer.algorithm.advantage_estimator=grpo \
  trainer.policy.model.path="${INIT_MODEL:-Qwen/Qwen2.5-7B-Instruct}" \
  trainer.placement.colocate_all=true \
  trainer.strategy=fsdp \
  trainer.placement.policy_num_gpus_per_node="$NUM_GPUS" \
  trainer.placement.ref_num_gpus_per_node="$NUM_GPUS" \
  generator.inference_engine.num_engines="$NUM_GPUS" \
  generator.inference_engine.tensor_parallel_size=1 \
  trainer.epochs="${EPOCHS:-1}" \
  trainer.train_batch_size="${BATCH:-64}" \
  trainer.policy_mini_batch_size="${BATCH:-64}" \
  trainer.export_path="exports/envtune-stage${STAGE}" \
  "$@"
