"""Constructs of the second held-out set (vit-pytorch, kornia, segmentation-models-pytorch), each
written here in general and, where torch is there, held to torch: a block run inside __init__ on
a tensor made there (the classic way of sizing the Linear after a conv stack), a table of indices
built from known tensors and read through an embedding, einops on a tensor without a batch, the
statistics of a forward tensor, positional tables of sines."""
import textwrap

import pytest
from click.testing import CliRunner

from convcalc.cli import cli
from report_json import one_model

TRIAL = """
    import torch
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self, size=64):
            super().__init__()
            self.convs = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.MaxPool2d(2))
            x = torch.randn(1, 3, size, size)
            self._to_linear = self.convs(x).view(1, -1).shape[1]
            self.fc = nn.Linear(self._to_linear, 10)

        def forward(self, x):
            return self.fc(torch.flatten(self.convs(x), 1))
"""

TABLE = """
    import math
    import torch
    import torch.nn as nn
    from einops import rearrange


    class Net(nn.Module):
        def __init__(self, w=4, heads=2):
            super().__init__()
            pos = torch.arange(w)
            grid = torch.stack(torch.meshgrid(pos, pos, indexing='ij'))
            grid = rearrange(grid, 'c i j -> (i j) c')
            rel = (grid[:, None] - grid[None, :]).abs()
            rows, cols = rel.unbind(dim=-1)
            self.register_buffer('index', rows * w + cols)
            self.bias = nn.Embedding(w * w, heads)
            angles = torch.FloatTensor([[p / 10 ** (i / 4) for i in range(4)] for p in range(w * w)])
            self.register_buffer('pe', torch.sin(angles).sum(dim=-1))

        def forward(self, x):
            b = rearrange(self.bias(self.index), 'i j h -> () h i j')
            mean, std = x.mean(dim=-1, keepdim=True), x.std(dim=-1, keepdim=True)
            sigma, mu = torch.std_mean(x, dim=(-2, -1), keepdim=True)
            return (x - mean) / (std + 1) + b * sigma + mu + x.var(-1, unbiased=False, keepdim=True)
"""

# LeViT's downsampling queries: torch.arange(0, n, step=2) (the step by keyword was dropped: a table of
# 16 rows where torch makes 4, and a false finding)
RANGES = """
    import torch
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self, n=8):
            super().__init__()
            features = len(torch.arange(0, n, step=2)) + len(torch.arange(end=3)) + len(torch.linspace(start=0, end=1, steps=5))
            self.fc = nn.Linear(16, features)

        def forward(self, x):
            return self.fc(x)
"""

# CaiT's talking heads: an einsum of the flowing tensor with a Parameter (a tensor without a batch)
MIXED = """
    import torch
    import torch.nn as nn
    from torch import einsum


    class Net(nn.Module):
        def __init__(self, heads=4):
            super().__init__()
            self.mix = nn.Parameter(torch.randn(heads, heads))
            self.scale = nn.Parameter(torch.ones(1, heads, 1, 1))

        def forward(self, x):
            return einsum('b h i j, h g -> b g i j', x, self.mix) * self.scale
"""

# kornia's normalisation: a mask from a comparison with a number, then torch.where
MASKED = """
    import torch
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3)

        def forward(self, x):
            y = self.conv(x)
            zero = y.abs().amax(dim=1, keepdim=True) == 0
            return torch.where(zero, torch.zeros_like(y), y * 2) + (y > 0.5).float()
"""

CASES = {"trial": (TRIAL, "3x64x64"), "table": (TABLE, "2x16x16"), "ranges": (RANGES, "16"), "mixed": (MIXED, "4x8x8"),
         "masked": (MASKED, "3x10x10")}


def shapes(tmp_path, source, size):
    path = tmp_path / "model.py"
    path.write_text(textwrap.dedent(source))
    result = CliRunner().invoke(cli, ["shapes", str(path), "--model", "Net()", "--input", size, "--format", "json"])
    return one_model(result.stdout), result


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_held_out_construct_is_followed(tmp_path, name):
    source, size = CASES[name]
    data, result = shapes(tmp_path, source, size)
    assert data["complete"] is True, result.stdout


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(CASES))
def test_a_held_out_construct_agrees_with_torch(tmp_path, torch, name):
    source, size = CASES[name]
    data, _ = shapes(tmp_path, source, size)
    namespace: dict = {}
    exec(compile(textwrap.dedent(source), "fixture", "exec"), namespace)
    net = namespace["Net"]().eval()
    out = net(torch.randn(1, *map(int, size.split("x"))))
    assert (data["total_params"], data["output"]) == (sum(p.numel() for p in net.parameters()), list(out.shape[1:]))


def test_a_trial_run_in_init_sizes_the_linear_and_lint_names_the_sizes_it_accepts(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(textwrap.dedent(TRIAL))
    result = CliRunner().invoke(cli, ["lint", str(path)])
    assert "accepts 3x64x64 or 3x65x65" in result.output and "All checks passed (1 file, 1 model)" in result.output


def test_a_where_whose_mask_would_grow_the_tensors_is_not_followed(tmp_path):
    source = MASKED.replace("torch.where(zero, torch.zeros_like(y), y * 2)", "torch.where(y > 0, zero, zero)")
    data, result = shapes(tmp_path, source, "3x10x10")
    assert data["complete"] is False and "torch.where of these arguments" in result.stdout
