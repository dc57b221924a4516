"""The Python frontend: what it follows, what it skips with a note, and that it never runs the code."""
import json
import os
import textwrap

import pytest

from convcalc import nodes as n
from convcalc.engine.shapes import analyse
from convcalc.frontends.python.models import read_models
from convcalc.load import load_programs, parse_input_option

HERE = os.path.dirname(__file__)
from paths import LINT_MODELS, TESTS  # noqa: E402


def models(source, path="m.py"):
    return read_models(textwrap.dedent(source), path)


def shapes(source, name=None, input_dims=None):
    """{model name: (output shape, total params, error code or None)}."""
    result = models(source)
    out = {}
    for model in result.models:
        override = parse_input_option(input_dims) if input_dims else None
        a = analyse(model.program, override)
        out[model.program.name] = (tuple(a.output), a.total_params, a.error.code if a.error else None)
    return out if name is None else out[name]


def notes(source):
    result = models(source)
    return [x.message for x in result.notes] + [x.message for m in result.models for x in m.program.notes]


# ---------------------------------------------------------------- imports and Sequential


@pytest.mark.parametrize("imports, prefix", [
    ("import torch.nn as nn", "nn."),
    ("from torch import nn", "nn."),
    ("import torch", "torch.nn."),
    ("import torch.nn", "torch.nn."),
    ("from torch.nn import Sequential, Conv2d, ReLU, Flatten, Linear", ""),
    ("from torch.nn import *", ""),
    ("import torch.nn as tnn", "tnn."),
])
def test_sequential_however_imported(imports, prefix):
    p = prefix
    source = f"""
        {imports}

        # convcalc: input 3x8x8
        model = {p}Sequential({p}Conv2d(3, 4, 3), {p}ReLU(), {p}Flatten(), {p}Linear(4 * 6 * 6, 2))
    """
    assert shapes(source, "model") == ((2,), 3 * 4 * 9 + 4 + 144 * 2 + 2, None)


def test_nn_not_imported_from_torch_is_not_guessed():
    source = """
        import mylib as nn

        # convcalc: input 3x8x8
        model = nn.Sequential(nn.Conv2d(3, 4, 3))
    """
    assert models(source).models == []


def test_nested_sequential_constants_and_arithmetic():
    source = """
        import torch.nn as nn

        WIDTH = 16
        HIDDEN = WIDTH * 2 ** 2
        KERNEL = (3, 3)

        # convcalc: input 3x32x32
        net = nn.Sequential(
            nn.Sequential(nn.Conv2d(3, WIDTH, KERNEL, padding=1), nn.ReLU()),
            nn.MaxPool2d(2),
            nn.Sequential(nn.Flatten(), nn.Linear(WIDTH * (32 // 2) ** 2, HIDDEN), nn.Linear(HIDDEN, 10)),
        )
    """
    out, params, error = shapes(source, "net")
    assert error is None and out == (10,)


def test_ordered_dict_sequential_and_float_argument():
    source = """
        from collections import OrderedDict
        import torch.nn as nn

        # convcalc: input 10
        head = nn.Sequential(OrderedDict([("fc", nn.Linear(10, 5)), ("drop", nn.Dropout(0.5))]))
        bad = nn.Sequential(nn.Linear(10 / 2, 5))
    """
    result = models(source)
    assert [m.program.name for m in result.models] == ["head", "bad"]
    assert shapes(source, "head") == ((5,), 55, None)


def test_true_division_gives_a_float_as_in_python():
    source = """
        import torch.nn as nn

        # convcalc: input 10
        model = nn.Sequential(nn.Linear(10, 20 / 2))
    """
    assert shapes(source, "model")[2] == "CC002"


# ---------------------------------------------------------------- nn.Module subclasses


MODULE = """
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    CLASSES = 10


    # convcalc: input 3x32x32
    class Net(nn.Module):
        def __init__(self, width=8, classes=CLASSES):
            super().__init__()
            self.conv1 = nn.Conv2d(3, width, 3, padding=1)
            self.conv2 = nn.Conv2d(width, width * 2, 3, padding=1)
            self.pool = nn.MaxPool2d(2)
            self.fc = nn.Linear(width * 2 * 8 * 8, classes)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = x.view(x.size(0), -1)
            return self.fc(x)
"""


def test_module_with_defaults_functional_calls_and_a_module_called_twice():
    out, params, error = shapes(MODULE, "Net")
    assert (out, error) == ((10,), None)
    assert params == (3 * 8 * 9 + 8) + (8 * 16 * 9 + 16) + (1024 * 10 + 10)


