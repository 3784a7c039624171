"""The graders' prediction command, shared by P3 and the bonus (each problem's inference.py hands over its
architectures): TEST_DIR DOMAIN OUT_CSV [--ckpt PATH].

DOMAIN names the target: usps -> the MNIST-M→USPS model, mnistm -> SVHN→MNIST-M, svhn -> USPS→SVHN. The model
is HW2_CKPT_DIR/<checkpoint stem of `kind`>.pt unless --ckpt names another (the source-only and target-only
bounds, say); either way it must be a model of this problem for that scenario.
"""
import argparse
from pathlib import Path

from common.training.checkpoint import checkpoint_dir, load_checkpoint
from common.training.runtime import inference_device
from common.uda.models import classifier_from_checkpoint
from common.uda.predict import predict_folder_to_csv
from common.uda.scenarios import checkpoint_stem, source_for


def predict_for_graders(problem: str, archs: dict, kind: str, trainer: str, description: str,
                        argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("test_dir", type=Path)
    p.add_argument("domain", help="target domain: mnistm, usps or svhn")
    p.add_argument("out_csv", type=Path)
    p.add_argument("--ckpt", type=Path,
                   help=f"this checkpoint instead of HW2_CKPT_DIR/{checkpoint_stem(kind, 'S', 'T')}.pt")
    a = p.parse_args(argv)
    source = source_for(a.domain)
    path = a.ckpt or checkpoint_dir() / f"{checkpoint_stem(kind, source, a.domain)}.pt"
    ckpt = load_checkpoint(path, trained_by=f"python3 -m {trainer} --data-root hw2_data --source {source} "
                                            f"--target {a.domain}")
    # A checkpoint named on the command line may be a bound (source- or target-only); the default must be `kind`.
    mode = None if a.ckpt else ("dann" if problem == "p3" else None)
    net = classifier_from_checkpoint(ckpt, path, {problem: archs}, source, a.domain, mode)
    n = predict_folder_to_csv(net, a.test_dir, a.out_csv, inference_device())
    print(f"wrote {n} predictions to {a.out_csv}")
