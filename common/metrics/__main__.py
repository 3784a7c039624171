"""Rescore any folder: `python3 -m common.metrics fid GEN REF`, `... is GEN` or `... faces GEN`."""

from pathlib import Path

import torch

from common.cli import MetricSkipped, UsageError, command_parser, run_cli
from common.metrics.face_detector import NAME as FACE_DETECTOR
from common.metrics.face_detector import face_rate_of_folder
from common.metrics.fid import fid_of_folders
from common.metrics.inception_score import inception_score_of_folder


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    sub = p.add_subparsers(dest="metric", required=True)
    fid = sub.add_parser("fid", help="FID of GEN against REF (REF statistics are cached)")
    fid.add_argument("gen", type=Path, help="folder of generated images")
    fid.add_argument("ref", type=Path, help="folder of real images")
    fid.add_argument("--weights", help="FID Inception weights file (default: FID_WEIGHTS, else download)")
    fid.add_argument("--batch-size", type=int, default=50, help="images per forward pass")
    inc = sub.add_parser("is", help="Inception Score of GEN, as the graders compute it")
    inc.add_argument("gen", type=Path, help="folder of generated images")
    inc.add_argument("--weights", help="ImageNet inception_v3 weights file (default: IS_WEIGHTS, else download)")
    inc.add_argument("--splits", type=int, default=10, help="splits of the files in sorted order (the course uses 10)")
    faces = sub.add_parser("faces", help="share of GEN's images in which a face detector finds a face (offline proxy)")
    faces.add_argument("gen", type=Path, help="folder of generated images")
    for s in (fid, inc):
        s.add_argument(
            "--device", default="cuda" if torch.cuda.is_available() else "cpu", help="where the Inception network runs"
        )
    a = p.parse_args()
    if a.metric == "fid" and a.batch_size < 1:
        raise UsageError("--batch-size must be at least 1")
    if a.metric == "is" and a.splits < 1:
        raise UsageError("--splits must be at least 1")
    try:
        if a.metric == "fid":
            print(f"FID: {fid_of_folders(a.gen, a.ref, a.weights, a.device, a.batch_size):.3f}")
        elif a.metric == "faces":
            found, total = face_rate_of_folder(a.gen)
            print(f"{FACE_DETECTOR}: {100 * found / total:.1f}% ({found}/{total})")
        else:
            mean, std = inception_score_of_folder(a.gen, a.weights, a.device, a.splits)
            print(f"IS: {mean:.4f} ± {std:.4f}")
    except MetricSkipped as e:
        print(e)


if __name__ == "__main__":
    run_cli(main)
