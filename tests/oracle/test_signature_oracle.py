"""inspect.signature of a torch.nn class (monai's has_option asks whether a norm takes
num_features) is the catalogue's declared constructor (LayerSpec.constructor): held here to
torch 2.13's own, name by name, kind by kind and default by default, for every layer of the
catalogue; and the frontend answers with it."""
import inspect
import textwrap

import pytest
from click.testing import CliRunner

from convcalc.cli import cli
from convcalc.layers.catalogue import REGISTRY
from convcalc.layers.registry import REQUIRED, TorchFunction
from report_json import one_model

KINDS = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(n for n in REGISTRY))
def test_a_layer_s_declared_constructor_is_torch_s(torch, name):
    cls = getattr(torch.nn, name, None)
    if cls is None:
        pytest.skip(f"{name} is not a class of torch.nn")
    theirs = [(KINDS.get(p.kind, "") + p.name, REQUIRED if p.default is p.empty else p.default)
              for p in inspect.signature(cls).parameters.values()]
    ours = [(n, REQUIRED if n.startswith("*") else d) for n, d in REGISTRY[name].constructor()]
    # a function default (F.relu) is declared by its name
    theirs = [(n, d.__name__ if callable(d) and isinstance(o, TorchFunction) else d) for (n, d), (_, o) in
              zip(theirs, ours + [(None, None)] * len(theirs))]
    assert ours == theirs


SOURCE = """
    import inspect
    import torch.nn as nn

    def has_option(obj, key):
        return key in inspect.signature(obj).parameters

    def default(obj, key):
        return inspect.signature(obj).parameters[key].default

    NORM = nn.modules.InstanceNorm2d
    WIDTH = 8 if has_option(NORM, "num_features") and not has_option(nn.Sigmoid, "inplace") else 4
    EPS = default(nn.BatchNorm2d, "eps")
    KINDS = [p.kind for p in inspect.signature(nn.Identity).parameters.values()]

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.c = nn.Conv2d(3, WIDTH + len(KINDS) * int(EPS * 1e5), 3)
            self.n = NORM(WIDTH + 2, affine=True)

        def forward(self, x):
            return self.n(self.c(x))
"""


def test_the_frontend_answers_inspect_signature_of_a_torch_class(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(textwrap.dedent(SOURCE))
    result = CliRunner().invoke(cli, ["shapes", str(path), "--model", "Net()", "--input", "3x8x8", "--format", "json"])
    data = one_model(result.stdout)
    # WIDTH 8, two parameters of Identity (*args, **kwargs), eps 1e-5: 8 + 2 channels
    assert data["complete"] is True and data["output"] == [10, 6, 6], result.stdout


@pytest.mark.oracle
def test_the_frontend_s_inspect_signature_agrees_with_torch(tmp_path, torch):
    namespace: dict = {}
    exec(compile(textwrap.dedent(SOURCE), "fixture", "exec"), namespace)
    net = namespace["Net"]()
    out = net(torch.zeros(1, 3, 8, 8))
    assert list(out.shape[1:]) == [10, 6, 6]
