"""A model file written in a test, read by convcalc and run in torch: the figures to compare.

``ours(text)`` reads the source (never runs it) and walks its one model; ``theirs(text, name,
shape)`` executes the same source in the test process (the test's own fixture: a test may, the
product never does), builds ``name`` and measures it in eval mode: parameters as
``model.parameters()`` counts them, and the output shape(s) without the batch.
"""
import textwrap

from convcalc.engine.shapes import analyse
from convcalc.frontends.python.models import read_models


def ours(text: str, path: str = "model.py"):
    """(the model convcalc read, its analysis)."""
    models = read_models(textwrap.dedent(text), path).models
    assert len(models) == 1, f"{len(models)} models read"
    return models[0], analyse(models[0].program)


def theirs(text: str, name: str, *shapes, batch: int = 2):
    """(parameter count, output shape(s) per sample) of ``name`` run in torch."""
    import torch

    namespace: dict = {"__name__": "fixture"}
    exec(compile(textwrap.dedent(text), "model.py", "exec"), namespace)  # the test's own fixture
    model = namespace[name]().eval()
    with torch.no_grad():
        out = model(*(torch.randn(batch, *shape) for shape in shapes))
    params = sum(p.numel() for p in model.parameters())
    return params, per_sample(out)


def per_sample(out):
    if isinstance(out, (tuple, list)):
        return tuple(per_sample(o) for o in out)
    if isinstance(out, dict):
        return {k: per_sample(v) for k, v in out.items()}
    return tuple(out.shape[1:])
