"""Packages imported as Python imports them (issue 21): each package around a module runs its
``__init__.py`` first, a module read becomes a name of its package, a module-level statement
convcalc cannot follow stops only itself while a ``raise`` ends the module; imported files'
tokens are counted with a docstring as one. Each tree is also run by CPython (a subprocess
of this test: the test may run it; convcalc never does) where torch is there."""
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from convcalc.cli import cli
from convcalc.limits import python_overflow
from report_json import one_model

# a registry filled by a module the package's __init__ imports: found only when the package's
# __init__ runs before the module the model file names (timm's and monai's factories)
REGISTRY_TREE = {
    "pkg/__init__.py": "from .registry import REGISTRY\nfrom . import blocks\n",
    "pkg/registry.py": "REGISTRY = {}\n\ndef register(fn):\n    REGISTRY[fn.__name__] = fn\n    return fn\n",
    "pkg/blocks.py": ("import torch.nn as nn\nfrom .registry import register\n\n\n@register\n"
                      "def small(width):\n    return nn.Sequential(nn.Conv2d(3, width, 3), nn.ReLU())\n"),
    "main.py": "from pkg.registry import REGISTRY\n\nmodel = REGISTRY['small'](8)\n",
}
# ``import a.b.c`` then ``a.b.c.name``: each module is a name of its package
DOTTED_TREE = {
    "nets/__init__.py": "",
    "nets/parts/__init__.py": "WIDTH = 4\n",
    "nets/parts/conv.py": "import torch.nn as nn\n\n\ndef block(c):\n    return nn.Conv2d(3, c, 3)\n",
    "main.py": "import nets.parts.conv\n\nmodel = nets.parts.conv.block(nets.parts.WIDTH * 2)\n",
}
# a package whose __init__ needs a name only its own earlier import defines (monai's cycles:
# utils/__init__ imports .a, then .b, and b reads a's name through the package)
CYCLE_TREE = {
    "lib/__init__.py": "from .a import helper\nfrom .b import Net\n",
    "lib/a.py": "def helper(c):\n    return c * 2\n",
    "lib/b.py": ("import torch.nn as nn\nfrom lib import helper\n\n\nclass Net(nn.Module):\n"
                 "    def __init__(self):\n        super().__init__()\n        self.c = nn.Conv2d(3, helper(4), 3)\n\n"
                 "    def forward(self, x):\n        return self.c(x)\n"),
    "main.py": "from lib.b import Net\n\nmodel = Net()\n",
}
TREES = {"registry": REGISTRY_TREE, "dotted": DOTTED_TREE, "cycle": CYCLE_TREE}


def write(tmp_path, tree):
    for rel, text in tree.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return tmp_path / "main.py"


def shapes(tmp_path, tree, monkeypatch):
    main = write(tmp_path, tree)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["shapes", str(main), "--model", "model", "--input", "3x16x16", "--format",
                                      "json"], catch_exceptions=False)
    return one_model(result.stdout), result


@pytest.mark.parametrize("name", sorted(TREES))
def test_a_package_is_imported_in_python_s_order(tmp_path, monkeypatch, name):
    data, result = shapes(tmp_path, TREES[name], monkeypatch)
    assert data["complete"] is True, result.stdout
    assert data["total_params"] == 3 * 8 * 9 + 8 and data["output"] == [8, 14, 14], result.stdout


@pytest.mark.oracle
@pytest.mark.parametrize("name", sorted(TREES))
def test_a_package_imported_agrees_with_python(tmp_path, monkeypatch, torch, name):
    data, _ = shapes(tmp_path, TREES[name], monkeypatch)
    probe = ("import sys, torch; sys.path.insert(0, '.'); from main import model; "
             "print(sum(p.numel() for p in model.parameters()), list(model(torch.zeros(1, 3, 16, 16)).shape[1:]))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"{data['total_params']} {data['output']}"


def test_an_imported_module_goes_on_past_a_statement_not_followed_and_stops_at_a_raise(tmp_path, monkeypatch):
    tree = {"lib/__init__.py": "",
            "lib/parts.py": ("import json\nimport torch.nn as nn\n\n\ndef version():\n    return json.loads('{}')\n\n\n"
                             "VERSION = version()\nWIDTH = 8\nraise ImportError('no more')\nLATE = 1\n"),
            "main.py": "import torch.nn as nn\nfrom lib.parts import WIDTH, LATE\n\nmodel = nn.Conv2d(3, WIDTH + LATE, 3)\n"}
    main = write(tmp_path, tree)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["shapes", str(main), "--model", "model", "--input", "3x16x16"])
    # WIDTH is defined past the call convcalc does not follow; LATE is after the raise: unknown, said
    assert result.exit_code == 1 and "main.py:4:1: CC301 model is not known (line 4: LATE is not known" in \
        result.output, result.output
    (tmp_path / "main.py").write_text(tree["main.py"].replace(", LATE", "").replace(" + LATE", ""))
    data, result = shapes(tmp_path, {}, monkeypatch)
    assert data["complete"] is True and data["output"] == [8, 14, 14], result.stdout


