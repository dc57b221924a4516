"""lint's per-file cache and its workers: a warm run says exactly what a cold one said without
linting anything again; what a result depends on (the file, the files it imports, the input
sizes, convcalc itself) invalidates it; a cache directory is input (garbage, hostile values,
no permission) and never breaks a run; workers give the same output in the same order."""
import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from notebooks import BROKEN_LENET, lenet_notebook
from paths import CORPUS

from convcalc.cli import cli
from convcalc.lint import cache as cache_module
from convcalc.lint import onefile


def lint(cwd, *args):
    """In this process (one job unless told), so that `counted` sees what is linted."""
    if "--jobs" not in args:
        args = (*args, "--jobs", "1")
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, ["lint", *args], catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of part of the corpus (a U-Net over two files, the lint models), a notebook and a network."""
    monkeypatch.delenv("CONVCALC_CACHE_DIR", raising=False)
    monkeypatch.delenv("CONVCALC_NO_CACHE", raising=False)
    shutil.copytree(CORPUS / "unet", tmp_path / "unet")
    shutil.copytree(CORPUS / "lint_models", tmp_path / "lint_models")
    (tmp_path / "nb.ipynb").write_text(lenet_notebook(BROKEN_LENET))
    (tmp_path / "net.net").write_text("input 3x32x32\nConv2d(3, 8, 3, stride=2)\nBatchNorm2d(8)\n")
    return tmp_path


@pytest.fixture
def counted(monkeypatch):
    """The files linted (not taken from the cache), by shown path."""
    calls = []
    real = onefile.lint_text

    def counting(path, *args):
        calls.append(path)
        return real(path, *args)

    monkeypatch.setattr(onefile, "lint_text", counting)
    return calls


FORMATS = ["text", "json", "github", "sarif", "gitlab"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_warm_run_says_what_the_cold_one_said_and_lints_nothing(project, counted, fmt):
    cold = lint(project, ".", "-v", "--format", fmt, "--jobs", "1")
    assert len(counted) == 10 and (project / ".convcalc_cache").is_dir()
    counted.clear()
    warm = lint(project, ".", "-v", "--format", fmt, "--jobs", "1")
    assert counted == []
    assert warm.output == cold.output and warm.exit_code == cold.exit_code == 1
    fresh = lint(project, ".", "-v", "--format", fmt, "--no-cache", "--jobs", "1")
    assert fresh.output == cold.output and len(counted) == 10


def test_what_a_file_found_in_another_file_of_its_tree_shows_its_line_when_warm(project, counted):
    parts = project / "unet" / "unet_parts.py"
    parts.write_text(parts.read_text().replace("nn.BatchNorm2d(mid_channels)", "nn.BatchNorm2d(mid_channels + 1)"))
    cold = lint(project, "unet/unet_model.py")
    assert "unet/unet_parts.py:" in cold.output and "nn.BatchNorm2d(mid_channels + 1)" in cold.output
    warm = lint(project, "unet/unet_model.py")
    assert warm.output == cold.output and counted == ["unet/unet_model.py"]


def test_selection_strictness_and_ignores_apply_to_a_cached_result(project, counted):
    lint(project, ".")
    counted.clear()
    assert "CC202" not in lint(project, ".", "--ignore", "CC202").output
    assert lint(project, ".", "--select", "CC202", "-q").output.count("CC202") >= 1
    strict = lint(project, ".", "--strict")
    assert counted == [] and strict.exit_code == 1


def test_a_changed_file_is_linted_again_and_the_others_are_not(project, counted):
    lint(project, ".")
    counted.clear()
    (project / "net.net").write_text("input 3x32x32\nConv2d(3, 8, 3, stride=2, bias=False)\nBatchNorm2d(8)\n")
    result = lint(project, ".")
    assert counted == ["net.net"]
    assert "net.net:2:1: CC202" not in result.output


def test_a_change_in_an_imported_file_relints_the_file_that_imports_it(project, counted):
    lint(project, "unet")
    counted.clear()
    parts = project / "unet" / "unet_parts.py"
    parts.write_text(parts.read_text().replace("nn.BatchNorm2d(mid_channels)", "nn.BatchNorm2d(mid_channels + 1)"))
    result = lint(project, "unet")
    assert sorted(counted) == ["unet/unet_model.py", "unet/unet_parts.py"]
    assert "CC101" in result.output


def test_an_imported_file_that_appears_or_goes_away_relints_the_importer(tmp_path, counted, monkeypatch):
    monkeypatch.delenv("CONVCALC_NO_CACHE", raising=False)
    model = ("import torch.nn as nn\nfrom blocks import Block\n\n\n# convcalc: input 3x8x8\nclass Net(nn.Module):\n"
             "    def __init__(self):\n        super().__init__()\n        self.block = Block()\n"
             "        self.fc = nn.Linear(8 * 6 * 6, 10)\n\n    def forward(self, x):\n"
             "        return self.fc(self.block(x).flatten(1))\n")
    (tmp_path / "net.py").write_text(model)
    missing = lint(tmp_path, "net.py", "-v")
    block = ("import torch.nn as nn\n\n\nclass Block(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
             "        self.conv = nn.Conv2d(3, 8, 5)\n\n    def forward(self, x):\n        return self.conv(x)\n")
    (tmp_path / "blocks.py").write_text(block)
    counted.clear()
    present = lint(tmp_path, "net.py")
    assert counted == ["net.py"] and present.output != missing.output
    assert "CC102 Linear expects 288 input features but receives 128" in present.output
    counted.clear()
    assert lint(tmp_path, "net.py").output == present.output and counted == []
    (tmp_path / "blocks.py").unlink()
    assert lint(tmp_path, "net.py", "-v").output == missing.output and counted == ["net.py"]


def test_the_input_given_is_part_of_the_key(project, counted):
    lint(project, "net.net")
    counted.clear()
    result = lint(project, "net.net", "--input", "3x64x64")
    assert counted == ["net.net"] and "of 64 never covered" in result.output


def test_convcalc_itself_is_part_of_the_key(tmp_path):
    package = tmp_path / "package"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "sub" / "b.py").write_text("y = 2\n")
    before = cache_module.package_fingerprint(str(package))
    assert cache_module.package_fingerprint(str(package)) == before
    os.utime(package / "sub" / "b.py", ns=(1, 1))
    assert cache_module.package_fingerprint(str(package)) != before


def shards(project) -> list:
    return sorted((project / ".convcalc_cache").rglob("*.json"))


def entries(project) -> list:
    """(shard file, its JSON, the entry) of every entry kept."""
    out = []
    for shard in shards(project):
        data = json.loads(shard.read_text())
        out.extend((shard, data, entry) for entry in data["entries"].values())
    return out


def rewrite(project, change) -> None:
    """Each entry changed in place by ``change(entry)``, its shard written back."""
    for shard in shards(project):
        data = json.loads(shard.read_text())
        for entry in data["entries"].values():
            change(entry)
        shard.write_text(json.dumps(data))


@pytest.mark.parametrize("garbage", [b"", b"{", b"[]", b"null", b'{"key": 1}', b'{"entries": []}',
                                     b'{"entries": {"0": 1}}', "\u00e9".encode("latin-1"), b"9" * 10_000])
def test_a_shard_that_does_not_read_is_a_miss(project, counted, garbage):
    cold = lint(project, ".")
    for shard in shards(project):
        shard.write_bytes(garbage)
    counted.clear()
    assert lint(project, ".").output == cold.output and len(counted) == 10
    counted.clear()
    assert lint(project, ".").output == cold.output and counted == []  # written anew


@pytest.mark.parametrize("garbage", [None, 1, [], "x", {"key": 1}, {"looked_at": [[1]], "lint": {}}])
def test_an_entry_that_does_not_read_is_a_miss(project, counted, garbage):
    cold = lint(project, ".")
    for shard in shards(project):
        data = json.loads(shard.read_text())
        data["entries"] = {key: garbage for key in data["entries"]}
        shard.write_text(json.dumps(data))
    counted.clear()
    assert lint(project, ".").output == cold.output and len(counted) == 10


def test_ten_files_are_kept_in_at_most_ten_shards_written_once_each(project):
    lint(project, ".")
    kept = entries(project)
    assert len(kept) == 10 and 1 <= len(shards(project)) <= 10
    assert all(entry["key"][0] == shard.stem for shard, _, entry in kept)


def test_an_edited_file_replaces_its_entry_instead_of_adding_one(project, counted):
    lint(project, ".")
    net = project / "net.net"
    for channels in (16, 32, 64):
        net.write_text(f"input 3x32x32\nConv2d(3, {channels}, 3, stride=2)\nBatchNorm2d({channels})\n")
        counted.clear()
        lint(project, ".")
        assert counted == ["net.net"]
    assert len(entries(project)) == 10


HOSTILE = [("findings", [{"code": "CC999", "path": "x", "span": [1, 1, 1, 2, None], "message": "m", "model": "",
                          "shown_line": None}]),
           ("findings", [{"code": "CC101", "path": "x", "span": [1.5, 1, 1, 2, None], "message": "m", "model": "",
                          "shown_line": None}]),
           ("findings", [{"code": "CC101", "path": ["x"], "span": [1, 1, 1, 2, None], "message": "m", "model": "",
                          "shown_line": None}]),
           ("checked", "3"), ("partly", [["x", {"code": "CC301", "message": 1, "span": None}]]),
           ("used", [[1, 2]]), ("book", {"path": "x", "module": "", "cells": [[1, 1, [], []]]}),
           ("module_stop", {"code": "__import__('os')", "message": "m", "span": None}), ("notes", None)]


@pytest.mark.parametrize("field, value", HOSTILE)
def test_an_entry_with_values_convcalc_never_writes_is_a_miss(project, counted, field, value):
    cold = lint(project, ".")
    rewrite(project, lambda entry: entry["lint"].__setitem__(field, value))
    counted.clear()
    assert lint(project, ".").output == cold.output and len(counted) == 10


def test_an_entry_under_another_key_is_not_taken(project, counted):
    lint(project, "net.net")
    ((shard, data, entry),) = entries(project)
    entry["lint"]["findings"] = []
    shard.write_text(json.dumps(data))
    counted.clear()
    # the entry says so: taken as written by convcalc
    assert "CC202" not in lint(project, "--select", "CC202", "net.net").output
    entry["key"] = "0" * 64
    shard.write_text(json.dumps(data))
    assert "CC202" in lint(project, "--select", "CC202", "net.net").output and counted == ["net.net"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_directory_that_cannot_be_written_is_said_once(project):
    (project / ".convcalc_cache").mkdir()
    os.chmod(project / ".convcalc_cache", 0o500)
    try:
        result = CliRunner(mix_stderr=False).invoke(cli, ["lint", str(project)])
    finally:
        os.chmod(project / ".convcalc_cache", 0o700)
    assert result.stderr.count("the lint cache is not written") == 1


def test_a_cache_directory_that_is_a_file_is_said_once_and_the_run_goes_on(project, monkeypatch):
    (project / "blocked").write_text("a file, not a directory\n")
    monkeypatch.setenv("CONVCALC_CACHE_DIR", str(project / "blocked"))
    cold = lint(project, ".", "--no-cache")
    result = lint(project, ".")
    assert result.exit_code == cold.exit_code == 1
    warning, rest = result.output.split("\n", 1)
    assert warning.startswith("convcalc: warning: the lint cache is not written (") and warning.endswith(
        "; --no-cache turns it off")
    assert rest == cold.output


def test_the_cache_directory_tells_git_to_leave_it_out(project):
    lint(project, "net.net")
    assert (project / ".convcalc_cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (project / ".convcalc_cache" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172")


def test_workers_give_the_output_of_one_process_in_the_same_order(project):
    one = lint(project, ".", "--no-cache", "--jobs", "1", "-v", "--format", "json")
    two = lint(project, ".", "--no-cache", "--jobs", "2", "-v", "--format", "json")
    assert two.output == one.output and two.exit_code == one.exit_code
    text_one = lint(project, ".", "--no-cache", "--jobs", "1")
    assert lint(project, ".", "--no-cache", "--jobs", "3").output == text_one.output


def test_concurrent_runs_share_one_cache_safely(project):
    """Four runs at once over the same files: the same output each, and entries that read."""
    command = [sys.executable, "-m", "convcalc", "lint", ".", "--jobs", "1"]
    expected = subprocess.run(command + ["--no-cache"], cwd=project, capture_output=True, text=True, timeout=300)
    runs = [subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(4)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert all(out == expected.stdout and err == expected.stderr for out, err in outputs)
    assert not list((project / ".convcalc_cache").rglob("*.tmp"))
    assert all(entry["key"][0] == shard.stem for shard, _, entry in entries(project))
    again = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=300)
    assert again.stdout == expected.stdout


def test_no_cache_and_the_environment_leave_no_directory(project, monkeypatch):
    lint(project, "net.net", "--no-cache")
    assert not (project / ".convcalc_cache").exists()
    monkeypatch.setenv("CONVCALC_NO_CACHE", "1")
    lint(project, "net.net")
    assert not (project / ".convcalc_cache").exists()
    monkeypatch.delenv("CONVCALC_NO_CACHE")
    monkeypatch.setenv("CONVCALC_CACHE_DIR", str(project / "elsewhere"))
    lint(project, "net.net")
    assert not (project / ".convcalc_cache").exists() and list((project / "elsewhere").rglob("*.json"))


def test_workers_only_where_cores_are_free(monkeypatch):
    from convcalc.lint import pool

    monkeypatch.setattr(pool, "available_cores", lambda: 4)
    monkeypatch.setattr(pool.os, "getloadavg", lambda: (0.7, 0.5, 0.5))
    assert pool.spare_cores() == 4
    monkeypatch.setattr(pool.os, "getloadavg", lambda: (3.6, 3.0, 3.0))
    assert pool.spare_cores() == 1


UNET = "input 3xHxW\n" + "save a\nMaxPool2d(2)\nUpsample(scale_factor=2)\nconcat a\n" * 40


def test_a_run_s_searches_share_one_budget_and_a_file_it_cut_is_not_cached(tmp_path, monkeypatch):
    """Each file's search had its own bound, so a run of many files had none (30 symbolic U-Nets: 3.8 s
    of CPU); the run's searches now share LINT_RUN_STEPS: the files past it are searched on what is
    left, say so (-v), and are not cached, so that a later run with room searches them in full."""
    from convcalc import limits

    monkeypatch.setenv("CONVCALC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CONVCALC_NO_CACHE", raising=False)
    for i in range(4):
        (tmp_path / f"n{i}.net").write_text(UNET)
    monkeypatch.setattr(limits, "LINT_RUN_STEPS", 1_500)  # one file's search in full (about 1,100), not four
    cut = "what was left of this lint run's searches"
    first = lint(tmp_path, ".", "-v")
    noted = sorted(line.split(":")[0] for line in first.output.splitlines() if cut in line)
    assert noted and "n0.net" not in noted, first.output
    assert first.output.count("CC203") == 4  # each file's finding, cut or not
    entries = [f for _, _, files in os.walk(tmp_path / "cache") for f in files]
    again = lint(tmp_path, ".", "-v")  # the cut files are linted again (not cached); the cached first spends
    assert sorted(line.split(":")[0] for line in again.output.splitlines() if cut in line) == noted[1:]  # none
    monkeypatch.setattr(limits, "LINT_RUN_STEPS", 1_000_000)
    roomy = lint(tmp_path, ".", "-v")
    assert cut not in roomy.output and entries, roomy.output
