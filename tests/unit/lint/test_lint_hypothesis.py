"""Random valid chains lint clean; the same chain with one number changed gives exactly the
expected code at the changed line. Written as a network file and as a Python nn.Sequential."""
from hypothesis import given, settings
from hypothesis import strategies as st

from convcalc.lint.onefile import lint_text


@st.composite
def chains(draw):
    """(layers as (name, args) with args a list of ints or 'name=value' strings, input dims, mutable slots)."""
    channels = draw(st.integers(1, 8))
    size = draw(st.sampled_from([4, 8, 12, 16, 32]))
    layers, slots = [], []
    cin = channels
    for _ in range(draw(st.integers(1, 4))):
        cout = draw(st.integers(1, 16))
        k = draw(st.sampled_from([1, 3, 5]))
        bn = draw(st.booleans())
        layers.append(("Conv2d", [cin, cout, k, f"padding={k // 2}"] + (["bias=False"] if bn else [])))
        slots.append((len(layers) - 1, 0, "CC101"))
        if bn:
            layers.append(("BatchNorm2d", [cout]))
            slots.append((len(layers) - 1, 0, "CC101"))
        layers.append(("ReLU", []))
        if size % 2 == 0 and size > 2 and draw(st.booleans()):
            layers.append(("MaxPool2d", [2]))
            size //= 2
        cin = cout
    hidden = draw(st.integers(1, 64))
    layers.append(("Flatten", []))
    layers.append(("Linear", [cin * size * size, hidden]))
    slots.append((len(layers) - 1, 0, "CC102"))
    layers.append(("ReLU", []))
    layers.append(("Linear", [hidden, draw(st.integers(1, 10))]))
    slots.append((len(layers) - 1, 0, "CC102"))
    return layers, f"{channels}x{size}x{size}", slots


def call(name, args, prefix=""):
    return f"{prefix}{name}({', '.join(str(a) for a in args)})"


def network_file(layers, dims):
    text = f"input {dims}\n" + "".join(call(name, args) + "\n" for name, args in layers)
    return text, 2  # the first layer is on line 2


def python_file(layers, dims):
    head = f"import torch.nn as nn\n\n# convcalc: input {dims}\nmodel = nn.Sequential(\n"
    body = "".join("    " + call(name, args, "nn.") + ",\n" for name, args in layers)
    return head + body + ")\n", 5


def input_of(layers, dims):
    """The chain's input: the drawn size before the pools halved it."""
    channels, _, size = dims.split("x")
    pools = sum(1 for name, _ in layers if name == "MaxPool2d")
    size = int(size) * 2 ** pools
    return f"{channels}x{size}x{size}"


def lint(text, path):
    findings, _, _ = lint_text(path, text, None, None)
    return sorted((f.code, f.span.line) for f in findings)


@settings(max_examples=60, deadline=None)
@given(chains(), st.sampled_from(["net", "py"]))
def test_valid_chains_lint_clean(chain, kind):
    layers, dims, _ = chain
    text, _ = (network_file if kind == "net" else python_file)(layers, input_of(layers, dims))
    assert lint(text, f"m.{kind}") == [], text


@settings(max_examples=80, deadline=None)
@given(chains(), st.sampled_from(["net", "py"]), st.data())
def test_one_mutated_number_gives_exactly_the_expected_code_at_its_line(chain, kind, data):
    layers, dims, slots = chain
    index, position, code = data.draw(st.sampled_from(slots))
    name, args = layers[index]
    old = args[position]
    new = data.draw(st.integers(1, 4 * old + 8).filter(lambda v: v != old))
    mutated = list(layers)
    mutated[index] = (name, args[:position] + [new] + args[position + 1:])
    text, first_line = (network_file if kind == "net" else python_file)(mutated, input_of(layers, dims))
    assert lint(text, f"m.{kind}") == [(code, first_line + index)], text
