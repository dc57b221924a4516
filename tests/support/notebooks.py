"""Notebooks for the tests, written as Jupyter writes them (nbformat 4, one JSON string per line
of a cell's source, indent 1)."""
import json
import textwrap

LENET = textwrap.dedent("""\
    # convcalc: input 1x32x32
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), 2)
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = torch.flatten(x, 1)
            return self.fc2(F.relu(self.fc1(x)))
""")
IMPORTS = "%matplotlib inline\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"


def lines(text: str) -> list:
    """A source as Jupyter stores it: one string per line, each but the last with its newline."""
    return text.splitlines(keepends=True)


def notebook(cells, language: str = "python", split: bool = True) -> str:
    """``cells``: (kind, text) pairs, kind "code", "markdown" or "raw"."""
    out = []
    for kind, text in cells:
        cell = {"cell_type": kind, "metadata": {}, "source": lines(text) if split else text}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        out.append(cell)
    metadata = {"kernelspec": {"display_name": language, "language": language, "name": language},
                "language_info": {"name": language}}
    return json.dumps({"cells": out, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


def lenet_notebook(model: str = LENET) -> str:
    """Markdown, then the imports (with a magic), the model in cell 3, a cell that uses it."""
    return notebook([("markdown", "# LeNet\nThe model of the course."), ("code", IMPORTS), ("code", model),
                     ("code", "model = Net()\n!nvidia-smi\nmodel?")])


BROKEN_LENET = LENET.replace("input 1x32x32", "input 1x28x28")  # fc1 then receives 16*4*4 = 256
