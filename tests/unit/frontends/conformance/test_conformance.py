"""The Python frontend against CPython: each program of cases/*.cases runs in CPython (here, in
the test process) and in convcalc's interpreter; the results must be equal, or convcalc must
say, at a line, that it does not follow the program. Never a different value, never an internal
error."""
import importlib.util

import pytest

import conformance

HAVE_NUMPY = importlib.util.find_spec("numpy") is not None


def marks(case):
    return [pytest.mark.oracle] if case.section == "numpy" else []


CASES = conformance.load_cases()


@pytest.mark.parametrize("case", [pytest.param(c, id=c.ident, marks=marks(c)) for c in CASES])
def test_case_agrees_with_cpython(case):
    if case.section == "numpy" and not HAVE_NUMPY:
        pytest.skip("numpy is not installed (pip install -e '.[oracle]')")
    status, expected, got = conformance.verdicts()[case] if HAVE_NUMPY else conformance.verdict(case.code)
    assert status != "differs", f"{case.title}\n{case.code}\nCPython: {expected}\nconvcalc: {got}"


def test_suite_is_large_and_nearly_all_followed():
    assert len(CASES) >= 400
    if HAVE_NUMPY:
        results = conformance.verdicts()
        followed = sum(1 for status, _, _ in results.values() if status == "followed")
        assert followed >= 0.9 * len(results)


@pytest.mark.oracle
def test_docs_list_what_the_suite_follows():
    """docs/python-models.md's list is the suite's (python tools/conformance_doc.py rewrites it)."""
    pytest.importorskip("numpy")
    with open(conformance.DOC, encoding="utf-8") as handle:
        text = handle.read()
    assert conformance.doc_part(text) == conformance.render_doc(conformance.verdicts()), \
        "docs/python-models.md is out of date: run python tools/conformance_doc.py"


def test_case_files_parse():
    import ast

    for case in CASES:
        ast.parse(case.code)
        assert case.topic and case.title, case.ident
