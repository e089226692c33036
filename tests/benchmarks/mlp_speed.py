"""Benchmark: the lecture's MLP recipe against the course's E01 reference, on one thread.

Trains, one after the other with the course's trusted trainer (``autograder.trainer``,
which lesson 09's checks use), on the train split of names.txt:

- the lecture's recipe: block 3, n_embd 10, n_hidden 200, plain randn start, batch 32,
  SGD at 0.1 then 0.01 after step 100000, 200000 steps. By default only its first
  20000 steps run and the time is scaled by 10 (labelled so); ``--full`` runs all.
- the course's reference answer to E01 (``e01_config`` of solutions/09).

and prints each run's train and dev loss, its training seconds and the budget's
estimate. Run it from the repository root on one free core:

    COURSE_DATA_DIR=../shared/data taskset -c 1 python tests/benchmarks/mlp_speed.py [--full]
"""

from __future__ import annotations

import argparse
import os
import platform

import torch

from autograder import REPO_ROOT, data, trainer
from autograder.checking import names_splits
from autograder.given.lesson01_bigram import build_vocab
from autograder.given.lesson08_splits import split_datasets
from autograder.student_side import load_module

LECTURE = {"block_size": 3, "n_embd": 10, "n_hidden": 200, "steps": 200_000,
           "batch_size": 32, "optimizer": "sgd", "lr": 0.1, "schedule": "step",
           "milestones": [100_000], "gamma": 0.1, "init": "lecture", "seed": 2147483647}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true",
                        help="run the lecture's 200000 steps instead of its first 20000")
    args = parser.parse_args()
    torch.set_num_threads(1)
    reference = load_module(REPO_ROOT / "solutions" / "09" / "experiments.py",
                            "_lesson09_solution").e01_config()
    words = data.load_words()

    lecture = dict(LECTURE)
    scale = 1
    label = "lecture (200000 steps)"
    if not args.full:
        scale = 10
        lecture["steps"] = 20_000  # lr stays 0.1: the milestone is at step 100000
        label = "lecture, first 20000 of 200000 steps (time x10)"
    runs = [(label, lecture, scale, LECTURE), ("course E01 reference", reference, 1, reference)]

    affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    load = f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "?"
    print(f"torch {torch.__version__}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, allowed {affinity}, load average {load} (other processes "
          f"share the machine when it is above 1)")
    print(f"{'run':50} {'steps':>7} {'batch':>5} {'params':>7} {'train':>7} {'dev':>7} "
          f"{'seconds':>8} {'estimate':>8}")
    for label, config, scale, full in runs:
        problems = trainer.config_problems(config)
        if problems and config is not lecture:
            print(f"{label}: invalid configuration: {problems}")
            continue
        split = names_splits(words, build_vocab, split_datasets, config["block_size"])
        result = trainer.train_config(config, split)  # its seconds: the training only
        print(f"{label:50} {full['steps']:>7} {config['batch_size']:>5} "
              f"{result['parameters']:>7} {result['train']:>7.4f} {result['dev']:>7.4f} "
              f"{result['seconds'] * scale:>8.1f} {trainer.estimated_seconds(full):>8.1f}",
              flush=True)
    print("seconds: training only, one thread (x10 where labelled); estimate: E01's budget "
          f"formula, at most {trainer.MAX_SECONDS:.0f} s for E01")


if __name__ == "__main__":
    main()
