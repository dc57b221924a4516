"""Scale (issue 7): time per layer stays flat as inputs grow, for long, deeply nested and
Python inputs.

    python bench/bench_scale.py            # the table
    python bench/bench_scale.py --quick    # fewer repetitions

Three families, each at growing sizes, timed in process (best of a few runs, since these
machines are noisy) and reported per layer; "vs smallest" is the per-layer cost divided by
the per-layer cost at the smallest size of the family (1.0 = linear):

1. flat descriptions of 100 .. 9,999 layers (`shapes`: parse + analyse);
2. descriptions nested 10 .. 1,000 blocks deep (`repeat 1:` and `residual:` around each
   other, a Conv2d and ReLU at every level), through shapes, lint and the receptive field;
   their source grows with the square of the depth (each level indents one space more), so
   1,000 levels are 1.5 MB to read;
3. a Python file of 1 .. 150 models of 50 lines each (5,000 lines at 100; 2,850 layers at 150, near
   limits.MAX_PYTHON_TOKENS),
   through lint.
"""
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from convcalc.limits import configure_interpreter  # noqa: E402  (after the path)

configure_interpreter()  # as the command line does

BODY = ["Conv2d(8, 8, 3, padding=1, bias=False)", "BatchNorm2d(8)", "ReLU()", "Dropout(0.1)"]


def flat(layers: int) -> str:
    return "input 8x16x16\n" + "".join(BODY[i % len(BODY)] + "\n" for i in range(layers))


def nested(depth: int, block: str) -> str:
    """`depth` blocks inside each other, a Conv2d and a ReLU in each: 2 * depth layers."""
    lines = ["input 8x16x16"]
    for level in range(depth):
        indent = " " * level
        lines += [indent + block, indent + " Conv2d(8, 8, 3, padding=1)", indent + " ReLU()"]
    return "\n".join(lines) + "\n"


def python_models(models: int) -> str:
    """`models` classes of 19 Conv2d layers each (50 lines a model), with their input comments."""
    out = ["import torch", "import torch.nn as nn", "import torch.nn.functional as F", ""]
    for i in range(models):
        out += ["", "# convcalc: input 3x32x32", f"class Net{i}(nn.Module):", "    def __init__(self):",
                "        super().__init__()"]
        out += [f"        self.conv{j} = nn.Conv2d({3 if j == 0 else 16}, 16, 3, padding=1)" for j in range(19)]
        out += ["        self.pool = nn.AdaptiveAvgPool2d(1)", "        self.fc = nn.Linear(16, 10)", "",
                "    def forward(self, x):"]
        out += [f"        x = F.relu(self.conv{j}(x))" for j in range(19)]
        out += ["        x = torch.flatten(self.pool(x), 1)", "        return self.fc(x)", ""]
    return "\n".join(out) + "\n"


def best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def shapes(src: str, layers: int):
    from convcalc.engine.shapes import analyse
    from convcalc.frontends.syntax import parse

    def run():
        analysis = analyse(parse(src, "gen.net"))
        assert analysis.ok and len(analysis.rows) == layers, analysis.error
    return run


def nested_all(src: str, layers: int):
    from convcalc.lint.runner import lint_text
    from convcalc.metrics.measure import measure
    from convcalc.frontends.syntax import parse

    def run():
        analysis = measure(parse(src, "gen.net"))  # mult-adds, memory and receptive fields
        assert analysis.ok and len(analysis.rows) >= layers, analysis.error
        findings, _, _ = lint_text("gen.net", src, None, None)
        assert findings == [], findings
    return run


def lint_file(path: str, models: int):
    from convcalc.lint.runner import Options, lint

    def run():
        result = lint([path], Options())
        assert result.models == models and not result.findings and not result.failures, result.findings
    return run


def table(title: str, unit: str, rows) -> float:
    print(title)
    print(f"{'size':>8} {'source':>9} {unit:>8} {'total':>10} {'per ' + unit.rstrip('s'):>12} {'vs smallest':>12}")
    first = None
    worst = 0.0
    for size, source, count, seconds in rows:
        per = seconds / count
        first = first or per
        worst = max(worst, per / first)
        print(f"{size:>8,} {len(source) / 1000:>6,.0f} kB {count:>8,} {seconds * 1000:>7.1f} ms {per * 1e6:>9.1f} us "
              f"{per / first:>12.2f}")
    print()
    return worst


def main():
    repeat = 2 if "--quick" in sys.argv else 5
    worst = {}
    rows = []
    for layers in (100, 1_000, 9_999):  # a walk stops at 10,000 steps, the input line one of them
        src = flat(layers)
        rows.append((layers, src, layers, best(shapes(src, layers), repeat)))
    worst["flat"] = table("1. flat description, shapes (parse + analyse)", "layers", rows)

    for block in ("repeat 1:", "residual:"):
        rows = []
        for depth in (10, 100, 1_000):
            layers = 2 * depth
            src = nested(depth, block)
            rows.append((depth, src, layers, best(nested_all(src, layers), repeat)))
        worst[block] = table(f"2. nested `{block}` blocks (size = depth), shapes with receptive fields + lint",
                             "layers", rows)

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for models in (1, 10, 100, 150):  # 150: 7,504 lines, near limits.MAX_PYTHON_TOKENS
            path = os.path.join(tmp, f"models{models}.py")
            src = python_models(models)
            with open(path, "w") as fh:
                fh.write(src)
            rows.append((src.count("\n"), src, models * 19, best(lint_file(path, models), repeat)))
    worst["python"] = table("3. Python file (size = lines; 19 convolutions a model), lint", "layers", rows)

    print("largest per-layer cost relative to the smallest size of its family (1.0 = linear): "
          + ", ".join(f"{name} {ratio:.2f}" for name, ratio in worst.items()))


if __name__ == "__main__":
    main()
