"""The layer tables of the report (torchsummary's format), printed by each problem's model file:

python3 -m p1_dcgan.model --arch NAME
"""

import sys

import torch
from torch import nn

from common.cli import command_parser


def layer_rows(model: nn.Module, *inputs: torch.Tensor) -> list[tuple[str, tuple, int]]:
    """(name like 'Conv2d-1', output shape with batch -1, own parameter count) for every leaf call, in call order
    (torchsummary's format), from forward hooks on one dummy batch."""
    rows, hooks = [], []

    def hook(module, _inp, out):
        out = out[0] if isinstance(out, (tuple, list)) else out
        name = f"{type(module).__name__}-{len(rows) + 1}"
        rows.append((name, (-1, *out.shape[1:]), sum(p.numel() for p in module.parameters(recurse=False))))

    for m in model.modules():
        if not list(m.children()):
            hooks.append(m.register_forward_hook(hook))
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(*inputs)
    model.train(was_training)
    for h in hooks:
        h.remove()
    return rows


def format_table(title: str, rows: list[tuple[str, tuple, int]], model: nn.Module) -> str:
    line = "=" * 64
    out = [title, f"{'Layer (type)':<28}{'Output Shape':<24}{'Param #':>12}", line]
    out += [f"{n:<28}{str(list(s)):<24}{p:>12,}" for n, s, p in rows]
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    out += [line, f"Total params: {total:,}", f"Trainable params: {trainable:,}", ""]
    return "\n".join(out)


def print_tables(tables: dict, argv: list[str] | None = None) -> None:
    """The command line of a model file (`python3 -m p1_dcgan.model --arch NAME`): that architecture's tables.

    tables: {arch: [(title, build_model, example_inputs), ...]}, builders and inputs as zero-argument callables.
    """
    module = sys.modules["__main__"].__spec__
    p = command_parser(module.name if module else "MODEL", "Print the layer table of an architecture.")
    p.add_argument("--arch", choices=list(tables), default=list(tables)[0], help="the architecture")
    arch = p.parse_args(argv).arch
    for title, build, inputs in tables[arch]:
        model = build()
        print(format_table(f"{title} ({arch})", layer_rows(model, *inputs()), model))
