"""Predict a test folder for the graders with the bonus models:
`python3 -m bonus_uda.inference TEST_DIR DOMAIN OUT_CSV [--ckpt PATH]`.

DOMAIN names the target: usps -> HW2_CKPT_DIR/bonus_mnistm2usps.pt, mnistm -> bonus_svhn2mnistm.pt, svhn ->
bonus_usps2svhn.pt.
"""

from bonus_uda.model import ARCHS
from common.cli import run_cli
from common.uda.predict import predict_for_graders


def main() -> None:
    predict_for_graders("bonus", ARCHS, trainer="bonus_uda.train", module=__spec__.name, description=__doc__)


if __name__ == "__main__":
    run_cli(main)
