"""Benchmark: `convcalc lint` over 200 generated model files (target: under 2 s).

Half are PyTorch model classes (conv blocks with batch norm in __init__, a forward with
functional calls and a flatten), half network files; one in ten carries a wrong number.
Prints the time of the in-process lint and of the whole command (start-up included).

    python bench/bench_lint.py [--files 200]
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile
import time

PY = '''import torch
import torch.nn as nn
import torch.nn.functional as F

WIDTH = {width}


# convcalc: input 3x{size}x{size}
class Model{i}(nn.Module):
    def __init__(self, num_classes={classes}):
        super().__init__()
        self.blocks = nn.Sequential(
{blocks}        )
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear({features}, 128)
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x):
        x = self.pool(self.blocks(x))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)
'''


def python_model(i: int, rng: random.Random, broken: bool) -> str:
    depth = rng.randint(2, 6)
    width = rng.choice([8, 16, 32])
    size = rng.choice([32, 64])
    blocks, cin = "", 3
    for d in range(depth):
        cout = "WIDTH" if d == 0 else f"WIDTH * {min(d + 1, 4)}"
        blocks += (f"            nn.Conv2d({cin}, {cout}, 3, padding=1, bias=False),\n"
                   f"            nn.BatchNorm2d({cout}),\n            nn.ReLU(inplace=True),\n")
        cin = cout
    channels = width * min(depth, 4)
    features = channels * (size // 2) ** 2 + (1 if broken else 0)
    return PY.format(i=i, width=width, size=size, classes=10, blocks=blocks, features=features)


def network_model(rng: random.Random, broken: bool) -> str:
    size = rng.choice([32, 64, 128])
    lines, cin = [f"input 3x{size}x{size}"], 3
    for _ in range(rng.randint(2, 5)):
        cout = rng.choice([16, 32, 64])
        lines += [f"Conv2d({cin}, {cout}, 3, padding=1, bias=False)", f"BatchNorm2d({cout})", "ReLU()",
                  "MaxPool2d(2)"]
        cin, size = cout, size // 2
    lines += ["Flatten()", f"Linear({cin * size * size + (3 if broken else 0)}, 10)"]
    return "\n".join(lines) + "\n"


def generate(folder: str, count: int) -> int:
    rng = random.Random(4)
    broken = 0
    for i in range(count):
        bad = i % 10 == 9
        broken += bad
        if i % 2:
            path, text = os.path.join(folder, f"model_{i:03d}.py"), python_model(i, rng, bad)
        else:
            path, text = os.path.join(folder, f"net_{i:03d}.net"), network_model(rng, bad)
        with open(path, "w") as fh:
            fh.write(text)
    return broken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    args = parser.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from convcalc.lint.runner import Options, lint

    with tempfile.TemporaryDirectory() as folder:
        broken = generate(folder, args.files)
        start = time.perf_counter()
        result = lint([folder], Options())
        in_process = time.perf_counter() - start
        assert result.files == args.files and len(result.findings) == broken, (result.files, len(result.findings))
        start = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "convcalc", "lint", folder], capture_output=True, text=True)
        whole = time.perf_counter() - start
        assert run.returncode == 1
    print(f"lint of {args.files} files ({result.models} models, {broken} broken): {in_process:.2f} s in process, "
          f"{whole:.2f} s for the whole command (target < 2 s)")


if __name__ == "__main__":
    main()
