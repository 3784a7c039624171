"""Typed configs: one dataclass per training script, turned into its command line; each field's `help` metadata
is its help text.

    @dataclass
    class Config:
        data_root: str = field(metadata={"help": "the hw2_data folder"})
        steps: int = field(default=1000, metadata={"help": "optimizer steps"})

becomes `--data-root` (required, no default) and `--steps N`. Booleans become `--flag/--no-flag`;
`choices` in the metadata restrict a value, and so do the bounds "min"/"max" (inclusive) and "above"/"below"
(exclusive); a float must be finite. A `check()` method on the config, if present, rejects impossible
combinations with a UsageError.
"""
import argparse
import dataclasses
import math
import operator
import typing

from common.errors import UsageError, run_cli

BOUNDS = {"min": (operator.ge, "≥"), "max": (operator.le, "≤"),
          "above": (operator.gt, ">"), "below": (operator.lt, "<")}


def check_bounds(cfg) -> None:
    """One line naming the option for a value outside its field's bounds, or a float that is NaN or infinite."""
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        if value is None or isinstance(value, (bool, str)):
            continue
        option = "--" + f.name.replace("_", "-")
        if isinstance(value, float) and not math.isfinite(value):
            raise UsageError(f"{option} must be a finite number, got {value}")
        for key, (holds, sign) in BOUNDS.items():
            if key in f.metadata and not holds(value, f.metadata[key]):
                raise UsageError(f"{option} must be {sign} {f.metadata[key]}, got {value}")


def parse_config(cls, argv: list[str] | None = None):
    parser = argparse.ArgumentParser(description=(cls.__doc__ or "").strip().splitlines()[0])
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        kind = hints[f.name]
        has_default = f.default is not dataclasses.MISSING
        opts = {"help": f.metadata.get("help", ""), "dest": f.name}
        if "choices" in f.metadata:
            opts["choices"] = f.metadata["choices"]
        if kind is bool:
            opts["action"] = argparse.BooleanOptionalAction
        else:
            args = [a for a in typing.get_args(kind) if a is not type(None)]
            opts["type"] = args[0] if args else kind  # `int | None` parses as int
        if has_default:
            opts["default"] = f.default
            opts["help"] += f" (default: {f.default})"
        else:
            opts["required"] = True
        parser.add_argument("--" + f.name.replace("_", "-"), **opts)
    cfg = cls(**vars(parser.parse_args(argv)))
    check_bounds(cfg)
    if hasattr(cfg, "check"):
        cfg.check()
    return cfg


def print_config(cfg) -> None:
    print("config: " + " ".join(f"{k}={v}" for k, v in dataclasses.asdict(cfg).items()), flush=True)


def run_training(main, config_cls) -> None:
    """A training script's command line: its Config from argv, then main(config), failures as one line."""
    run_cli(lambda: main(parse_config(config_cls)))
