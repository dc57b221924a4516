"""The pre-commit hook, end to end: the real `pre-commit try-repo` of this repository's HEAD
against a small git repository holding one good and one broken model.

pre-commit is installed if missing (it is in the `test` extra, so CI has it). Without network
the test is skipped, unless CONVCALC_REQUIRE_PRECOMMIT=1, where it fails instead.
"""
from paths import ROOT
import os
import shutil
import subprocess
import sys

import pytest

from notebooks import BROKEN_LENET, LENET, lenet_notebook

ROOT = str(ROOT)
REQUIRED = os.environ.get("CONVCALC_REQUIRE_PRECOMMIT") == "1" or os.environ.get("CI") == "true"

GOOD = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n\n" + LENET
BROKEN = GOOD.replace("input 1x32x32", "input 1x28x28")
NETWORK = "input 3x32x32\nConv2d(3, 8, 3, padding=1, bias=False)\nBatchNorm2d(8)\nReLU()\n"


def pre_commit() -> list:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        install = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "pre-commit"],
                                 capture_output=True, text=True, timeout=600)
        if install.returncode != 0:
            if REQUIRED:
                pytest.fail(f"cannot install pre-commit:\n{install.stderr}")
            pytest.skip("pre-commit is not installed and cannot be installed here")
    return [sys.executable, "-m", "pre_commit"]


def repository(tmp_path, files: dict):
    """A new git repository under ``tmp_path`` holding ``files`` (relative path: text), all added."""
    project = tmp_path / "project"
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    git("init", "-q", cwd=project)
    git("add", ".", cwd=project)
    return project


def hook_env(tmp_path, **more) -> dict:
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"), PRE_COMMIT_COLOR="never", **more)
    env.pop("GIT_DIR", None)
    env.pop("GIT_INDEX_FILE", None)
    return env


def git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.mark.precommit
def test_try_repo_passes_the_good_model_and_fails_the_broken_one(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    command = pre_commit()
    head = git("rev-parse", "HEAD", cwd=ROOT)
    project = repository(tmp_path, {"good.py": GOOD, "broken.py": BROKEN, "net.net": NETWORK,
                                    "README.txt": "not a network\n"})
    env = hook_env(tmp_path, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
                   GIT_COMMITTER_EMAIL="t@t")

    def try_repo(*files):
        return subprocess.run(command + ["try-repo", ROOT, "convcalc", "--ref", head, "--color", "never",
                                         "--files", *files],
                              cwd=project, env=env, capture_output=True, text=True, timeout=900)

    good = try_repo("good.py", "net.net", "README.txt")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "convcalc" in good.stdout and "Passed" in good.stdout

    broken = try_repo("good.py", "broken.py")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Failed" in broken.stdout
    assert "broken.py:12:20: CC102 Linear expects 400 input features but receives 256" in broken.stdout
    assert "self.fc1 = nn.Linear(16 * 5 * 5, 120)" in broken.stdout
    assert "good.py" not in broken.stdout.split("- exit code: 1", 1)[1]


@pytest.mark.precommit
def test_try_repo_checks_notebooks_by_their_cells(tmp_path):
    """The hook's types_or takes jupyter: a notebook with a broken model fails at its cell, a clean one passes."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    command = pre_commit()
    head = git("rev-parse", "HEAD", cwd=ROOT)
    project = repository(tmp_path, {"notebooks/good.ipynb": lenet_notebook(),
                                    "notebooks/broken.ipynb": lenet_notebook(BROKEN_LENET),
                                    "data.json": '{"cells": 1}\n'})  # JSON, not a notebook: not the hook's
    env = hook_env(tmp_path)

    def try_repo(*args):
        return subprocess.run(command + ["try-repo", ROOT, "convcalc", "--ref", head, "--color", "never", *args],
                              cwd=project, env=env, capture_output=True, text=True, timeout=900)

    good = try_repo("--files", "notebooks/good.ipynb", "data.json")
    assert good.returncode == 0 and "Passed" in good.stdout, good.stdout + good.stderr
    broken = try_repo("--all-files")
    assert broken.returncode == 1 and "Failed" in broken.stdout, broken.stdout + broken.stderr
    assert ("notebooks/broken.ipynb:cell 3:7:20: CC102 Linear expects 400 input features but receives 256"
            in broken.stdout)
    assert "self.fc1 = nn.Linear(16 * 5 * 5, 120)" in broken.stdout
    assert "Found 1 problem (1 error) in 2 files." in broken.stdout  # the two notebooks; data.json is not one


def readme_snippet() -> str:
    """The .pre-commit-config.yaml the README shows, as it stands."""
    text = open(os.path.join(ROOT, "README.md")).read()
    section = text.split("## Lint, and the pre-commit hook", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert "repo: local" in block
    return block


@pytest.mark.precommit
def test_the_readme_snippet_works_as_written(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    command = pre_commit()
    project = repository(tmp_path, {".pre-commit-config.yaml": readme_snippet(), "good.py": GOOD, "broken.py": BROKEN,
                                    "good.ipynb": lenet_notebook(), "broken.ipynb": lenet_notebook(BROKEN_LENET)})
    # language: system runs the convcalc of this environment
    path = os.path.dirname(shutil.which("convcalc") or os.path.join(os.path.dirname(sys.executable), "convcalc"))
    env = hook_env(tmp_path, PATH=path + os.pathsep + os.environ.get("PATH", ""))

    def run(*files):
        return subprocess.run(command + ["run", "--color", "never", "--files", *files], cwd=project, env=env,
                              capture_output=True, text=True, timeout=600)

    good = run("good.py")
    assert good.returncode == 0 and "Passed" in good.stdout, good.stdout + good.stderr
    broken = run("good.py", "broken.py")
    assert broken.returncode == 1 and "Failed" in broken.stdout, broken.stdout + broken.stderr
    assert "broken.py:12:20: CC102 Linear expects 400 input features but receives 256" in broken.stdout
    good_book = run("good.ipynb")
    assert good_book.returncode == 0 and "Passed" in good_book.stdout, good_book.stdout + good_book.stderr
    broken_book = run("good.ipynb", "broken.ipynb")
    assert broken_book.returncode == 1, broken_book.stdout + broken_book.stderr
    assert "broken.ipynb:cell 3:7:20: CC102 Linear expects 400 input features but receives 256" in broken_book.stdout
    (project / "broken.ipynb").write_text(lenet_notebook())
    # a file named like an option is a file to the hook (issue 15): linted, not obeyed
    (project / "broken.py").write_text(GOOD)
    (project / "--exclude=*.net").write_text("input 3x8x8\nConv2d(4, 8, 3)\n")
    git("add", "--", "--exclude=*.net", "broken.py", "broken.ipynb", cwd=project)
    named = subprocess.run(command + ["run", "--color", "never", "--all-files"], cwd=project, env=env,
                           capture_output=True, text=True, timeout=600)
    assert named.returncode == 1 and "--exclude=*.net:2:1: CC101" in named.stdout, named.stdout + named.stderr
