"""docs/layers.md from the catalogue's declarations (convcalc/layers/): one line per layer with its
constructor's arguments and torch's defaults, its operands and what it gives, the family it belongs
to. tests/unit/layers/test_layers.py fails when the page is not what this writes.

    python tools/layers_doc.py        # rewrites docs/layers.md
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from convcalc.layers.catalogue import REGISTRY  # noqa: E402
from convcalc.layers.registry import REQUIRED  # noqa: E402

HEAD = """# Layers

Every `nn` layer convcalc knows, as its catalogue declares it (`convcalc/layers/`, one module per
family): the constructor's arguments in PyTorch's order with PyTorch's defaults (bold: required),
the tensors its forward takes, and what it gives. The engine, the measuring pass, the reference
executor (`convcalc/executor/`) and the oracle tests look each one up by its name; a test fails
when a layer has no executor op, when `tests/oracle/test_every_layer_oracle.py` cannot build it in
torch, or when this page is not what `python tools/layers_doc.py` writes from the declarations.
The same names are spelled `nn.X`, `torch.nn.X` or `X` in a description and a Python file; their
functional forms (`F.relu`, `F.max_pool2d`, ...) are in `convcalc/layers/functional.py`, the tensor
operations in [operations.md](operations.md).

| layer | family | arguments | forward | gives |
| --- | --- | --- | --- | --- |
"""


def arguments(spec) -> str:
    if spec.var_args:
        return "any (ignored)"
    return ", ".join(f"**{name}**" if default is REQUIRED else f"{name}={default!r}" for name, default in spec.params)


def forward(spec) -> str:
    taken = [name.rstrip("?") + (" (optional)" if name.endswith("?") else "") for name in spec.operands]
    taken += [f"{name}={default!r}" for name, default in spec.call_params]
    return ", ".join(taken)


def gives(spec) -> str:
    return "output" if spec.outputs is None else "output, or several (by its arguments: " + \
        (spec.outputs.__doc__ or "").strip().split("\n")[0].rstrip(".") + ")"


def render() -> str:
    lines = [f"| `{name}` | {spec.family} | {arguments(spec)} | {forward(spec)} | {gives(spec)} |"
             for name, spec in sorted(REGISTRY.items())]
    return HEAD + "\n".join(lines) + "\n"


if __name__ == "__main__":
    (ROOT / "docs" / "layers.md").write_text(render(), encoding="utf-8")
    print(f"wrote docs/layers.md: {len(REGISTRY)} layers")
