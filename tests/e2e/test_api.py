"""The Python API as a user calls it: convcalc.summary and convcalc.lint on paths, code, and
objects of the caller's session (a class defined in __main__ of a script, and in a notebook-like
session whose cells IPython-style live only in linecache); the same numbers as `convcalc shapes`;
`import convcalc` stays cheap."""
import json
import os
import subprocess
import sys
import textwrap

import pytest

from notebooks import BROKEN_LENET, LENET, lenet_notebook
from paths import CORPUS, EXAMPLES, LINT_MODELS, ROOT

import convcalc

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n\n"


def shapes(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "convcalc", "shapes", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


@pytest.mark.parametrize("path, model", [
    (EXAMPLES / "course_cnn.net", None),
    (EXAMPLES / "symbolic_cnn.net", None),
    (LINT_MODELS / "mnist_example.py", None),
    (CORPUS / "cifar" / "vgg.py", "VGG('VGG11')"),
    (CORPUS / "unet" / "unet_model.py", "UNet(n_channels=3, n_classes=2)"),
])
def test_summary_of_a_path_is_what_convcalc_shapes_says(path, model):
    made = convcalc.summary(path, model=model)
    args = [str(path)] + (["--model", model] if model else [])
    assert made.to_dict() == json.loads(shapes(*args, "--format", "json").stdout)
    assert str(made) + "\n" == shapes(*args).stdout
    assert len(made.rows) == len(made.to_dict()["layers"]) and made.complete


def test_the_fields_of_a_summary():
    made = convcalc.summary(HEADER + LENET)
    assert made.total_params == 51_902 and made.trainable_params == 51_902 and made.total_buffers == 0
    assert made.input == (1, 32, 32) and made.output == (10,) and made.complete and made.ok
    assert made.model == "Net" and made.diagnostics == []
    first = made.rows[0]
    assert (first.line, first.layer, first.output, first.params, first.module) == (10, "nn.Conv2d(1, 6, 5)",
                                                                                 (6, 28, 28), 156, "conv1")
    assert json.loads(made.to_json()) == made.to_dict()
    assert made.to_dict() is not made.to_dict()  # a copy: the summary stays as it is
    html = made._repr_html_()
    assert "<pre>" in html and "nn.Conv2d(1, 6, 5)" in html and "<svg" in html


def test_input_size_batch_and_a_model_that_breaks():
    made = convcalc.summary(HEADER + LENET, input_size=(1, 28, 28), batch=4)
    assert not made.ok and made.output is None
    (problem,) = made.diagnostics
    assert (problem.code, problem.line, problem.column) == ("CC102", 12, 20)
    assert str(problem) == "<string>.py:12:20: CC102 Linear expects 400 input features but receives 256"
    assert made.to_dict()["batch"] == 4
    symbolic = convcalc.summary(HEADER + LENET, input_size="1xHxW")
    assert symbolic.rows[0].output == (6, "H - 4", "W - 4")


def test_a_string_of_network_description_and_a_notebook(tmp_path):
    net = convcalc.summary("input 3x32x32\nConv2d(3, 8, 3, padding=1)\nFlatten()\nLinear(8 * 32 * 32, 10)\n")
    assert net.total_params == 8 * 27 + 8 + 8192 * 10 + 10 and net.path == "<string>.net"
    forced = convcalc.summary("Conv2d(3, 8, 3)\n", input_size="3x8x8", language="network")
    assert forced.output == (8, 6, 6)
    (tmp_path / "nb.ipynb").write_text(lenet_notebook())
    book = convcalc.summary(tmp_path / "nb.ipynb")
    assert book.total_params == 51_902 and book.rows[0].cell == 3 and book.rows[0].line == 5


def test_errors_are_source_errors_with_the_place():
    with pytest.raises(convcalc.SourceError) as caught:
        convcalc.summary("import torch\nx = 1\n")
    assert caught.value.finding.code == "CC001"
    with pytest.raises(convcalc.SourceError, match="holds 2 models"):
        convcalc.summary(CORPUS / "cifar" / "preact_resnet.py")
    with pytest.raises(convcalc.SourceError, match="cannot read"):
        convcalc.summary("/no/such/model.py")
    with pytest.raises(convcalc.SourceError, match="language="):
        convcalc.summary("x = 1\n", language="cobol")


def test_lint_gives_the_findings_of_the_command(tmp_path):
    (tmp_path / "broken.py").write_text(HEADER + BROKEN_LENET)
    (tmp_path / "nb.ipynb").write_text(lenet_notebook(BROKEN_LENET))
    found = convcalc.lint([tmp_path / "broken.py", tmp_path / "nb.ipynb"])
    command = subprocess.run([sys.executable, "-m", "convcalc", "lint", "broken.py", "nb.ipynb", "--format", "json",
                              "--no-cache"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    expected = [d for d in json.loads(command.stdout) if d["code"] != "CC303"]
    assert [{k: v for k, v in vars(f).items() if v is not None or k != "cell"} for f in found] == \
        [{**d, "path": str(tmp_path / d["path"])} for d in expected]
    assert [f.code for f in convcalc.lint(HEADER + BROKEN_LENET)] == ["CC102"]
    assert convcalc.lint(HEADER + BROKEN_LENET, ignore="CC102") == []
    assert convcalc.lint(HEADER + BROKEN_LENET, input_size="1x32x32") == []


SESSION = """
import torch.nn as nn

WIDTH = 16


class Block(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm = nn.BatchNorm2d(cout)
        open(MARKER, "w").write("run")  # convcalc must never run this

    def forward(self, x):
        return self.norm(self.conv(x))


# convcalc: input 3x32x32
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block(3, WIDTH)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(WIDTH, 10)

    def forward(self, x):
        return self.fc(self.pool(self.block(x)).flatten(1))
"""

# a stand-in for torch, so that the session can define its classes without torch installed
STUB = {"torch/__init__.py": "from torch import nn\n",
        "torch/nn/functional.py": "",
        "torch/nn/__init__.py": "class Module:\n    def __init__(self, *a, **k):\n        pass\n\n\n"
                                "Conv2d = BatchNorm2d = AdaptiveAvgPool2d = Linear = Module\n"}


def session(tmp_path, body: str) -> subprocess.CompletedProcess:
    for name, text in STUB.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]))
    (tmp_path / "session.py").write_text(body)
    return subprocess.run([sys.executable, "session.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env=env)


def test_a_class_defined_in_main_of_a_script(tmp_path):
    body = SESSION.replace("MARKER", repr(str(tmp_path / "marker"))) + textwrap.dedent("""
        import json
        import convcalc
        made = convcalc.summary(Net)
        print(json.dumps({"params": made.total_params, "output": made.output, "path": made.path,
                          "rows": len(made.rows), "lint": [str(f) for f in convcalc.lint(Net, select=["CC202"])]}))
    """)
    proc = session(tmp_path, body)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["params"] == 3 * 16 * 9 + 16 + 2 * 16 + 16 * 10 + 10 and data["output"] == [10]
    assert data["path"].endswith("session.py")
    assert any("CC202" in f for f in data["lint"])
    assert not (tmp_path / "marker").exists()


def test_a_class_defined_in_a_notebook_like_session(tmp_path):
    """As IPython runs a cell: compiled under a name of its own, its lines kept in linecache only."""
    cells = [SESSION.split("\n\n\nclass Block")[0], "class Block" + SESSION.split("\n\n\nclass Block")[1]]
    body = textwrap.dedent(f"""
        import json, linecache, sys
        CELLS = {cells!r}
        scope = sys.modules["__main__"].__dict__
        scope["MARKER"] = {str(tmp_path / "marker")!r}
        for number, code in enumerate(CELLS, 1):
            name = f"<ipython-input-{{number}}-0123456789ab>"
            linecache.cache[name] = (len(code), None, code.splitlines(True), name)
            exec(compile(code, name, "exec"), scope)
        import convcalc
        made = convcalc.summary(Net)
        as_file = convcalc.summary("\\n".join(CELLS).replace("MARKER", "'x'"))
        instance = convcalc.summary(Net.__new__(Net))
        print(json.dumps({{"params": made.total_params, "same": made.total_params == as_file.total_params,
                          "rows": [(r.layer, r.output) for r in made.rows],
                          "file_rows": [(r.layer, r.output) for r in as_file.rows],
                          "instance": instance.total_params, "text": str(made)}}))
    """)
    proc = session(tmp_path, body)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["same"] and data["rows"] == data["file_rows"] and data["instance"] == data["params"]
    assert "nn.Conv2d(3, 16, 3, padding=1)" in data["text"] and "input: 3x32x32   output: 10" in data["text"]
    assert not (tmp_path / "marker").exists()


def test_a_class_typed_where_no_source_is_kept_says_how_to_go_on(tmp_path):
    body = "import convcalc\nexec('class Net:\\n    def forward(self, x):\\n        return x', globals())\n" \
           "try:\n    convcalc.summary(Net)\nexcept convcalc.SourceError as exc:\n    print(exc)\n"
    proc = session(tmp_path, body)
    assert "give the code as a string or a path" in proc.stdout, proc.stdout + proc.stderr


def test_a_module_object(tmp_path):
    (tmp_path / "models.py").write_text(HEADER.replace("import torch\n", "") + LENET)
    body = "import json, convcalc, models\nprint(json.dumps(convcalc.summary(models).total_params))\n"
    proc = session(tmp_path, body)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == 51_902


def test_importing_convcalc_stays_cheap():
    probe = "import sys, convcalc\nprint(' '.join(sorted(m for m in sys.modules if m.startswith('convcalc'))))\n" \
            "convcalc.summary\nprint(' '.join(sorted(m for m in sys.modules if m.startswith('convcalc'))))\n"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    bare, with_api = proc.stdout.splitlines()
    assert bare == "convcalc"
    assert with_api == "convcalc convcalc.api"  # the API itself loads nothing more until it is called
    for heavy in ("torch", "numpy", "tabulate", "dataclasses"):
        assert heavy not in subprocess.run([sys.executable, "-c", "import sys, convcalc; print(sorted(sys.modules))"],
                                           capture_output=True, text=True, timeout=60).stdout.split("'")
