#!/usr/bin/env bash
# The paper's four-stage curriculum with verl: each stage starts from the previous stage's actor,
# merged to a Hugging Face model with verl's own merger (verl/model_merger @ b178a3cd).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
MODEL="${INIT_MODEL:-Qwen/Qwen2.5-7B-Instruct}"
for STAGE in ${STAGES:-1 2 3 4}; do
  STAGE="$STAGE" INIT_MODEL="$MODEL" bash "$HERE/run.sh" "$@"
  CKPT_ROOT="checkpoints/envtune/stage${STAGE}"
  LAST="$(ls -d "$CKPT_ROOT"/global_step_* | sort -t_ -k3 -n | tail -1)"
  python3 -m verl.model_merger merge --backend fsdp --local_dir "$LAST/actor" --target_dir "$CKPT_ROOT/hf"
  MODEL="$CKPT_ROOT/hf"
done
