"""convcalc's description of torchvision's ResNet and VGG (convcalc/frontends/python/library/
torchvision_classic.py) run by torch itself, against the corpus's torchvision-style files run by
torch too (tests/fixtures/corpus/torchvision/, written apart from it): the same parameters and
outputs; and a model file that calls torchvision by its package's name (transfer learning's
``models.resnet18(weights=None)`` then a new ``fc``) read by convcalc as torch builds it."""
import textwrap

import pytest
from click.testing import CliRunner

from paths import ROOT

from convcalc.cli import cli
from report_json import one_model

DESCRIPTION = ROOT / "convcalc" / "frontends" / "python" / "library" / "torchvision_classic.py"
CALLS = [("resnet.py", "resnet18(num_classes=10)"), ("resnet.py", "resnet50()"),
         ("vgg.py", "vgg16_bn()"), ("resnet.py", "wide_resnet50_2()"),
         ("vgg.py", "vgg11(num_classes=7)"), ("vgg.py", "vgg16()")]


def built(torch, call: str):
    namespace: dict = {"__name__": "torchvision_classic"}
    exec(compile(DESCRIPTION.read_text(), str(DESCRIPTION), "exec"), namespace)
    net = eval(call, namespace).eval()
    with torch.no_grad():
        out = net(torch.zeros(1, 3, 64, 64))
    return sum(p.numel() for p in net.parameters()), [tuple(out.shape[1:])]


@pytest.mark.oracle
@pytest.mark.parametrize("fixture, call", CALLS)
def test_the_description_builds_what_the_corpus_s_torchvision_builds(torch, fixture, call):
    from corpus_harness import measure_in_torch

    params, outputs, _ = measure_in_torch(f"torchvision/{fixture}", call, (3, 64, 64))
    assert built(torch, call) == (params, outputs)


TRANSFER = """
    import torch.nn as nn
    from torchvision import models


    model = models.{call}
    model.{head} = nn.Linear({features}, 10)
"""


@pytest.mark.parametrize("call, head, features", [("resnet18(weights=None)", "fc", 512),
                                                  ("resnet50(pretrained=True)", "fc", 2048)])
def test_a_torchvision_model_called_by_its_package_s_name_is_read(tmp_path, call, head, features):
    path = tmp_path / "train.py"
    path.write_text(textwrap.dedent(TRANSFER.format(call=call, head=head, features=features)))
    result = CliRunner().invoke(cli, ["shapes", str(path), "--model", "model", "--input", "3x64x64", "--format",
                                      "json"])
    data = one_model(result.stdout)
    assert data["complete"] is True and data["output"] == [10], result.stdout


@pytest.mark.oracle
def test_a_torchvision_model_called_by_its_package_s_name_agrees_with_torch(tmp_path, torch):
    path = tmp_path / "train.py"
    path.write_text(textwrap.dedent(TRANSFER.format(call="resnet18(weights=None)", head="fc", features=512)))
    result = CliRunner().invoke(cli, ["shapes", str(path), "--model", "model", "--input", "3x64x64", "--format",
                                      "json"])
    data = one_model(result.stdout)
    namespace: dict = {"__name__": "torchvision_classic"}
    exec(compile(DESCRIPTION.read_text(), str(DESCRIPTION), "exec"), namespace)
    net = namespace["resnet18"]()
    net.fc = torch.nn.Linear(512, 10)
    assert data["total_params"] == sum(p.numel() for p in net.parameters())