def test_program_nodes_and_spans():
    [model] = models(MODULE).models
    body = model.program.body
    assert isinstance(body[0], n.Input) and body[0].span.line == 9
    calls = [s for s in body if isinstance(s, n.Call)]
    assert [c.name for c in calls] == ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten",
                                       "Linear"]
    pool1, pool2 = calls[2], calls[5]
    assert pool1.span == pool2.span and pool1.text == "nn.MaxPool2d(2)" and pool1.span.line == 15
    assert calls[1].text == "F.relu(self.conv1(x))"
    assert calls[6].text == "x.view(x.size(0), -1)"
    conv = calls[0]
    assert conv.args[1].span.line == 13 and conv.kwargs[0][0] == "padding"


@pytest.mark.parametrize("line, expected", [
    ("x = torch.flatten(x, 1)", ((10,), None)),
    ("x = x.flatten(1)", ((10,), None)),
    ("x = x.reshape(x.shape[0], -1)", ((10,), None)),
    ("x = x.view(-1, 16 * 8 * 8)", ((10,), None)),
    ("x = x.view(-1, 16 * 4 * 4)", ((), "CC102")),  # 4 rows of 256 per sample: the Linear(1024) refuses them
    ("x = x.view(x.size(0), 16, -1)", ((), "CC102")),
    ("x = torch.flatten(x)", ((), "CC106")),
])
def test_flatten_and_view_forms(line, expected):
    source = MODULE.replace("x = x.view(x.size(0), -1)", line)
    out, _, error = shapes(source, "Net")
    assert (out if error is None else (), error) == expected


def test_cat_of_two_followed_tensors_and_residual_add():
    source = """
        import torch
        import torch.nn as nn

        # convcalc: input 8x16x16
        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = nn.Conv2d(8, 4, 1)
                self.b = nn.Conv2d(8, 4, 3, padding=1)
                self.c = nn.Conv2d(8, 8, 3, padding=1)

            def forward(self, x):
                y = torch.cat([self.a(x), self.b(x)], dim=1)
                out = self.c(y)
                out += x
                return torch.relu(out + y)
    """
    assert shapes(source, "Block") == ((8, 16, 16), 36 + 292 + 584, None)
    broken = source.replace("self.b = nn.Conv2d(8, 4, 3, padding=1)", "self.b = nn.Conv2d(8, 4, 3)")
    assert shapes(broken, "Block")[2] == "CC105"


def test_blocks_loops_and_helper_functions():
    source = """
        import torch.nn as nn

        def conv_bn(cin, cout, stride=1):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())

        class Stage(nn.Module):
            def __init__(self, cin, cout, depth):
                super().__init__()
                layers = [conv_bn(cin, cout, 2)]
                for _ in range(depth - 1):
                    layers.append(conv_bn(cout, cout))
                self.body = nn.Sequential(*layers)

            def forward(self, x):
                return self.body(x)

        # convcalc: input 3x64x64
        class Net(nn.Module):
            def __init__(self, widths=(16, 32, 64)):
                super().__init__()
                cin = 3
                stages = []
                for w in widths:
                    stages.append(Stage(cin, w, 2))
                    cin = w
                self.stages = nn.ModuleList(stages)
                self.head = nn.Linear(cin, 10)

            def forward(self, x):
                for stage in self.stages:
                    x = stage(x)
                x = nn.functional.adaptive_avg_pool2d(x, 1)
                return self.head(x.flatten(1))
    """
    result = models(source)
    assert [m.program.name for m in result.models] == ["Net"]  # Stage is a building block
    assert shapes(source, "Net")[::2] == ((10,), None)


def test_input_from_comment_above_decorators_and_comment_blocks():
    source = """
        import torch.nn as nn

        # A small classifier.
        # convcalc: input 20
        # (the features of one sample)
        class Head(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(20, 2)

            def forward(self, x):
                return self.fc(x)
    """
    [model] = models(source).models
    assert model.has_input and analyse(model.program).output == (2,)


def test_bad_input_comment_is_a_problem():
    source = MODULE.replace("# convcalc: input 3x32x32", "# convcalc: input 3x32xz!")
    result = models(source)
    assert [p.code for p in result.problems] == ["CC001"]
    assert result.problems[0].span.line == 9


# ---------------------------------------------------------------- what is not followed


FORWARD_MODULE = """
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    # convcalc: input 3x32x32
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 8, 3)
            {lstm}

        def forward(self, x):
{forward}
"""


def forward_model(forward, lstm="self.lstm = nn.EmbeddingBag(10, 10)"):
    [model] = models(FORWARD_MODULE.format(forward=textwrap.indent(forward, " " * 12), lstm=lstm)).models
    return model


