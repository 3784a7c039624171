"""Predict a test folder for the graders: `python3 -m p3_dann.inference TEST_DIR DOMAIN OUT_CSV`.

DOMAIN names the target: usps -> the MNIST-M→USPS model, mnistm -> SVHN→MNIST-M, svhn -> USPS→SVHN.
`--prefix bonus` serves the bonus models with the same contract; `--ckpt PATH` serves any trained checkpoint
(the source-only and target-only bounds, say) through the same prediction code.
"""
import argparse
from pathlib import Path

from common.errors import run_cli
from common.generation import pick_device
from common.grader_io import checkpoint_dir
from common.scenarios import source_for
from common.uda import load_classifier_checkpoint, predict_folder_to_csv

TRAINERS = {"p3": "p3_dann.train", "bonus": "bonus_uda.train"}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("test_dir", type=Path)
    p.add_argument("domain", help="target domain: mnistm, usps or svhn")
    p.add_argument("out_csv", type=Path)
    p.add_argument("--prefix", choices=list(TRAINERS), default="p3", help="which family of checkpoints")
    p.add_argument("--ckpt", type=Path, help="this checkpoint instead of HW2_CKPT_DIR/<prefix>_<S>2<T>.pt")
    a = p.parse_args()
    source = source_for(a.domain)
    ckpt = a.ckpt or checkpoint_dir() / f"{a.prefix}_{source}2{a.domain}.pt"
    net = load_classifier_checkpoint(
        ckpt, trained_by=f"python3 -m {TRAINERS[a.prefix]} --data-root hw2_data --source {source} --target {a.domain}")
    n = predict_folder_to_csv(net, a.test_dir, a.out_csv, pick_device())
    print(f"wrote {n} predictions to {a.out_csv}")


if __name__ == "__main__":
    run_cli(main)
