"""Predict a test folder for the graders: `python3 -m p3_dann.inference TEST_DIR DOMAIN OUT_CSV [--ckpt PATH]`.

DOMAIN names the target: usps -> HW2_CKPT_DIR/p3_mnistm2usps.pt, mnistm -> p3_svhn2mnistm.pt, svhn ->
p3_usps2svhn.pt. `--ckpt` serves another P3 checkpoint of that scenario (the source-only and target-only bounds)
through the same code.
"""

from common.cli import run_cli
from common.uda.predict import predict_for_graders
from p3_dann.model import ARCHS


def main() -> None:
    predict_for_graders("dann", ARCHS, trainer="p3_dann.train", module=__spec__.name, description=__doc__)


if __name__ == "__main__":
    run_cli(main)
