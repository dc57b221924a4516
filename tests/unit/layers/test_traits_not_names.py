"""Outside convcalc/layers/ and convcalc/executor/, no code decides by a layer's name: it asks the
layer's traits (convcalc/layers/registry.py). A comparison with a catalogue layer's name, or a
startswith/endswith by one of their prefixes, anywhere else fails this test."""
import ast

from paths import ROOT

from convcalc.layers.catalogue import REGISTRY

PACKAGE = ROOT / "convcalc"
ALLOWED = {PACKAGE / "layers", PACKAGE / "executor"}


def prefixes() -> set:
    """The leading words several layer names share (BatchNorm, MaxPool, Adaptive, Conv, ...)."""
    words = set()
    for name in REGISTRY:
        for end in range(3, len(name)):
            stem = name[:end]
            if sum(other.startswith(stem) for other in REGISTRY) >= 2 and stem[-1].islower() and \
                    name[end].isupper() or name[end].isdigit():
                words.add(stem)
    return words | set(REGISTRY)


def strings(node) -> list:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [s for item in node.elts for s in strings(item)]
    return []


def name_tests(tree, words: set) -> list:
    """(line, text) of every comparison with a layer's name or prefix."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for part in [node.left, *node.comparators]:
                found += [(node.lineno, s) for s in strings(part) if s in REGISTRY]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr in ("startswith", "endswith"):
            for arg in node.args:
                found += [(node.lineno, s) for s in strings(arg) if s in words]
    return found


def test_no_layer_name_is_tested_outside_the_catalogue_and_the_executor():
    words = prefixes()
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if any(allowed in path.parents for allowed in ALLOWED):
            continue
        for line, text in name_tests(ast.parse(path.read_text()), words):
            bad.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert bad == [], "layer names tested outside layers/ and executor/ (use a trait):\n" + "\n".join(bad)


def test_the_check_finds_a_name_test():
    """It can fail: a comparison with a layer's name and a startswith by a prefix are found."""
    tree = ast.parse("if row.name == 'Conv2d' or name.startswith(('BatchNorm', 'x')):\n    pass\n")
    assert [text for _, text in name_tests(tree, prefixes())] == ["Conv2d", "BatchNorm"]
