"""Write convcalc/frontends/python/brains/torch_names.py from the torch installed (2.13): the names
``dir()`` gives of torch.nn.functional, torch.nn and torch.nn.init, and the public attributes of each
catalogue layer (its class's names, annotations, constants and constructor parameters, and those of
an instance built with small arguments). Run: python tools/torch_names.py"""
import inspect
import os
import warnings

import torch
import torch.nn as nn
import torch.nn.functional  # noqa: F401
import torch.nn.init  # noqa: F401

from convcalc.layers.catalogue import REGISTRY

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = os.path.join(HERE, "..", "convcalc", "frontends", "python", "brains", "torch_names.py")
# small arguments tried in turn until the class builds (each catalogue layer builds with one of them)
TRIES = [(), (4,), (4, 4), (4, 4, 3), (8, 2), (2, 3, 4), (1, (2, 2)), (None, 2)]


def layer_names(cls) -> list:
    names = set(dir(cls))
    for c in cls.__mro__:
        names |= set(getattr(c, "__annotations__", {})) | set(getattr(c, "__constants__", []))
        try:
            names |= set(inspect.signature(c.__init__).parameters)
        except (TypeError, ValueError):
            pass
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for args in TRIES:
            try:
                made = cls(*args)
            except Exception:  # noqa: BLE001  (the next arguments are tried)
                continue
            names |= set(vars(made)) | set(made._parameters) | set(made._buffers) | set(made._modules)
            break
        else:
            raise SystemExit(f"{cls.__name__} does not build with any of {TRIES}")
    return sorted(n for n in names if not n.startswith("_") and n not in ("self", "args", "kwargs"))


def rows(items, indent: str) -> list:
    lines, row = [], indent
    for item in items:
        text = f" {item!r},"
        if len(row) + len(text) > 110:
            lines.append(row)
            row = indent
        row += text
    return lines + [row]


def main() -> None:
    lines = ['"""What torch 2.13 has, for the questions a model file asks of it: the names ``dir()`` gives of',
             "torch.nn.functional, torch.nn and torch.nn.init (``'silu' in dir(F)``: which functions its torch",
             "has), and the public attributes of each catalogue layer (``hasattr(m, 'zero_init_last_bn')`` of an",
             "nn.Linear is False). Written by tools/torch_names.py from torch itself; tests/oracle checks them.\"\"\"",
             "", "DIR = {"]
    for name in ("torch.nn.functional", "torch.nn", "torch.nn.init"):
        lines.append(f'    "{name}": (')
        lines += rows(dir(eval(name, {"torch": torch})), "       ")
        lines.append("    ),")
    module = layer_names(nn.Module)
    lines += ["}", "", "# the public attribute names of every nn.Module (its methods, training)", "MODULE_ATTRS = frozenset(("]
    lines += rows(module, "   ")
    lines += ["))", "", "# layer -> the public attribute names of torch's class and of an instance, beyond MODULE_ATTRS",
              "LAYER_ATTRS = {"]
    for name in sorted(REGISTRY):
        cls = getattr(nn, name, None)
        if isinstance(cls, type):
            lines.append(f'    "{name}": MODULE_ATTRS | frozenset((')
            lines += rows([n for n in layer_names(cls) if n not in module], "       ")
            lines.append("    )),")
    lines.append("}")
    with open(TARGET, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
