"""Bugs planted in the corpus (tests/fixtures/corpus/): each mutation is one edit of one line of a
copy of the files, and lint must report an error at that line, or, for a layer built by a
call elsewhere, at the layer with the call's line named ("built by OutConv() at ...")."""
import os
import shutil

import pytest
from click.testing import CliRunner

from convcalc.cli import cli
from corpus_harness import CORPUS

# (file, text before, text after, the file linted (None: that one), code, where the finding is:
# the mutated line (None), or (file, the text of the line, which of the lines with it) of the add or
# concat that joins the mismatched tensors, or of the layer built elsewhere that receives them,
# the call that built it then named in the message)
PLANTED = [
    ("cifar/vgg.py", "nn.Linear(512, 10)", "nn.Linear(1024, 10)", None, "CC102", None),
    ("torchvision/resnet.py", "self.bn3 = norm_layer(planes * self.expansion)", "self.bn3 = norm_layer(planes)",
     None, "CC101", None),
    ("examples/mnist.py", "nn.Linear(9216, 128)", "nn.Linear(9000, 128)", None, "CC102", None),
    ("tutorials/cifar10_blitz.py", "nn.Conv2d(6, 16, 5)", "nn.Conv2d(8, 16, 5)", None, "CC101", None),
    ("cifar/googlenet.py", "nn.MaxPool2d(3, stride=1, padding=1),", "nn.MaxPool2d(3, stride=2, padding=1),", None,
     "CC105", ("cifar/googlenet.py", "return torch.cat([y1, y2, y3, y4], 1)", 0)),
    ("tutorials/d2l_vgg.py", "nn.Linear(out_channels * 7 * 7, 4096)", "nn.Linear(out_channels * 8 * 8, 4096)",
     None, "CC102", None),
    ("tutorials/lenet5.py", "nn.Linear(in_features=120, out_features=84)",
     "nn.Linear(in_features=100, out_features=84)", None, "CC102", None),
    ("torchvision/mobilenetv2.py", "self.use_res_connect = self.stride == 1 and inp == oup",
     "self.use_res_connect = self.stride == 1", None, "CC104",
     ("torchvision/mobilenetv2.py", "return x + self.conv(x)", 0)),
    ("unet/unet_model.py", "self.outc = (OutConv(64, n_classes))", "self.outc = (OutConv(32, n_classes))", None,
     "CC101", ("unet/unet_parts.py", "self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=1)", 0)),
    ("torchvision/densenet.py", "self.classifier = nn.Linear(num_features, num_classes)",
     "self.classifier = nn.Linear(num_features // 2, num_classes)", None, "CC102", None),
    ("examples/fast_neural_style.py", "self.deconv3 = ConvLayer(32, 3, kernel_size=9, stride=1)",
     "self.deconv3 = ConvLayer(64, 3, kernel_size=9, stride=1)", None, "CC101",
     ("examples/fast_neural_style.py", "self.conv2d = torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride)",
      0)),
]


def line_of(path: str, text: str, which=None) -> int:
    lines = open(path).read().splitlines()
    found = [i + 1 for i, line in enumerate(lines) if text in line]
    assert found and (which is not None or len(found) == 1), f"{text!r} is on lines {found} of {path}"
    return found[which or 0]


@pytest.mark.parametrize("case", PLANTED, ids=lambda c: f"{c[0]}:{c[4]}")
def test_a_planted_bug_is_caught_at_its_line(case, tmp_path, monkeypatch):
    relpath, before, after, linted, code, at = case
    directory = os.path.dirname(relpath)
    shutil.copytree(os.path.join(CORPUS, directory), tmp_path / directory)
    target = tmp_path / relpath
    text = target.read_text()
    assert text.count(before) == 1, f"{before!r} is not once in {relpath}"
    target.write_text(text.replace(before, after))
    monkeypatch.chdir(tmp_path)
    clean = CliRunner().invoke(cli, ["lint", os.path.join(CORPUS, linted or relpath)])
    assert f"{code} " not in clean.output  # the corpus file itself has no such finding

    result = CliRunner().invoke(cli, ["lint", linted or relpath])
    assert result.exit_code == 1, result.output
    if at is None:
        where, line = relpath, line_of(relpath, after)
    else:
        where, line = at[0], line_of(*at)
    head = f"{where}:{line}:"
    hits = [row for row in result.output.splitlines() if row.startswith(head) and f" {code} " in row]
    assert hits, f"no {code} at {head}\n{result.output}"
    if code not in ("CC104", "CC105") and at is not None:
        # a layer built elsewhere receives the wrong input: the call that built it is named
        assert "built by" in hits[0] and f":{line_of(relpath, after)})" in hits[0] or \
            f"line {line_of(relpath, after)})" in hits[0], hits[0]
