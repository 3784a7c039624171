"""Predict every scenario's target test set with P3's source-only and target-only models, in one process:

    python3 -m app.predict_bounds DATA_ROOT CKPT_DIR OUT_DIR

Writes OUT_DIR/p3_source_<S>2<T>.csv and p3_target_<S>2<T>.csv through the same code and checks as hw2_p3.sh
(`python3 -m p3_dann.inference TEST_DIR DOMAIN OUT_CSV --ckpt PATH` does one of them).
"""
import argparse
from pathlib import Path

from common.errors import run_cli
from common.training.checkpoint import load_checkpoint
from common.training.runtime import inference_device
from common.uda.models import classifier_from_checkpoint
from common.uda.predict import predict_folder_to_csv
from common.uda.scenarios import SCENARIOS, checkpoint_stem, result_stem
from p3_dann.model import ARCHS


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data_root", type=Path)
    p.add_argument("ckpt_dir", type=Path)
    p.add_argument("out_dir", type=Path)
    a = p.parse_args()
    device = inference_device()
    for s, t in SCENARIOS:
        for mode in ("source", "target"):
            path = a.ckpt_dir / f"{checkpoint_stem(mode, s, t)}.pt"
            net = classifier_from_checkpoint(load_checkpoint(path), path, {"p3": ARCHS}, s, t, mode)
            out = a.out_dir / f"{result_stem(mode, s, t)}.csv"
            n = predict_folder_to_csv(net, a.data_root / "digits" / t / "test", out, device)
            print(f"wrote {n} predictions to {out}")


if __name__ == "__main__":
    run_cli(main)
