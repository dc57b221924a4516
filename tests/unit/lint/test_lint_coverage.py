"""Issue 22, item 4: every catalogue layer constructed in a linted file is checked by a followed
model or named with its line (CC304); "All checks passed" only when all were reached; the same
count in the JSON; a construction reached from another file of the run is reached."""
import json
import textwrap

from click.testing import CliRunner

from convcalc.cli import cli

BLOCKS = """
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)

    def forward(self, x):
        return self.conv(x)


class Head(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.fc = nn.Linear(8, num_classes)

    def forward(self, x):
        return self.fc(x)


def unused(width):
    return nn.Sequential(nn.Conv2d(width, 3, 1), nn.ReLU())


# convcalc: input 3x8x8
net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(), nn.Linear(8 * 6 * 6, 2))
"""

NET = """
import torch.nn as nn
from blocks import Block


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.b = Block(3, 8)
        self.pool = nn.AdaptiveAvgPool2d(1)

    def forward(self, x):
        return self.pool(self.b(x))
"""


def lint(tmp_path, monkeypatch, *args, files=None):
    for name, text in (files or {"blocks.py": BLOCKS}).items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(cli, ["lint", "--no-cache", *args])


def line_of(text, needle):
    return next(i for i, line in enumerate(textwrap.dedent(text).splitlines(), 1) if needle in line)


def test_constructions_no_model_reached_are_named_with_their_lines_and_why(tmp_path, monkeypatch):
    result = lint(tmp_path, monkeypatch, "blocks.py")
    assert result.exit_code == 0, result.output
    conv, fc = line_of(BLOCKS, "nn.Conv2d(cin"), line_of(BLOCKS, "nn.Linear(8, num")
    unused = line_of(BLOCKS, "def unused") + 1
    assert f"blocks.py:{conv}:" in result.output and "CC304 3 of 7 layer constructions checked" in result.output
    assert f"line {conv} (class Block needs arguments: cin, cout)" in result.output
    assert f"line {fc} (class Head needs arguments: num_classes)" in result.output
    assert f"line {unused} (no followed model calls unused())" in result.output
    assert "All checks passed" not in result.output
    assert "3 of 7 layer constructions checked" in result.output.splitlines()[-1]


def test_the_count_is_in_the_json(tmp_path, monkeypatch):
    result = lint(tmp_path, monkeypatch, "blocks.py", "--format", "json")
    found = [d for d in json.loads(result.output) if d["code"] == "CC304"]
    assert len(found) == 1 and found[0]["message"].startswith("3 of 7 layer constructions checked")


def test_all_reached_is_all_checks_passed(tmp_path, monkeypatch):
    text = "import torch.nn as nn\n\n# convcalc: input 3x8x8\nnet = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())\n"
    result = lint(tmp_path, monkeypatch, "net.py", files={"net.py": text})
    assert "CC304" not in result.output and "All checks passed" in result.output


def test_a_block_reached_by_a_model_of_another_file_of_the_run_is_reached(tmp_path, monkeypatch):
    result = lint(tmp_path, monkeypatch, ".", files={"blocks.py": BLOCKS, "net.py": NET})
    assert "CC304 4 of 7 layer constructions checked" in result.output
    assert "class Block" not in result.output


def test_a_warm_run_says_the_same(tmp_path, monkeypatch):
    (tmp_path / "blocks.py").write_text(textwrap.dedent(BLOCKS))
    monkeypatch.chdir(tmp_path)
    cold = CliRunner().invoke(cli, ["lint", "blocks.py"])
    warm = CliRunner().invoke(cli, ["lint", "blocks.py"])
    assert "CC304" in cold.output and warm.output == cold.output


def test_strict_makes_it_a_finding(tmp_path, monkeypatch):
    result = lint(tmp_path, monkeypatch, "blocks.py", "--strict")
    assert result.exit_code == 1 and "CC304" in result.output


def test_a_branch_of_a_function_its_calls_do_not_take_is_named_as_such(tmp_path, monkeypatch):
    text = """
        import torch.nn as nn


        def make(norm=False):
            layers = [nn.Conv2d(3, 8, 3)]
            if norm:
                layers.append(nn.BatchNorm2d(8))
            return nn.Sequential(*layers)


        # convcalc: input 3x8x8
        net = make()
    """
    result = lint(tmp_path, monkeypatch, "net.py", files={"net.py": text})
    assert f"line {line_of(text, 'BatchNorm2d')} (a branch of make() that its calls do not take)" in result.output
