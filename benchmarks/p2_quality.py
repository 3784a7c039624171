"""The report's ACGAN against our default, same data and step budget, scored like the graders score P2.

    python3 -m benchmarks.p2_quality --data-root demo_data/hw2_data [--steps 800]

Both runs select their best step with our LeNet evaluator (trained here on MNIST-M train); the 1000
images of the selected generator are then scored by that evaluator and, when present, the course's
classifier (COURSE_CLASSIFIER=path/to/Classifier.pth). Last line: `ratio=<default accuracy over
reference accuracy>` with our evaluator.
"""
import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import p2_acgan
from common.checkpoints import load_checkpoint
from common.gan import GRADER_SEED, generate_uint8, generator_from_checkpoint
from common.training import inference_device
from p2_acgan.digit_classifier import load_classifier, predict, train_classifier
from p2_acgan.model import ARCHS, fixed_eval_inputs

REPO = Path(__file__).resolve().parent.parent
MODELS = {
    "reference ACGAN (report: BN discriminator, BCE, no EMA)": ["--arch", "acgan", "--ema-decay", "0",
                                                                "--fake-cls-start", "0"],
    "default (SN discriminator, hinge, EMA, late class loss on fakes)": ["--arch", "acgan_sn",
                                                                          "--fake-cls-start", "200"],
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-root", type=Path, required=True)
    p.add_argument("--steps", type=int, default=800)
    p.add_argument("--batch-size", type=int, default=32)
    a = p.parse_args()
    course = Path(os.environ["COURSE_CLASSIFIER"]) if os.environ.get("COURSE_CLASSIFIER") else None
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        train_classifier(a.data_root, tmp / "lenet.pt", epochs=10)
        judges = {"our evaluator": load_classifier(tmp / "lenet.pt")}
        if course is not None and course.exists():
            judges["course classifier"] = load_classifier(course)
        scores = {}
        for name, options in MODELS.items():
            ck = tmp / name.split()[0]
            subprocess.run([sys.executable, "-m", "p2_acgan.train", "--data-root", str(a.data_root), "--ckpt-dir", str(ck),
                            "--steps", str(a.steps), "--batch-size", str(a.batch_size), "--eval-every", "100",
                            "--classifier", str(tmp / "lenet.pt"), *options], cwd=REPO, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            path = ck / f"{p2_acgan.NAME}.pt"
            device = inference_device()
            g = generator_from_checkpoint(load_checkpoint(path), path, p2_acgan.PROBLEM, ARCHS, "p2_acgan.train")
            g = g.to(device)
            z, y = fixed_eval_inputs(GRADER_SEED)
            images = generate_uint8(g, z, y, device=device)
            scores[name] = {j: (predict(net, images) == y).float().mean().item() for j, net in judges.items()}
            print(f"{name}: " + ", ".join(f"{j} {100 * s:.1f}%" for j, s in scores[name].items()), flush=True)
    ref, default = (s["our evaluator"] for s in scores.values())
    print(f"{a.steps} steps of batch {a.batch_size} each on the demo MNIST-M")
    print(f"ratio={default / max(ref, 1e-9):.3f}")


if __name__ == "__main__":
    main()
