#!/usr/bin/env bash
# envtune × OpenRLHF: the four-stage curriculum of Environment Tuning with OpenRLHF's agent path.
# Settings follow OpenRLHF/OpenRLHF @ 3c3be6234e0cb353e76bb8019947db9dfe99fca7 (openrlhf/cli/train_ppo_ray.py)
# and the paper's optimisation settings (arXiv 2510.10197v2, App. D.2): GRPO-style group
# normalisation over 16 rollouts, clip 0.2/0.28, dual clip 10, KL loss 0.1 (k3), lr 1e-6, entropy 0.001.
#
#   MODEL=Qwen/Qwen2.5-7B-Instruct ENVTUNE_URLS=http://127.0.0.1:8000 ./train.sh            # stages 1-4
#   STAGES="3" MODEL=out/stage2/hf ./train.sh                                                # one stage
#
# Needs: `pip install openrlhf` (at the commit above), `pip install ./packages/server/adapters/python`,
# a running `envtune serve` (or several: ENVTUNE_URLS=url1,url2 on every node), and `ray start --head`.
set -euo pipefail

MODEL="${MODEL:-Qwen/Qwen2.5-7B-Instruct}"
STAGES="${STAGES:-1 2 3 4}"
OUT="${OUT:-$PWD/out}"
GPUS="${GPUS:-8}"
export ENVTUNE_URLS="${ENVTUNE_URLS:-${ENVTUNE_URL:-http://127.0.0.1:8000}}"
export ENVTUNE_CHAT_TEMPLATE="${ENVTUNE_CHAT_TEMPLATE:-chatml}"   # Qwen2.5 speaks ChatML; llama3 for Llama 3.x
AGENT_FILE="$(python3 -c 'import envtune_adapters.openrlhf as m; print(m.__file__)')"

for STAGE in $STAGES; do
  DATA="$OUT/data/stage$STAGE.jsonl"
  mkdir -p "$(dirname "$DATA")"
  # The stage's prompts (the task's first messages) and labels ({"task_id", "stage"}), from the server.
  [ -s "$DATA" ] || python3 -m envtune_adapters.openrlhf --stage "$STAGE" --part train --out "$DATA"
  BATCH=32; [ "$STAGE" = 1 ] && BATCH=16
  # The token budget: prompt + every turn share --data.max_len; when it runs out OpenRLHF ends the
  # episode and the agent file's executor deletes the session.
  python3 -m openrlhf.cli.train_ppo_ray \
    --actor.model_name_or_path "$MODEL" \
    --train.agent_func_path "$AGENT_FILE" \
    --data.prompt_dataset "$DATA" --data.input_key prompt --data.label_key label --data.apply_chat_template \
    --data.max_len 32768 --rollout.max_new_tokens 10000 \
    --rollout.batch_size "$BATCH" --rollout.n_samples_per_prompt 16 --train.batch_size $((BATCH * 16)) \
    --rollout.temperature 1.0 --rollout.micro_batch_size 4 --train.micro_batch_size 1 \
    --train.max_epochs 1 --train.num_episodes 20 --train.seed 42 \
    --algo.advantage.estimator group_norm \
    --actor.adam.lr 1e-6 --actor.eps_clip_low_high 0.2 0.28 --actor.dual_clip 10 --actor.entropy_coef 0.001 \
    --algo.kl.use_loss --algo.kl.init_coef 0.1 --algo.kl.estimator k3 \
    --actor.num_nodes 1 --actor.num_gpus_per_node "$GPUS" --ref.num_nodes 1 --ref.num_gpus_per_node "$GPUS" \
    --vllm.num_engines "$GPUS" --vllm.tensor_parallel_size 1 --vllm.gpu_memory_utilization 0.6 \
    --train.colocate_all --vllm.enable_sleep --ds.enable_sleep \
    --ds.zero_stage 3 --ds.param_dtype bf16 --actor.gradient_checkpointing_enable \
    --ckpt.output_dir "$OUT/stage$STAGE" --ckpt.path "$OUT/stage$STAGE/ckpt" --ckpt.save_steps 5 --ckpt.load_enable \
    --logger.logging_steps 1 --eval.steps -1
  MODEL="$OUT/stage$STAGE"   # the next stage starts from this one (curriculum)
done
