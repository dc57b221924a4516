"""Issue 22: a problem inside convcalc's own description of a library block (library/: torchvision's
Conv2dNormActivation, SqueezeExcitation, MLP) is the user's: placed at the outermost call in the
user's files, naming the block, and silenced by an ignore comment there; never a line of a file
the user does not have."""
import json
import textwrap

from click.testing import CliRunner

from convcalc.cli import cli

NORM_ACT = """
from torch import nn
from torchvision.ops import Conv2dNormActivation


class Stem(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = Conv2dNormActivation(3, 64, groups=5){comment}
        self.pool = nn.AdaptiveAvgPool2d(1)

    def forward(self, x):
        return self.pool(self.first(x))
"""

SQUEEZE = """
from torch import nn
from torchvision.ops import SqueezeExcitation


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 64, 3)
        self.se = SqueezeExcitation(32, 8){comment}

    def forward(self, x):
        return self.se(self.conv(x))
"""

RAISES = """
from torch import nn
from torchvision.ops import MLP


def head(width):
    return MLP(width, 10)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.flat = nn.Flatten()
        self.head = head(16)

    def forward(self, x):
        return self.head(self.flat(x))
"""


def lint(tmp_path, monkeypatch, files: dict, *args):
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "--format", "json", *args, *files])
    return result.exit_code, json.loads(result.output)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(textwrap.dedent(text).splitlines(), 1) if needle in line)


def test_a_refused_construction_inside_a_block_is_placed_at_the_users_call(tmp_path, monkeypatch):
    code, found = lint(tmp_path, monkeypatch, {"stem.py": NORM_ACT.format(comment="")})
    assert code == 1
    (finding,) = [f for f in found if f["code"] == "CC106"]
    text = NORM_ACT.format(comment="")
    line = line_of(text, "Conv2dNormActivation(3")
    assert (finding["path"], finding["line"]) == ("stem.py", line)
    assert finding["column"] == textwrap.dedent(text).splitlines()[line - 1].index("Conv2dNormActivation") + 1
    assert finding["message"] == "Conv2d: groups=5 must divide in_channels=3 (inside torchvision.ops.Conv2dNormActivation)"


def test_a_channel_mismatch_inside_a_block_is_placed_at_the_blocks_construction(tmp_path, monkeypatch):
    code, found = lint(tmp_path, monkeypatch, {"net.py": SQUEEZE.format(comment="")}, "--input", "3x16x16")
    assert code == 1
    (finding,) = found
    assert (finding["path"], finding["line"], finding["code"]) == ("net.py", line_of(SQUEEZE, "SqueezeExcitation(32"),
                                                                   "CC101")
    assert finding["message"].endswith("(inside torchvision.ops.SqueezeExcitation)")
    assert "torchvision_ops" not in json.dumps(found)


def test_an_ignore_comment_at_the_users_call_silences_it(tmp_path, monkeypatch):
    comment = "  # convcalc: ignore[CC106]"
    code, found = lint(tmp_path, monkeypatch, {"stem.py": NORM_ACT.format(comment=comment)})
    assert [f["code"] for f in found if f["severity"] != "info"] == [] and code == 0
    comment = "  # convcalc: ignore[CC101]"
    code, found = lint(tmp_path, monkeypatch, {"net.py": SQUEEZE.format(comment=comment)}, "--input", "3x16x16")
    assert found == [] and code == 0


def test_a_block_built_in_another_file_of_the_tree_is_placed_in_that_file(tmp_path, monkeypatch):
    blocks = """
        from torchvision.ops import Conv2dNormActivation


        def stage(cin, cout):
            return Conv2dNormActivation(cin, cout, groups=3)
    """
    net = """
        from torch import nn
        from blocks import stage


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = stage(4, 8)

            def forward(self, x):
                return self.body(x)
    """
    code, found = lint(tmp_path, monkeypatch, {"blocks.py": blocks, "net.py": net})
    (finding,) = [f for f in found if f["code"] == "CC106"]
    assert (finding["path"], finding["line"]) == ("blocks.py", line_of(blocks, "Conv2dNormActivation(cin"))
    assert "inside torchvision.ops.Conv2dNormActivation" in finding["message"]


def test_what_a_block_raises_is_placed_at_the_call_that_made_it_raise(tmp_path, monkeypatch):
    # MLP takes a list of widths: an int is a TypeError inside torchvision, raised for head()'s call
    code, found = lint(tmp_path, monkeypatch, {"head.py": RAISES}, "--strict")
    (finding,) = [f for f in found if f["code"] == "CC302"]
    assert (finding["path"], finding["line"]) == ("head.py", line_of(RAISES, "return MLP("))
    assert finding["message"].endswith("'int' object is not subscriptable (inside torchvision.ops.MLP)")
