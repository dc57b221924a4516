"""Issue 22, item 2: a class whose constructor needs arguments is checked with the arguments the
scripts beside it build it with (``train.py``: ``net = Net(10, 32)``), argparse's defaults among
them, each distinct call once; a class built only inside another model (a block) is never checked
alone. pre-commit lints ``model.py`` alone when only it changed."""
import json
import textwrap

from click.testing import CliRunner

from convcalc.cli import cli

MODEL = """
    import torch
    from torch import nn


    class Block(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.conv = nn.Conv2d(cin, cout, 3, padding=1)

        def forward(self, x):
            return torch.relu(self.conv(x))


    class Net(nn.Module):
        def __init__(self, num_classes, width):
            super().__init__()
            self.body = Block(3, width)
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(64, num_classes)

        def forward(self, x):
            x = self.pool(self.body(x))
            return self.fc(torch.flatten(x, 1))
"""

TRAIN = """
    import torch
    from model import Net


    def main():
        net = Net(10, {width})
        return torch.optim.SGD(net.parameters(), lr=0.1)


    if __name__ == "__main__":
        main()
"""

ARGPARSE = """
    import argparse

    from model import Net


    def main():
        parser = argparse.ArgumentParser()
        parser.add_argument("--num-classes", type=int, default=10)
        parser.add_argument("--width", type=int, default={width})
        args = parser.parse_args()
        return Net(args.num_classes, args.width)


    if __name__ == "__main__":
        main()
"""


def lint(tmp_path, monkeypatch, files: dict, *args):
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "-v", "--format", "json", *args, "model.py"])
    return result.exit_code, json.loads(result.output)


def line_of(needle: str) -> int:
    return next(i for i, line in enumerate(textwrap.dedent(MODEL).splitlines(), 1) if needle in line)


def test_a_class_needing_arguments_is_built_as_the_script_beside_it_builds_it(tmp_path, monkeypatch):
    code, found = lint(tmp_path, monkeypatch, {"model.py": MODEL, "train.py": TRAIN.format(width=32)})
    assert code == 1
    (finding,) = [f for f in found if f["severity"] == "error"]
    assert (finding["code"], finding["path"], finding["line"]) == ("CC102", "model.py", line_of("nn.Linear(64"))
    assert finding["message"].startswith("Linear expects 64 input features but receives 32")
    notes = [f["message"] for f in found if f["code"] == "CC900"]
    assert "model Net(10, 32): built with the arguments train.py:7 gives it" in notes
    assert not [f for f in found if f["code"] in ("CC302", "CC304")]  # Net and its Block are checked


def test_argparse_defaults_are_the_arguments(tmp_path, monkeypatch):
    code, found = lint(tmp_path, monkeypatch, {"model.py": MODEL, "cli.py": ARGPARSE.format(width=64)},
                       "--input", "3x8x8")
    assert code == 0 and [f["code"] for f in found if f["severity"] != "info"] == []
    assert "model Net(10, 64): built with the arguments cli.py:12 gives it" in [f["message"] for f in found]
    code, found = lint(tmp_path, monkeypatch, {"model.py": MODEL, "cli.py": ARGPARSE.format(width=48)},
                       "--input", "3x8x8")
    assert code == 1 and [f["code"] for f in found if f["severity"] == "error"] == ["CC102"]


def test_each_distinct_call_is_checked_once(tmp_path, monkeypatch):
    files = {"model.py": MODEL, "train.py": TRAIN.format(width=32), "evaluate.py": TRAIN.format(width=32),
             "wide.py": TRAIN.format(width=64)}
    code, found = lint(tmp_path, monkeypatch, files, "--input", "3x8x8")
    built = sorted(f["message"] for f in found if "built with the arguments" in f["message"])
    assert built == ["model Net(10, 32): built with the arguments evaluate.py:7 gives it",
                     "model Net(10, 64): built with the arguments wide.py:7 gives it"]
    assert [f["code"] for f in found if f["severity"] == "error"] == ["CC102"]


def test_a_block_built_only_inside_a_scripts_model_is_not_checked_alone(tmp_path, monkeypatch):
    wrapper = """
        from torch import nn
        from model import Block


        class Wrapper(nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = Block(3, 5)

            def forward(self, x):
                return self.inner(x)


        net = Wrapper()
    """
    code, found = lint(tmp_path, monkeypatch, {"model.py": MODEL, "wrap.py": wrapper})
    assert not any("Block(3, 5)" in f["message"] for f in found)
    (unreached,) = [f for f in found if f["code"] == "CC304"]
    assert "class Block needs arguments" in unreached["message"]
