"""`shapes --tree` against torch: every container row's parameters equal its module's
`sum(p.numel() for p in module.parameters())`, as torchinfo's tree shows them, and its output
the module's output shape (forward hooks), on corpus models with nested submodules."""
from __future__ import annotations

import os
import re

import pytest
from click.testing import CliRunner

from corpus_harness import CORPUS, load_module
from convcalc.cli import cli

pytestmark = pytest.mark.oracle

CASES = [("cifar/resnet.py", "ResNet18()", "ResNet18", (3, 32, 32)),
         ("torchvision/resnet.py", "resnet50()", "resnet50", (3, 64, 64)),
         ("cifar/densenet.py", "densenet_cifar()", "densenet_cifar", (3, 32, 32))]
ROW = re.compile(r"^\s*\d+\s+(?P<bars>[│ ]*)[├└]─(?P<name>\S+) \((?P<kind>\w+)\)\s+(?P<out>\S+)\s+(?P<params>[\d,]+)$")


@pytest.mark.parametrize("relpath, build, model, shape", CASES, ids=[c[2] for c in CASES])
def test_every_container_row_is_its_module(relpath, build, model, shape, torch):
    size = "x".join(map(str, shape))
    result = CliRunner().invoke(cli, ["shapes", os.path.join(CORPUS, relpath), "--model", model, "--input", size,
                                      "--tree", "--depth", "all"])
    assert result.exit_code == 0, result.output
    containers, stack = [], []
    for line in result.output.splitlines():
        m = ROW.match(line)
        if not m:
            continue
        depth = len(m["bars"]) // 2
        del stack[depth:]
        stack.append(m["name"])
        containers.append((".".join(stack), m["out"], int(m["params"].replace(",", ""))))
    assert len(containers) >= 8
    net = eval(build, vars(load_module(relpath)))  # the test's own expression, on the test's own fixture
    net.eval()
    outputs = {}
    modules = dict(net.named_modules())
    def hook(name):
        def record(module, inputs, output):  # returns None: the output is left as it is
            outputs.setdefault(name, tuple(output.shape[1:]))
        return record

    for name, module in modules.items():
        module.register_forward_hook(hook(name))
    with torch.no_grad():
        net(torch.rand(1, *shape))
    for path, out, params in containers:
        assert path in modules, path
        assert params == sum(p.numel() for p in modules[path].parameters()), path
        assert out == "x".join(map(str, outputs[path])), path
