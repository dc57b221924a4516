"""What users of ruff expect of lint: --exit-zero, --statistics, -q, SARIF and GitLab Code
Quality output with their required fields, `convcalc explain CODE` for every code (its
example gives its code), and a warning for an unknown code in an ignore comment."""
import json

import pytest
from click.testing import CliRunner

from convcalc.cli import cli
from convcalc.codes import CODES


def run(*args):
    return CliRunner().invoke(cli, list(args))


WITH_BIAS = ("--select", "CC1,CC202")  # CC202 is opt-in (convcalc/codes.py): these tests name it


@pytest.fixture
def two_problems(tmp_path):
    path = tmp_path / "net.net"
    path.write_text("input 3x8x8\nConv2d(4, 8, 3)\n")
    other = tmp_path / "other.net"
    other.write_text("input 3x32x32\nConv2d(3, 8, 3)\nBatchNorm2d(8)\n")
    return str(path), str(other)


def test_exit_zero_quiet_and_statistics(two_problems):
    bad, warned = two_problems
    assert run("lint", bad).exit_code == 1
    assert run("lint", "--exit-zero", bad).exit_code == 0
    quiet = run("lint", *WITH_BIAS, "-q", bad, warned)
    assert quiet.stdout.count("CC1") + quiet.stdout.count("CC2") == 2 and "Found" not in quiet.stdout
    stats = run("lint", *WITH_BIAS, "--statistics", bad, warned)
    lines = stats.stdout.splitlines()
    assert lines[0] == "1  CC101  " + CODES["CC101"].description
    assert lines[1] == "1  CC202  " + CODES["CC202"].description
    assert lines[2] == "Found 2 problems (1 error, 1 warning) in 2 files."
    assert run("lint", "--statistics", "-q", bad).stdout.strip() == "1  CC101  " + CODES["CC101"].description


def test_sarif_has_the_required_fields(two_problems):
    log = json.loads(run("lint", *WITH_BIAS, "--format", "sarif", *two_problems).stdout)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run_ = log["runs"][0]
    assert run_["tool"]["driver"]["name"] == "convcalc"
    assert {rule["id"] for rule in run_["tool"]["driver"]["rules"]} == {"CC101", "CC202"}
    for result in run_["results"]:
        assert result["ruleId"] in ("CC101", "CC202") and result["message"]["text"]
        assert result["level"] in ("error", "warning", "note")
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] == 2 and region["startColumn"] == 1
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(".net")


def test_gitlab_code_quality_has_the_required_fields(two_problems):
    issues = json.loads(run("lint", *WITH_BIAS, "--format", "gitlab", *two_problems).stdout)
    assert len(issues) == 2
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["location"]["path"].endswith(".net") and issue["location"]["lines"]["begin"] == 2
    assert len({issue["fingerprint"] for issue in issues}) == 2


@pytest.mark.parametrize("code", sorted(CODES))
def test_explain_shows_an_example_that_has_the_code(code):
    result = run("explain", code)
    assert result.exit_code == 0
    said = result.stdout.split("convcalc says:", 1)[1]
    assert f": {code} " in said.splitlines()[1], result.stdout
    assert "Fix: " in result.stdout


def test_explain_an_unknown_code_is_a_usage_error():
    result = run("explain", "CC999")
    assert result.exit_code == 2 and "unknown code 'CC999'" in result.output


def test_an_unknown_code_in_an_ignore_comment_is_said(tmp_path):
    path = tmp_path / "net.net"
    path.write_text("input 3x8x8\nConv2d(3, 8, 3)  # convcalc: ignore[CC2O1]\n")
    result = run("lint", str(path))
    assert result.exit_code == 0
    assert f"{path}:2: warning: unknown code 'CC2O1' in `# convcalc: ignore[...]`" in result.stderr


def test_lint_reads_standard_input_named_by_stdin_filename(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.convcalc.per-file-ignores]\n"legacy/*" = ["CC101"]\n')
    text = "input 3x8x8\nConv2d(4, 8, 3)\n"
    plain = CliRunner().invoke(cli, ["lint", "-"], input=text)
    assert plain.exit_code == 1 and plain.stdout.startswith("<stdin>:2:1: CC101")
    named = CliRunner().invoke(cli, ["lint", "-", "--stdin-filename", "models/net.net"], input=text)
    assert named.exit_code == 1 and named.stdout.startswith("models/net.net:2:1: CC101")
    ignored = CliRunner().invoke(cli, ["lint", "-", "--stdin-filename", "legacy/net.net"], input=text)
    assert ignored.exit_code == 0  # the name's per-file configuration applies
    python = CliRunner().invoke(cli, ["lint", "-", "--stdin-filename", "model.py"],
                                input="import torch.nn as nn\n\n# convcalc: input 3x8x8\nnet = nn.Sequential("
                                      "nn.Conv2d(4, 8, 3))\n")
    assert python.exit_code == 1 and "model.py:4:" in python.stdout and "CC101" in python.stdout


def test_colour_only_when_asked_or_on_a_terminal(two_problems):
    bad, _ = two_problems
    assert "\033[" not in run("lint", bad).stdout  # CliRunner is no terminal
    coloured = CliRunner().invoke(cli, ["lint", "--color", "always", bad], color=True).stdout
    assert f"\033[1m{bad}:2:1:\033[0m \033[31m\033[1mCC101\033[0m" in coloured
    assert "\033[" not in CliRunner().invoke(cli, ["lint", "--color", "never", bad], color=True).stdout
    auto = CliRunner().invoke(cli, ["lint", bad], color=True, env={"NO_COLOR": "1"}).stdout
    assert "\033[" not in auto


def test_the_bundled_examples_pass_their_own_lint():
    result = run("lint", "examples")
    assert result.exit_code == 0 and "All checks passed" in result.stdout, result.output


def test_a_finding_inside_a_def_is_shown_once_with_its_call_sites(tmp_path):
    path = tmp_path / "blocks.net"
    path.write_text("input 3x32x32\ndef Block(cin, cout):\n    Conv2d(cin, cout, 3, padding=1)\n"
                    "    BatchNorm2d(cout)\nBlock(3, 8)\nBlock(8, 8)\nBlock(8, 8)\n")
    result = run("lint", *WITH_BIAS, str(path))
    lines = [line for line in result.stdout.splitlines() if " CC202 " in line]
    assert len(lines) == 1 and lines[0].endswith("(in Block, called at lines 5, 6, 7)")
