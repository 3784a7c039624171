"""A miniature `make demo`: tiny data, a few steps per problem, every grader script, the report."""
import re

from tests.helpers import run_module


def test_miniature_demo_writes_every_output_and_report_section(tmp_path):
    env = {"DEMO_DATA": str(tmp_path / "data"), "DEMO_OUT": str(tmp_path / "out"),
           "DEMO_SIZES": "--mnistm 120 --usps 120 --svhn 120 --faces 20", "P1_STEPS": "2", "P2_STEPS": "2",
           "P3_EPOCHS": "1", "BONUS_EPOCHS": "1", "CLS_EPOCHS": "1", "TSNE_SAMPLES": "15", "BATCH": "8",
           "UDA_BATCH": "16"}
    log = run_module("scripts/demo.sh", env=env).stdout
    out = tmp_path / "out"
    assert len(list((out / "eval" / "p1_images").glob("*.png"))) == 1000
    assert len(list((out / "eval" / "p2_images").glob("*_*.png"))) == 1000
    for kind in ("p3_source", "p3_dann", "p3_target", "bonus"):
        for pair in ("mnistm2usps", "svhn2mnistm", "usps2svhn"):
            assert (out / "eval" / f"{kind}_{pair}.txt").read_text().startswith("Accuracy: ")
    report = (out / "report" / "README.md").read_text()
    for section in ("## P1", "## P2", "## P3", "## Bonus", "## Training curves"):
        assert section in report
    assert re.search(r"FID (skipped|: )", report) and re.search(r"IS (skipped|: )", report)
    assert report.count("% (") >= 15  # 3×3 P3 cells and 2×3 bonus cells, each `percent (correct/total)`
    for link in re.findall(r"\]\(([^)]+)\)", report):
        assert (out / "report" / link).exists(), link
    # A second run reuses every trained model.
    again = run_module("scripts/demo.sh", env=env).stdout
    assert "run folder" not in again and "run folder" in log
