"""Predict every scenario's target test set with P3's source-only and target-only models, in one process:

    python3 -m app.predict_bounds DATA_ROOT CKPT_DIR OUT_DIR

Writes OUT_DIR/<name>.csv for each bound (p3_<S>2<T>_source, p3_<S>2<T>_target) through the same code and checks
as hw2_p3.sh (`python3 -m p3_dann.inference TEST_DIR DOMAIN OUT_CSV --ckpt PATH` does one of them).
"""

from pathlib import Path

from app.model_files import uda_archs
from common.checkpoints import load_checkpoint
from common.cli import command_parser, run_cli
from common.files import SCENARIOS, model_name
from common.training import enable_deterministic_inference
from common.uda.predict import classifier_from_checkpoint, predict_folder_to_csv


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    p.add_argument("data_root", type=Path, help="the hw2_data folder")
    p.add_argument("ckpt_dir", type=Path, help="the folder of the bounds' checkpoints")
    p.add_argument("out_dir", type=Path, help="where the six CSVs go")
    a = p.parse_args()
    device, archs = enable_deterministic_inference(), uda_archs()
    for s, t in SCENARIOS:
        for method in ("source", "target"):
            name = model_name(method, s, t)
            path = a.ckpt_dir / f"{name}.pt"
            net = classifier_from_checkpoint(load_checkpoint(path), path, archs, s, t, name)
            out = a.out_dir / f"{name}.csv"
            predict_folder_to_csv(net, a.data_root / "digits" / t / "test", out, device)


if __name__ == "__main__":
    run_cli(main)
