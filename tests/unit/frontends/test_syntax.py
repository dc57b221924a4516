"""The description language: one test (or a few) per parser rule, and exact positioned errors."""
import pytest

from convcalc import nodes as n
from convcalc.errors import ConvcalcError
from convcalc.frontends.syntax import parse


def body(src):
    return parse(src, "t.net").body


def error(src):
    with pytest.raises(ConvcalcError) as info:
        parse(src, "t.net")
    exc = info.value
    return f"{exc.span.line}:{exc.span.col}: {exc.code} {exc.message}"


def test_input_numbers_and_symbols():
    (stmt,) = body("input 3xHxW\n")
    assert isinstance(stmt, n.Input)
    assert [type(d).__name__ for d in stmt.dims] == ["Num", "Name", "Name"]
    assert [d.span.col for d in stmt.dims] == [7, 9, 11]
    (stmt,) = body("input 1 × 16 × 64x64")
    assert [d.value for d in stmt.dims] == [1, 16, 64, 64]


def test_layer_call_with_prefixes_positional_and_keyword_arguments():
    stmts = body("Conv2d(3, 8, 3)\nnn.ReLU()\ntorch.nn.MaxPool2d(kernel_size=(2, 2), stride=[2, 2])\n")
    assert [s.name for s in stmts] == ["Conv2d", "ReLU", "MaxPool2d"]
    assert [a.value for a in stmts[0].args] == [3, 8, 3]
    key, value, key_span = stmts[2].kwargs[0]
    assert key == "kernel_size" and isinstance(value, n.TupleExpr) and key_span.col == 20
    assert stmts[2].text == "torch.nn.MaxPool2d(kernel_size=(2, 2), stride=[2, 2])"


def test_values_of_every_kind():
    (call,) = body("Layer(1, 2.5, 'same', \"valid\", True, False, None, (1,), -3, 2 ** 3)")
    kinds = [type(a).__name__ for a in call.args]
    assert kinds == ["Num", "Float", "Str", "Str", "Const", "Const", "Const", "TupleExpr", "Unary", "BinOp"]


def test_precedence():
    (let,) = body("let x = 1 + 2 * 3 ** 2 // 4 - -1")
    tree = let.value
    assert tree.op == "-" and tree.left.op == "+" and tree.left.right.op == "//"
    assert tree.left.right.left.right.op == "**"
    (let,) = body("let c = not a == 1 and b != 2 or c < 3")
    assert let.value.op == "or" and let.value.left.op == "and" and let.value.left.left.op == "not"
    (let,) = body("let c = s == 1 and a == b")
    assert let.value.op == "and" and let.value.left.op == "==" and let.value.right.op == "=="


def test_semicolons_comments_and_bracket_continuation():
    stmts = body("input 3x8x8; Conv2d(3, 4,  # a comment\n    3); ReLU()  # trailing\n\n# only a comment\n")
    assert [type(s).__name__ for s in stmts] == ["Input", "Call", "Call"]
    assert stmts[1].span.line == 1 and stmts[1].span.end_line == 2


def test_blocks():
    src = """
repeat 2 as i:
    Conv2d(4, 4, 3)
residual:
    ReLU()
    if i > 0:
        shortcut:
            Identity()
    else:
        Identity()
concat:
    branch:
        Identity()
    branch: ReLU(); Identity()
save skip; concat skip; add skip
def Block(c, k=3):
    let half = c // 2
    Conv2d(c, half, k)
"""
    stmts = body(src)
    kinds = [type(s).__name__ for s in stmts]
    assert kinds == ["Repeat", "Residual", "Concat", "Save", "ConcatSaved", "AddSaved", "Def"]
    assert stmts[0].var == "i" and len(stmts[0].body) == 1
    cond = stmts[1].body[1]
    assert isinstance(cond, n.If) and isinstance(cond.body[0], n.Shortcut) and len(cond.orelse) == 1
    assert len(stmts[2].branches) == 2 and len(stmts[2].branches[1].body) == 2
    assert stmts[6].params[1][0] == "k" and stmts[6].params[1][1].value == 3


@pytest.mark.parametrize("src, message", [
    ("Conv2d(3, 8, 3", "1:7: CC001 '(' is never closed"),
    ("Conv2d(3, 8, 3))", "1:16: CC001 unmatched ')'"),
    ("input 3x32xx32", "1:12: CC001 bad input dimension '': expected a number or a name, dimensions joined by x "
                       "(input 3x32x32)"),
    ("input 3x3.5", "1:9: CC001 bad input dimension '3.5': expected a number or a name, dimensions joined by x "
                    "(input 3x32x32)"),
    ("repeat 2:\n\tReLU()", "2:1: CC001 a tab in indentation; indent with spaces"),
    ("repeat 2:\n    ReLU()\n  ReLU()", "3:1: CC001 this indentation (2 spaces) matches no open block"),
    ("ReLU()\n    ReLU()", "2:5: CC001 unexpected indentation"),
    ("repeat 2:\nReLU()", "2:1: CC001 expected an indented block, found 'ReLU'"),
    ("Conv2d(3, 8, kernel_size=3, 4)", "1:29: CC001 positional argument after keyword argument"),
    ("Conv2d(3, 8, bias=True, bias=False)", "1:25: CC001 keyword argument 'bias' repeated"),
    ("F.relu()", "1:1: CC001 'F.relu': a layer is written Name(...), nn.Name(...) or torch.nn.Name(...)"),
    ("ReLU", "1:5: CC001 expected '(' after ReLU (a layer is called: ReLU(...)), found end of line"),
    ("let = 3", "1:5: CC001 expected a name after let, found '='"),
    ("Conv2d(3, 8, 3) ReLU()", "1:17: CC001 expected end of statement, found 'ReLU'"),
    ("let x = 3 $ 4", "1:11: CC001 unexpected character '$'"),
    ("let x = 1 < 2 < 3", "1:15: CC001 expected end of statement, found '<'"),
    ("def B(a=1, b):\n    ReLU()", "1:12: CC001 a parameter without a default follows one with a default"),
    ("concat:\n    ReLU()", "1:1: CC001 a concat: block holds only branch: blocks (at least one)"),
    ("else:\n    ReLU()", "1:1: CC001 'else' cannot start a statement here"),
    ("input", "1:6: CC001 `input` needs dimensions, e.g. input 3x32x32"),
])
def test_syntax_errors_name_line_and_column(src, message):
    assert error(src) == message


def nested_repeats(depth: int) -> str:
    return "".join(" " * i + "repeat 1:\n" for i in range(depth)) + " " * depth + "ReLU()\n"


def test_nesting_is_bounded():
    block = parse(nested_repeats(1000), "t.net")  # 1,000 blocks deep is allowed
    for _ in range(1000):
        block = block.body[0]
        assert isinstance(block, n.Repeat)
    assert block.body[0].name == "ReLU"
    message = error(nested_repeats(1001))
    assert message == "1002:1002: CC001 blocks nested more than 1,000 deep", message
    assert "brackets nested more than 64 deep" in error("let x = " + "(" * 100 + "1" + ")" * 100)


def test_long_expressions_are_bounded():
    assert "operators" in error("let x = " + " + ".join(["1"] * 600))
    assert "operators" in error("let x = " + "-" * 600 + "1")
