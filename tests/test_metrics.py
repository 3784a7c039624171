"""FID and IS against known answers, without any download."""

import numpy as np
import pytest
from PIL import Image

from common.images import folder_batches
from common.metrics.fid import (
    _trace_sqrt_product,
    fid_of_folders,
    frechet_distance,
    frechet_distance_to_features,
    gaussian_stats,
)
from common.metrics.inception_score import score_from_probabilities


def test_frechet_distance_matches_closed_form_for_gaussians():
    rng = np.random.default_rng(0)
    mu1, mu2 = rng.normal(size=4), rng.normal(size=4)
    var1, var2 = rng.uniform(0.5, 2, 4), rng.uniform(0.5, 2, 4)
    expected = ((mu1 - mu2) ** 2).sum() + (var1 + var2 - 2 * np.sqrt(var1 * var2)).sum()
    assert frechet_distance((mu1, np.diag(var1)), (mu2, np.diag(var2))) == pytest.approx(expected, rel=1e-6)
    # Non-diagonal: Σ2 = A Σ1 A with A symmetric PSD commuting with Σ1 gives Tr((Σ1Σ2)^½) = Tr(Σ1 A).
    q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    s1, a = q @ np.diag(var1) @ q.T, q @ np.diag(var2) @ q.T
    assert _trace_sqrt_product(s1, a @ s1 @ a) == pytest.approx(np.trace(s1 @ a), rel=1e-6)
    assert frechet_distance((mu1, s1), (mu1, s1)) == pytest.approx(0, abs=1e-6)


def test_frechet_distance_agrees_with_the_sqrtm_definition_where_sqrtm_succeeds():
    from scipy.linalg import sqrtm

    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(200, 16)), rng.normal(1.0, 2.0, size=(300, 16)) @ rng.normal(size=(16, 16))
    (mu1, s1), (mu2, s2) = [(x.mean(axis=0), np.cov(x, rowvar=False)) for x in (a, b)]
    by_sqrtm = ((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * sqrtm(s1 @ s2).real)  # pytorch-fid's formula
    assert frechet_distance((mu1, s1), (mu2, s2)) == pytest.approx(by_sqrtm, rel=1e-6)


def test_frechet_distance_to_few_features_equals_the_full_computation():
    rng = np.random.default_rng(2)
    ref = gaussian_stats(rng.normal(size=(40, 30)) @ rng.normal(size=(30, 30)))
    few = rng.normal(0.5, 1.5, size=(12, 30))  # fewer samples than dimensions: a singular covariance
    assert frechet_distance_to_features(ref, few) == pytest.approx(frechet_distance(ref, gaussian_stats(few)), rel=1e-7)


def test_fid_of_a_folder_against_itself_is_zero_and_differs_from_another(tmp_path):
    rng = np.random.default_rng(0)
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    for i in range(6):
        Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(tmp_path / "a" / f"{i}.png")
        Image.fromarray(np.full((64, 64, 3), 40 * i, dtype=np.uint8)).save(tmp_path / "b" / f"{i}.png")
    same = fid_of_folders(tmp_path / "a", tmp_path / "a", weights="random")
    other = fid_of_folders(tmp_path / "a", tmp_path / "b", weights="random")
    assert abs(same) < 1e-3 * max(1.0, other) and other > 0.01


def test_inception_score_known_answers():
    assert score_from_probabilities(np.full((100, 10), 0.1))[0] == pytest.approx(1.0)
    # Ten equal groups of distinct one-hot outputs, each split holding all ten: IS = 10.
    one_hot = np.eye(10)[np.arange(100) % 10]
    assert score_from_probabilities(one_hot, splits=10)[0] == pytest.approx(10.0, rel=1e-6)
    # Splits are consecutive in file order: grouped by class, every split sees one class, so IS = 1.
    grouped = np.eye(10)[np.arange(100) // 10]
    assert score_from_probabilities(grouped, splits=10)[0] == pytest.approx(1.0, rel=1e-6)


def test_folder_batches_follow_sorted_file_order(tmp_path):
    for i in (3, 1, 2, 0):
        Image.new("RGB", (8, 8), (i * 10, 0, 0)).save(tmp_path / f"{i:02d}.png")
    batch = next(folder_batches(tmp_path, 10))
    assert batch[:, 0, 0, 0].tolist() == [0, 10, 20, 30]


def test_metrics_cli_says_skipped_without_weights(tmp_path, monkeypatch):
    from tests.helpers import run_module

    Image.new("RGB", (64, 64)).save(tmp_path / "x.png")
    Image.new("RGB", (64, 64), (9, 9, 9)).save(tmp_path / "y.png")  # FID needs two images per set
    env = {"FID_WEIGHTS": "", "IS_WEIGHTS": "", "TORCH_HOME": str(tmp_path / "torch")}
    proc = run_module("common.metrics", "fid", str(tmp_path), str(tmp_path), env=env, check=False)
    if "FID:" in proc.stdout:
        pytest.skip("this machine can download the Inception weights")
    assert proc.returncode == 0 and "FID skipped" in proc.stdout and "Traceback" not in proc.stderr


def test_face_detector_finds_real_faces_and_not_noise(tmp_path):
    import skimage.data

    from common.metrics.face_detector import face_rate_of_folder, faces_found
    from tests.helpers import run_module

    lfw = skimage.data.lfw_subset()[:20]  # scikit-image's first 100 are faces (25×25 grey)
    faces = np.stack(
        [np.asarray(Image.fromarray((f * 255).astype(np.uint8)).resize((64, 64)).convert("RGB")) for f in lfw]
    )
    noise = np.random.default_rng(0).integers(0, 256, (20, 64, 64, 3), dtype=np.uint8)
    assert faces_found(faces).mean() >= 0.6
    assert not faces_found(noise).any() and not faces_found(np.full_like(noise, 128)).any()
    for i, image in enumerate(np.concatenate([faces[:4], noise[:4]])):
        Image.fromarray(image).save(tmp_path / f"{i:04d}.png")
    found, total = face_rate_of_folder(tmp_path)
    assert total == 8 and found == int(faces_found(faces[:4]).sum())
    proc = run_module("common.metrics", "faces", str(tmp_path))
    assert proc.stdout.strip().endswith(f"% ({found}/8)") and "not FID" in proc.stdout


def test_face_detector_without_opencv_says_skipped(monkeypatch):
    import sys

    from common.cli import MetricSkipped
    from common.metrics.face_detector import faces_found

    monkeypatch.setitem(sys.modules, "cv2", None)  # import cv2 now raises ImportError
    with pytest.raises(MetricSkipped, match="face detector skipped: opencv-python-headless is not installed"):
        faces_found(np.zeros((1, 64, 64, 3), np.uint8))
