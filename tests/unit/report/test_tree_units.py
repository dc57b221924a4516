"""`shapes --tree` (torchinfo's module tree) and `--units` (K/M/G), from the same rows as every
table: the tree's leaves are the table's rows, its containers sum them; units change the text only."""
from __future__ import annotations

import json

from click.testing import CliRunner
from paths import CORPUS, ROOT

from convcalc.cli import cli

COURSE = str(ROOT / "examples" / "course_cnn.net")
RESNET = str(CORPUS / "cifar" / "resnet.py")


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


def layers(output: str) -> list:
    return [line for line in output.splitlines() if "─" in line]


def test_the_tree_holds_the_table_s_rows_and_a_row_per_container():
    flat = invoke("shapes", RESNET, "--model", "ResNet18", "--input", "3x32x32", "--depth", "all").output
    tree = invoke("shapes", RESNET, "--model", "ResNet18", "--input", "3x32x32", "--depth", "all", "--tree").output
    rows = layers(tree)
    containers = [r for r in rows if "(Sequential)" in r or "(BasicBlock)" in r]
    assert len(containers) == 4 + 8 + 3  # layer1..4, two blocks each, three shortcuts with a conv
    table = flat.split("\n\n")[0].splitlines()[3:-1]  # the rows between the input and the total
    assert len(rows) - len(containers) == len(table)
    assert rows[-1].lstrip(" 0123456789").startswith("└─")
    assert "layer1 (Sequential)" in tree and "147,968" in next(r for r in rows if "layer1 (Sequential)" in r)
    assert tree.splitlines()[-4:] == flat.splitlines()[-4:]  # the same footer


def test_units_write_counts_in_thousands_millions_or_billions_and_json_stays_exact():
    auto = invoke("shapes", COURSE, "--units", "auto").output
    assert "total params: 60.36 K" in auto and "mult-adds: 5.69 M" in auto and "40.97 K" in auto
    assert "896" in auto  # under a thousand: as it is
    mega = invoke("shapes", COURSE, "--units", "M").output
    assert "total params: 0.06 M" in mega
    exact = json.loads(invoke("shapes", COURSE, "--units", "auto", "--format", "json").output)
    assert exact["total_params"] == 60362
    assert "60,362" in invoke("shapes", COURSE).output