@pytest.mark.parametrize("forward, reason", [
    ("x = self.conv1(x)\nx = self.lstm(x)\nreturn x", "nn.EmbeddingBag is not supported"),
    ("x = self.conv1(x)\nx = helper(x)\nreturn x", "helper is not defined"),
    ("x = self.conv1(x)\nx = torch.fft.fft2(x)\nreturn x", "torch.fft.fft2 is not followed"),
    ("x = self.conv1(x)\nwhile True:\n    y = 1\nreturn x", "more than 200,000 steps"),
])
def test_unfollowable_forward_stops_with_a_diagnostic_and_keeps_the_layers_before(forward, reason):
    model = forward_model(forward)
    stopped = model.program.stopped
    assert stopped.code == "CC301" and "forward not followed from here" in stopped.message
    assert reason in stopped.message
    assert not model.complete
    calls = [s for s in model.program.body if isinstance(s, n.Call)]
    assert calls[0].name == "Conv2d"
    a = analyse(model.program)
    assert a.ok and not a.complete and a.output == (8, 30, 30)


@pytest.mark.parametrize("forward, output", [
    ("x = self.conv1(x)\nif self.training:\n    x = self.conv1(x)\nreturn x", (8, 30, 30)),  # eval mode
    ("x = self.conv1(x)\nreturn x.mean([2, 3])", (8,)),
    ("x = self.conv1(x)\nreturn x * torch.sigmoid(x.mean((2, 3), keepdim=True))", (8, 30, 30)),
    ("x = self.conv1(x)\nreturn F.avg_pool2d(x, x.size(2))", (8, 1, 1)),
    ("x = self.conv1(x)\nb, c, h, w = x.size()\nreturn x.view(b, c, h * w).transpose(1, 2)", (900, 8)),
])
def test_what_forward_used_to_stop_at_is_followed(forward, output):
    model = forward_model(forward, lstm="")
    assert model.complete, model.program.stopped
    assert analyse(model.program).output == output


def test_a_registered_module_outside_the_catalogue_leaves_the_total_unknown():
    # forward never runs self.lstm, but model.parameters() counts it: the total is not known
    model = forward_model("x = self.conv1(x)\nreturn x")
    stopped = model.program.stopped
    assert stopped.code == "CC301" and "the module lstm is not known: nn.EmbeddingBag" in stopped.message
    a = analyse(model.program)
    assert a.ok and a.followed and not a.complete and not a.params_exact and a.output == (8, 30, 30)


def test_a_part_of_the_tree_not_built_is_named_and_the_total_is_not_shown(tmp_path):
    path = tmp_path / "aux.py"
    path.write_text(textwrap.dedent("""
        import torch.nn as nn

        class Aux(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 10)
                self.fc.stddev = 0.001  # a note of the file's own: followed
                self.head = nn.Linear(8, 10)
                self.head.in_features = 9  # a setting torch reads: not followed

            def forward(self, x):
                return self.fc(x)

        # convcalc: input 8
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.aux = Aux()
                self.conv = nn.Linear(8, 8)

            def forward(self, x):
                return self.conv(x)
    """))
    from click.testing import CliRunner

    from convcalc.cli import cli

    def run(*args):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    result = run("params", str(path), "--model", "Net")
    assert result.exit_code == 1
    assert "CC301 model Net: the module aux.head is not known: line 10: setting in_features of nn.Linear" in result.output
    assert "params of the parts known: 162" in result.output and "total params" not in result.output
    result = run("shapes", str(path), "--model", "Net", "--format", "json")
    data = json.loads(result.stdout)
    assert data["complete"] is False and data["total_params"] is None and data["output"] == [8]


def test_unknown_init_statement_poisons_only_what_it_writes():
    source = """
        import torch.nn as nn
        from mylib import make_layer

        # convcalc: input 3x8x8
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 4, 3)
                self.extra = make_layer(4)
                self.fc = nn.Linear(4 * 6 * 6, 2)

            def forward(self, x):
                x = self.conv(x)
                x = self.extra(x)
                return self.fc(x.flatten(1))
    """
    [model] = models(source).models
    assert [s.name for s in model.program.body if isinstance(s, n.Call)] == ["Conv2d"]
    assert "self.extra is not known" in model.program.stopped.message


def test_self_passed_to_an_unknown_call_in_init_is_weight_initialisation():
    """Such a call cannot change the module tree already built (issue 12): the model is followed,
    with a note that says what was taken as weight initialisation."""
    source = """
        import torch.nn as nn
        from mylib import patch

        # convcalc: input 3x8x8
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 4, 3)
                patch(self)

            def forward(self, x):
                return self.conv(x)
    """
    [model] = models(source).models
    assert model.complete and analyse(model.program).output == (4, 6, 6)
    assert any("line 10 is taken as weight initialisation (mylib.patch is not followed)" in text
               for text in notes(source))


