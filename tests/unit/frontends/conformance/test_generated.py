"""Expressions made by hypothesis over ints, floats, strings, tuples, lists and dicts, run in
CPython and in convcalc's interpreter: the same value, the same exception, or a positioned "not
followed"; never a different value, never an internal error."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import conformance

SCALARS = st.one_of(
    st.integers(-20, 20).map(repr),
    st.sampled_from(["0.5", "-1.5", "2.0", "1e300", "float('nan')", "float('inf')", "0.1"]),
    st.sampled_from(["''", "'ab'", "'a,b'", "'Conv'", "' x '"]),
    st.sampled_from(["True", "False", "None"]),
)
# `is` only against the singletons (below): whether two equal numbers, strings or tuples are one
# object is CPython's implementation detail (float('inf') is float('inf') is False there, 1 is 1 True)
BINARY = ["+", "-", "*", "/", "//", "%", "**", "==", "!=", "<", "<=", ">", ">=", "and", "or", "in", "not in",
          "&", "|", "^", "<<", ">>"]
CALLS = ["len", "str", "repr", "bool", "int", "float", "abs", "sorted", "list", "tuple", "set", "min", "max", "sum",
         "reversed", "hash", "type"]
METHODS = ["upper()", "split(',')", "strip()", "count(1)", "index(1)", "get(1)", "copy()", "pop()", "keys()",
           "values()", "items()",
           "startswith('a')", "join(['x', 'y'])", "capitalize()", "replace('a', 'b')", "__len__()"]


def containers(inner):
    return st.one_of(
        st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(inner, max_size=3).map(lambda xs: "(" + "".join(x + ", " for x in xs) + ")"),
        st.lists(st.tuples(SCALARS, inner), max_size=3).map(
            lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"),
    )


def expressions(inner):
    return st.one_of(
        containers(inner),
        st.tuples(inner, st.sampled_from(BINARY), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, st.sampled_from(["is", "is not"]), st.sampled_from(["None", "True", "False"])).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["-", "not ", "~"]), inner).map(lambda t: f"({t[0]}{t[1]})"),
        st.tuples(st.sampled_from(CALLS), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(inner, st.sampled_from(METHODS)).map(lambda t: f"({t[0]}).{t[1]}"),
        st.tuples(inner, st.integers(-3, 3)).map(lambda t: f"({t[0]})[{t[1]}]"),
        st.tuples(inner, st.integers(-3, 3), st.integers(-3, 3)).map(lambda t: f"({t[0]})[{t[1]}:{t[2]}]"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        st.tuples(inner).map(lambda t: f"[v for v in {t[0]}]"),
        # f-strings do not nest here; nor is an iterator written in one: its text is an address in CPython
        # (<reversed object at 0x7f...>), which no other interpreter gives, and convcalc's is not known
        st.tuples(inner, inner).filter(lambda t: '"' not in t[0] + t[1] and "reversed(" not in t[0] + t[1]).map(
            lambda t: f'f"{{ {t[0]} }}-{{ {t[1]}!r}}"'),
    )


EXPRESSIONS = st.recursive(SCALARS, expressions, max_leaves=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS)
def test_a_generated_expression_agrees_with_cpython(text):
    code = f"result = {text}\n"
    status, expected, got = conformance.verdict(code)
    assert got[0] != "internal error", f"{code}\n{got[1]}"
    assert status != "differs", f"{code}CPython: {expected}\nconvcalc: {got}"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), EXPRESSIONS), min_size=1, max_size=4))
def test_generated_statements_agree_with_cpython(assignments):
    """A few assignments, each reading the names before it."""
    lines = [f"{name} = {text}" for name, text in assignments]
    names = sorted({name for name, _ in assignments})
    code = "\n".join(lines) + f"\nresult = ({', '.join(names)},)\n"
    status, expected, got = conformance.verdict(code)
    assert got[0] != "internal error", f"{code}\n{got[1]}"
    assert status != "differs", f"{code}CPython: {expected}\nconvcalc: {got}"
