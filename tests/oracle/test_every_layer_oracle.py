"""Every layer of the catalogue is built in torch and in convcalc at least once here, so that a
family added without an oracle fails: its output shape and parameter count must equal torch's.
The hypothesis tests (test_oracle_layers.py, test_new_layers_oracle.py, ...) draw the settings of
each family; this one is the floor under all of them, generated from the registry itself. A layer
is built from its required arguments (SAMPLE, by argument name) on an input of its rank (4
channels, sizes 8); a layer that needs other arguments or input says so in SPECIAL. Every layer also
has its executor op and its line in docs/layers.md (tests/unit/layers/test_layers.py)."""
from __future__ import annotations

import pytest

from convcalc.engine.shapes import analyse
from convcalc.frontends.syntax import parse
from convcalc.layers.catalogue import REGISTRY
from convcalc.layers.registry import REQUIRED

pytestmark = pytest.mark.oracle

# a value for each required argument, by name
SAMPLE = {"in_channels": 4, "out_channels": 6, "kernel_size": 3, "num_features": 4, "output_size": 2,
          "padding": 1, "value": 0.5, "groups": 2, "num_groups": 2, "num_channels": 4, "size": 3,
          "upscale_factor": 2, "downscale_factor": 2, "in_features": 8, "out_features": 3}
# layers of several operands, checked in another oracle test that names them
# (the file, and the text in it that builds the layer)
OWNED = {"Bilinear": ("test_operands_oracle.py", "nn.Bilinear("),
         **{f"MaxUnpool{d}d": ("test_new_layers_oracle.py", 'getattr(torch.nn, f"MaxUnpool{nd}d")') for d in (1, 2, 3)}}
# name -> (required arguments, the sample's shape), where the sample above does not fit
SPECIAL = {
    "Embedding": ({"num_embeddings": 10, "embedding_dim": 3}, (5,)),  # indices below 10 (the sample is ints)
    "Fold": ({"output_size": (4, 4), "kernel_size": 2}, (12, 9)),
    "Unfold": ({"kernel_size": 2}, (4, 8, 8)),
    "LayerNorm": ({"normalized_shape": 8}, (4, 8)),
    "Unflatten": ({"dim": 1, "unflattened_size": (2, 2)}, (4, 8)),
    "GLU": ({}, (4, 8)),
    "Softmax2d": ({}, (4, 8, 8)),
    "LocalResponseNorm": ({"size": 3}, (4, 8, 8)),
    "GroupNorm": ({"num_groups": 2, "num_channels": 4}, (4, 8, 8)),
    "ChannelShuffle": ({"groups": 2}, (4, 8, 8)),
    "Upsample": ({"scale_factor": 2}, (4, 8, 8)),
    "UpsamplingBilinear2d": ({"scale_factor": 2}, (4, 8, 8)),
    "UpsamplingNearest2d": ({"scale_factor": 2}, (4, 8, 8)),
    "Linear": ({"in_features": 8, "out_features": 3}, (8,)),
    "LazyLinear": ({"out_features": 3}, (8,)),
}


def case(name: str):
    """(arguments, sample shape) of a layer."""
    if name in SPECIAL:
        return SPECIAL[name]
    spec = REGISTRY[name]
    required = [p for p, default in spec.params if default is REQUIRED]
    missing = [p for p in required if p not in SAMPLE]
    assert not missing, f"{name}: no sample for {missing}; add it to SAMPLE or the layer to SPECIAL"
    rank = spec.traits.rank
    return {p: SAMPLE[p] for p in required}, (4,) + (8,) * (rank if rank is not None else 2)


def net_text(name: str, kwargs: dict, shape: tuple) -> str:
    arguments = ", ".join(f"{key}={value!r}" for key, value in kwargs.items())
    return f"input {'x'.join(map(str, shape))}\n{name}({arguments})\n"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_layer_agrees_with_torch_once(name, torch):
    if name in OWNED:
        from pathlib import Path

        path, builds = OWNED[name]
        assert builds in Path(__file__).with_name(path).read_text(), (name, path)
        return
    kwargs, shape = case(name)
    layer = getattr(torch.nn, name)(**kwargs)
    layer.eval()
    sample = torch.randint(0, 10, (2, *shape)) if name == "Embedding" else torch.rand(2, *shape)
    with torch.no_grad():
        expected = layer(sample)
    params = sum(p.numel() for p in layer.parameters())
    analysis = analyse(parse(net_text(name, kwargs, shape)))
    assert analysis.ok, analysis.diagnostics
    row = analysis.rows[-1]
    assert tuple(row.shape) == tuple(expected.shape[1:]), name
    assert row.params == params, name
