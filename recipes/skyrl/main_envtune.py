"""SkyRL entrypoint that registers the envtune env, then trains as SkyRL's own examples do.

Pinned upstream: NovaSky-AI/SkyRL a9564572eb8e91076be43c1bd5e4615e3de17265; this file follows
examples/train/multiply/main_multiply.py there (register inside the Ray entrypoint task, so every
worker that builds envs has the registration).

    python recipes/skyrl/main_envtune.py <SkyRL config overrides>      (see run.sh)
"""

import os
import sys

import ray
from skyrl.train.config import SkyRLTrainConfig
from skyrl.train.entrypoints.main_base import BasePPOExp, validate_cfg
from skyrl.train.utils import initialize_ray

from envtune_adapters.skyrl import register


@ray.remote(num_cpus=1)
def skyrl_entrypoint(cfg: SkyRLTrainConfig, envtune_url: str, envtune_token: str):
    # SkyRLGymConfig accepts no keys for other envs (skyrl/train/config/config.py:1299), so the
    # server URL travels in the registration's kwargs, which skyrl_gym.make passes to every env.
    register("envtune", base_url=envtune_url or None, token=envtune_token or None)
    BasePPOExp(cfg).run()


def main() -> None:
    cfg = SkyRLTrainConfig.from_cli_overrides(sys.argv[1:])
    validate_cfg(cfg)
    initialize_ray(cfg)
    ray.get(skyrl_entrypoint.remote(cfg, os.environ.get("ENVTUNE_URL", ""), os.environ.get("ENVTUNE_TOKEN", "")))


if __name__ == "__main__":
    main()