def test_a_docstring_counts_as_one_token_and_an_f_string_s_fields_each():
    doc = '"""' + "word " * 1000 + '"""\n'
    assert python_overflow(doc * 10, budget=100) == (10, None)
    assert python_overflow("x = 1  # " + "comment " * 500 + "\n", budget=100) == (4, None)
    fields = 'f"' + "{a}" * 50 + '"\n'
    count, over = python_overflow(fields, budget=100)
    assert count > 100 and over is not None  # an f-string's fields are parsed: each counts
    assert python_overflow("a, b = 1, 2\n" * 30, budget=1000)[0] == 30 * 7


def test_a_model_that_stops_in_an_imported_file_is_placed_there(tmp_path, monkeypatch):
    """monai's UNet stopped in monai/utils/misc.py:606 and was shown at unet.py:606, a line inside
    a docstring there: a place in another file carries that file's path and line."""
    tree = {"lib/__init__.py": "",
            "lib/util.py": "import json\n" + "\n" * 15 + "def width(c):\n    spec = json.loads('{}')\n"
                           "    return c * spec['k']\n",
            "main.py": ("import torch.nn as nn\nfrom lib.util import width\n\n\nclass Net(nn.Module):\n"
                        "    def __init__(self):\n        super().__init__()\n        self.c = nn.Conv2d(3, width(4), 3)\n\n"
                        "    def forward(self, x):\n        return self.c(x)\n")}
    main = write(tmp_path, tree)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["shapes", str(main), "--input", "3x8x8"])
    lines = result.output.splitlines()
    assert lines[0].startswith("lib/util.py:19:16: CC302 model Net was not built: spec is not known"), result.output
    assert lines[1].strip() == "return c * spec['k']", result.output


DILATE = ("import json\nimport torch.nn as nn\n\n\ndef dilate(module):\n    for mod in module.modules():\n"
          "        if isinstance(mod, nn.Conv2d):\n            mod.stride = {stride}\n            mod.dilation = (2, 2)\n"
          "            mod.padding = (2, 2)\n\n\n"
          "model = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1), nn.ReLU())\ndilate(model)\n")


def test_a_built_layer_s_stride_dilation_and_padding_set_later_apply(tmp_path, monkeypatch):
    """segmentation-models-pytorch's replace_strides_with_dilation sets them on built convolutions;
    torch's forward reads them each time (convcalc kept the old stride: a false concat finding)."""
    data, result = shapes(tmp_path, {"main.py": DILATE.format(stride="(1, 1)")}, monkeypatch)
    assert data["complete"] is True and data["output"] == [8, 16, 16], result.stdout


@pytest.mark.oracle
def test_a_built_layer_s_settings_set_later_agree_with_torch(tmp_path, monkeypatch, torch):
    data, _ = shapes(tmp_path, {"main.py": DILATE.format(stride="(1, 1)")}, monkeypatch)
    namespace: dict = {}
    exec(DILATE.format(stride="(1, 1)"), namespace)
    assert list(namespace["model"](torch.zeros(1, 3, 16, 16)).shape[1:]) == data["output"]


def test_a_layer_setting_written_where_convcalc_cannot_follow_stops_the_model_never_keeps_the_old(tmp_path,
                                                                                                   monkeypatch):
    data, result = shapes(tmp_path, {"main.py": DILATE.format(stride="tuple(json.loads('[1, 1]'))")}, monkeypatch)
    assert data["complete"] is False and data["output"] != [8, 8, 8], result.stdout


DEVICE_SOURCE = """
    import torch
    import torch.nn as nn

    DEVICE = torch.device("cuda" if torch.cuda.is_available() else "cpu")


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.c = nn.Conv2d(3, 8 if str(DEVICE) == "cpu" else 4, 3)

        def forward(self, x):
            if "mps" in str(x.device) or x.is_cuda or x.device.type != "cpu":
                return x
            return self.c(x.to(DEVICE))
"""


def test_a_tensor_s_device_is_the_cpu_of_the_run(tmp_path, monkeypatch):
    """kornia asks "mps" in str(x.device): convcalc follows an eager run on the CPU."""
    main = write(tmp_path, {"main.py": textwrap.dedent(DEVICE_SOURCE) + "\n\nmodel = Net()\n"})
    result = CliRunner().invoke(cli, ["shapes", str(main), "--model", "Net", "--input", "3x16x16", "--format", "json"])
    data = one_model(result.stdout)
    by_name = CliRunner().invoke(cli, ["shapes", str(main), "--model", "model", "--input", "3x16x16", "--format",
                                       "json"])  # the name model = Net() binds stands for the class's model
    assert one_model(by_name.stdout) == data
    assert data["complete"] is True and data["output"] == [8, 14, 14], result.stdout


def test_a_class_statement_not_followed_makes_only_its_name_unknown(tmp_path, monkeypatch):
    """A class statement convcalc cannot follow (a metaclass from json.loads here) binds its name alone:
    the names its body assigns are the class's, no names of the module (WIDTH was made unknown)."""
    tree = {"main.py": ("import json\nimport torch.nn as nn\n\nWIDTH = 8\n\n\n"
                        "class Helper(metaclass=json.loads('{}')):\n    WIDTH = 1\n\n\n"
                        "model = nn.Conv2d(3, WIDTH, 3)\n")}
    data, result = shapes(tmp_path, tree, monkeypatch)
    assert data["complete"] is True and data["output"] == [8, 14, 14], result.stdout
