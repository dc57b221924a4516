"""Every callable the Python frontend knows, called with arguments of the wrong type, count and
value (issue 25): each builtin, each method of Python's values, each tensor operation's torch
spellings and each functional layer, in module code and in a forward. The run must end as a run
of convcalc ends (exit 0, 1 or 2, a positioned message where it stops), never with an internal
error: a builtin validates its arguments as Python does, an operation as torch does, or the
construct is "not followed" at its line."""
from __future__ import annotations

import os

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convcalc.cli import cli
from convcalc.frontends.python.builtins import BUILTINS
from convcalc.frontends.python.methods import DIRECT
from convcalc.layers.functional import FUNCTIONAL, TENSOR_METHODS
from convcalc.layers.operations import OPERATIONS

EXAMPLES = int(os.environ.get("CONVCALC_FUZZ_EXAMPLES", 150))
SETTINGS = dict(max_examples=EXAMPLES, deadline=None, derandomize="CONVCALC_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# values of the wrong type, count and value for about anything: the tensor x only inside forward
WRONG = ["None", "'s'", "''", "1.5", "-1", "0", "10 ** 30", "-10 ** 6", "[]", "[1, 'a']", "{}", "{'k': None}",
         "(1, 2)", "()", "True", "lambda: 1", "float('nan')", "float('inf')", "'a' * 50", "range(3)", "object()",
         "print", "nn.Conv2d", "x"]
SAMPLES = {str: "'ab c'", list: "[3, 1, 2]", tuple: "(1, 2)", dict: "{'a': 1}", set: "{1, 2}",
           frozenset: "frozenset({1})", int: "7", float: "2.5", bool: "True", bytes: "b'xy'"}
CALLABLES = ([f"{name}" for name, value in BUILTINS.items() if name[0].islower() and callable(getattr(value, "call", None))]
             + [f"{SAMPLES[kind]}.{method}" for kind, methods in DIRECT.items() for method in sorted(methods)]
             + sorted({spelling.replace("Tensor.", "x.") for spec in OPERATIONS.values() for spelling in spec.spellings})
             + sorted(name.replace("torch.nn.functional.", "F.") for name in FUNCTIONAL)
             + sorted(f"x.{name}" for name in TENSOR_METHODS))

MODEL = """import math
import torch
import torch.nn as nn
import torch.nn.functional as F

{module}


# convcalc: input 3x8x8
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        x = self.c(x)
        y = {call}
        return x
"""


@st.composite
def calls(draw):
    name = draw(st.sampled_from(CALLABLES))
    args = draw(st.lists(st.sampled_from(WRONG), max_size=4))
    keywords = draw(st.lists(st.sampled_from(["dim", "key", "default", "sep", "start", "keepdim", "bogus"]),
                             max_size=2, unique=True))
    text = ", ".join(args + [f"{k}={draw(st.sampled_from(WRONG))}" for k in keywords])
    return f"{name}({text})"


@settings(**SETTINGS)
@given(call=calls(), in_module=st.booleans())
def test_a_callable_with_wrong_arguments_never_breaks_convcalc(tmp_path_factory, call, in_module):
    # in module code there is no tensor x: a NameError there is Python's, positioned like any stop
    text = MODEL.format(module=f"z = {call}" if in_module else "", call="0" if in_module else call)
    path = tmp_path_factory.mktemp("fuzz") / "net.py"
    path.write_text(text)
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (call, result.exception)
    assert result.exit_code in (0, 1, 2), (call, result.output)
    assert "internal error" not in result.output and "Traceback" not in result.output, (call, result.output)


def test_every_kind_of_callable_is_drawn():
    """The pool holds each kind: builtins, methods of Python's values, torch spellings, F."""
    assert any(c == "len" for c in CALLABLES) and any(c.startswith("'ab c'.") for c in CALLABLES)
    assert any(c.startswith("torch.") for c in CALLABLES) and any(c.startswith("x.") for c in CALLABLES)
    assert any(c.startswith("F.") for c in CALLABLES) and len(CALLABLES) > 200