def test_an_assignment_through_an_unknown_call_is_not_trusted():
    source = """
        import torch.nn as nn
        from mylib import patch

        # convcalc: input 3x8x8
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = patch(nn.Conv2d(3, 4, 3))

            def forward(self, x):
                return self.conv(x)
    """
    result = models(source)
    assert result.models == []  # nothing followed: not a model, and said so
    [(name, error)] = result.unfollowed
    assert name == "Net" and error.code == "CC301" and "self.conv is not known" in error.message


def test_weight_init_is_skipped_silently():
    source = """
        import math
        import torch.nn as nn

        # convcalc: input 3x8x8
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 4, 3)
                self._init()

            def _init(self):
                for m in self.modules():
                    if isinstance(m, nn.Conv2d):
                        n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                        m.weight.data.normal_(0, math.sqrt(2. / n))

            def forward(self, x):
                return self.conv(x)
    """
    [model] = models(source).models
    assert model.complete and analyse(model.program).output == (4, 6, 6)


def test_raise_stops_the_constructor():
    source = """
        import torch.nn as nn

        # convcalc: input 3x8x8
        class Net(nn.Module):
            def __init__(self, groups=2):
                super().__init__()
                if groups != 1:
                    raise ValueError("only groups=1")
                self.conv = nn.Conv2d(3, 4, 3)

            def forward(self, x):
                return self.conv(x)
    """
    assert models(source).models == []


def test_syntax_error_is_reported_as_not_read():
    """lint makes it a CC001 finding (as ruff and pyflakes do), never "All checks passed"."""
    result = read_models("class Net(nn.Module:\n    pass\n", "m.py")
    assert result.models == [] and result.problems == []
    assert "cannot parse" in result.notes[0].message
    assert result.unparsed.code == "CC001" and result.unparsed.span.line == 1


def test_nothing_is_imported_or_executed(tmp_path):
    marker = tmp_path / "ran"
    source = f"""
        import os
        import torch.nn as nn
        open({str(marker)!r}, "w").write("x")
        os.system("touch {marker}")
        __import__("os").system("touch {marker}")

        # convcalc: input 4
        model = nn.Sequential(nn.Linear(4, 2), eval("nn.ReLU()"))
    """
    models(source)
    assert not marker.exists()


def test_loops_and_sizes_are_bounded():
    source = """
        import torch.nn as nn

        big = list(range(10 ** 9))
        huge = 10 ** 10 ** 10
        layers = []
        for i in range(10 ** 6):
            layers.append(nn.ReLU())

        # convcalc: input 4
        model = nn.Sequential(nn.Linear(4, 2))
    """
    assert shapes(source, "model") == ((2,), 10, None)


def test_load_programs_picks_a_model_by_name():
    path = os.path.join(LINT_MODELS, "vgg.py")
    text = open(path).read()
    [program] = load_programs(path, text, "vgg16")
    assert program.name == "vgg16"
    assert analyse(program).total_params == 138_357_544


# ---------------------------------------------------------------- the torch-written models


@pytest.mark.oracle
def test_every_torch_written_model_is_read_exactly(torch):
    """tests/support/torch_models.py holds torch's own definitions (torchvision's code where it has the
    model): the frontend must read each one to the parameter count and output shape torch
    measures."""
    from torch_models import MODELS, measure

    from convcalc.verify import whole

    path = os.path.join(TESTS, "support", "torch_models.py")
    by_name = {m.program.name: m for m in read_models(open(path).read(), path).models}
    for key, (builder, shape) in MODELS.items():
        model = by_name[builder.__name__]
        assert model.complete, (key, model.program.notes)
        a = analyse(model.program, parse_input_option("x".join(map(str, shape))))
        assert a.ok, (key, a.error and a.error.message)
        params, _, output = measure(key, whole=True)  # whole: a sequence model's batch is not first
        assert (a.total_params, whole(a.output, 1)) == (params, output), key


def test_an_error_at_a_functional_call_in_forward_is_reported(tmp_path):
    """Found by fuzzing: a functional op's call site was stored without its kind, and the
    message context of an error at it raised instead of reporting."""
    from click.testing import CliRunner

    from convcalc.cli import cli

    path = tmp_path / "m.py"
    path.write_text(textwrap.dedent("""\
        import torch
        import torch.nn as nn
        import torch.nn.functional as F


        # convcalc: input 3x32x32
        class Net(nn.Module):
            def forward(self, x):
                x = torch.flatten(x, 1)
                x = F.avg_pool2d(x, kernel_size=2)
                return x
        """))
    result = CliRunner().invoke(cli, ["lint", str(path)])
    assert result.exit_code == 1
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert f"{path}:10:13: CC106 AvgPool2d expects a 3-d input" in result.stdout
