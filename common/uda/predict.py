"""A trained UDA classifier: rebuilt from its checkpoint after checking that it is what was asked for, run on
a folder of images or for features, and the graders' prediction command shared by P3 and the bonus.

Callers hand over the architectures they know as a registry {problem: {arch: builder}} (P3's and the bonus's
model.py each export theirs), so this module imports no problem folder.
"""

from collections.abc import Callable
from pathlib import Path

import torch

from common.checkpoints import checkpoint_dir, load_checkpoint, load_weights, served_weights
from common.cli import UsageError, command_parser
from common.data import DIGIT_SIZE
from common.files import UDA_METHODS, model_name, scenario_title, source_for, write_label_csv
from common.images import decode_readable, list_images, to_signed_unit
from common.training import batched, enable_deterministic_inference
from common.uda.training import predict_images

Registry = dict[str, dict[str, Callable[[], torch.nn.Module]]]


def classifier_from_checkpoint(
    ckpt: dict,
    path: Path,
    registry: Registry,
    source: str | None = None,
    target: str | None = None,
    name: str | None = None,
) -> torch.nn.Module:
    """The checkpoint's network with its weights, in eval mode. Refused with one line: a checkpoint of a problem
    not in `registry` or of an architecture it does not know; of another scenario than source → target; with
    `name`, any model but that one (a bound where the graders' script serves the adapted model, say)."""
    problem = ckpt.get("problem")
    if problem not in registry:
        written_by = problem if isinstance(problem, str) else "another problem"
        raise UsageError(
            f"checkpoint {path} is not a {' or '.join(registry)} digit classifier (it was written by {written_by})"
        )
    arch, weights = served_weights(ckpt, path, problem, registry[problem], trained_by="")
    trained = (ckpt.get("config") or {}).get("source"), (ckpt.get("config") or {}).get("target")
    if (source, target) != (None, None) and trained != (source, target):
        raise UsageError(
            f"checkpoint {path} was trained for {scenario_title(*trained) if all(trained) else 'an unknown scenario'}, "
            f"not {scenario_title(source, target)}"
        )
    if name is not None and ckpt.get("name") != name:
        raise UsageError(
            f"checkpoint {path} holds the model {ckpt.get('name')!r}, not {name!r}; pass it with --ckpt "
            "to serve it deliberately"
        )
    return load_weights(registry[problem][arch](), weights, path, problem, arch).eval()


def features_of(net: torch.nn.Module, images_uint8: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """The feature vector `net` (in eval mode, on the CPU) gives each uint8 image."""
    return batched(
        lambda x: net.embed(to_signed_unit(x)).flatten(1),
        images_uint8,
        batch_size=batch_size,
        device=torch.device("cpu"),
    )


def predict_folder_to_csv(net: torch.nn.Module, folder: Path, out_csv: Path, device: torch.device) -> int:
    """Classify every image of `folder` (sorted) and write `image_name,label` rows to out_csv, whole or not at all,
    saying so on stdout before it is published.

    The graders need one row per image, so an unreadable image is an error; every image is decoded first, and the
    error names all that failed (up to three, and their count), so one run finds them all. Nothing is written then.
    """
    files = list_images(folder, what="test folder")
    images, readable, failures = decode_readable(files, DIGIT_SIZE)
    if failures:
        raise UsageError(
            f"{len(failures)} of {len(files)} image(s) in {folder} cannot be read, nothing written: "
            + "; ".join(failures[:3])
        )
    labels = predict_images(net, images, device)
    write_label_csv(
        out_csv, [p.name for p in readable], labels.tolist(), f"wrote {len(readable)} predictions to {out_csv}"
    )
    return len(readable)


def predict_for_graders(
    method: str, archs: dict, trainer: str, module: str, description: str, argv: list[str] | None = None
) -> None:
    """The graders' command line, TEST_DIR DOMAIN OUT_CSV [--ckpt PATH]: DOMAIN names the target (usps -> the
    MNIST-M→USPS model, mnistm -> SVHN→MNIST-M, svhn -> USPS→SVHN); the model is `method`'s (dann, bonus),
    HW2_CKPT_DIR/<problem>_<S>2<T>.pt, unless --ckpt names another model of its problem for that scenario (P3's
    bounds, say)."""
    problem = UDA_METHODS[method]
    p = command_parser(module, description)
    p.add_argument("test_dir", type=Path, help="folder of digit images")
    p.add_argument("domain", help="target domain: mnistm, usps or svhn")
    p.add_argument("out_csv", type=Path, help="the CSV to write (image_name,label)")
    p.add_argument("--ckpt", type=Path, help=f"this checkpoint instead of HW2_CKPT_DIR/{problem}_<S>2<T>.pt")
    a = p.parse_args(argv)
    source = source_for(a.domain)
    served = model_name(method, source, a.domain)
    path = a.ckpt or checkpoint_dir() / f"{served}.pt"
    ckpt = load_checkpoint(
        path, trained_by=f"python3 -m {trainer} --data-root hw2_data --source {source} --target {a.domain}"
    )
    net = classifier_from_checkpoint(ckpt, path, {problem: archs}, source, a.domain, None if a.ckpt else served)
    predict_folder_to_csv(net, a.test_dir, a.out_csv, enable_deterministic_inference())
