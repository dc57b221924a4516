"""Tokenizer and hand-written recursive-descent parser of the description language.

Every error is a ConvcalcError(codes.SYNTAX, ...) built from (src, pos), so it knows its line
and column. Loops the input controls are bounded: nesting depth and source size.
"""
from __future__ import annotations

import re
from convcalc import nodes as n
from convcalc.errors import ConvcalcError, LineIndex, Span
from convcalc.limits import MAX_DIGITS, MAX_RANK, deep_stack
from convcalc import codes

MAX_BLOCK_DEPTH = 1_000  # nested blocks (indentation levels)
MAX_BRACKET_DEPTH = 64  # nested brackets: expressions are evaluated recursively
MAX_SOURCE = 5_000_000  # characters
MAX_TUPLE = 64  # items of a tuple: a layer takes one per dimension, and each is work in every walk
MAX_OPERATORS = 500  # in one statement: evaluation recurses over the expression tree
# tokens of a description, counted as they are made: 700,000 statements of ReLU() (4.9 MB) took 14.7 s to parse
MAX_TOKENS = 150_000  # about 1 s of parsing here

KEYWORDS = {"input", "let", "repeat", "as", "residual", "shortcut", "concat", "branch",
            "save", "add", "def", "if", "else", "and", "or", "not", "True", "False", "None", "layer"}
BLOCK_WORDS = {"residual": n.Residual, "shortcut": n.Shortcut, "branch": n.Branch}

_TOKEN = re.compile(r"""
    (?P<ws>[ \t\f]+|\\\r?\n)
  | (?P<comment>\#[^\r\n]*)
  | (?P<newline>\r?\n)
  | (?P<number>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<string>'[^'\\\r\n]*'|"[^"\\\r\n]*")
  | (?P<op>\*\*|//|==|!=|<=|>=|[-+*/%<>()\[\],=:;.×])
""", re.VERBOSE)

OPEN, CLOSE = "([", ")]"


class Token:
    """kind: name number string op newline indent dedent dimnumber dimname eof."""

    __slots__ = ("kind", "text", "pos", "end")

    def __init__(self, kind: str, text: str, pos: int, end: int):
        self.kind, self.text, self.pos, self.end = kind, text, pos, end

    def __repr__(self):
        return f"Token({self.kind!r}, {self.text!r}, {self.pos}, {self.end})"


def error(msg: str, src: str, pos: int, end: int | None = None) -> ConvcalcError:
    return ConvcalcError.at(codes.SYNTAX, msg, src, pos, end)


def tokenize(src: str) -> list[Token]:
    """Python-like tokens: NEWLINE only outside brackets, INDENT/DEDENT from leading spaces."""
    if len(src) > MAX_SOURCE:
        raise error(f"the description is {len(src):,} characters long; the limit is {MAX_SOURCE:,}", src, 0)
    tokens: list[Token] = []
    indents = [0]
    brackets: list[Token] = []
    pos, at_line_start = 0, True
    while pos < len(src):
        if at_line_start and not brackets:
            pos, at_line_start = _indentation(src, pos, indents, tokens), False
            if pos >= len(src):
                break
        m = _TOKEN.match(src, pos)
        if m is None:
            raise error(f"unexpected character {src[pos]!r}", src, pos)
        kind, text, end = m.lastgroup, m.group(), m.end()
        if kind == "newline":
            if not brackets:
                if tokens and tokens[-1].kind not in ("newline", "indent", "dedent"):
                    tokens.append(Token("newline", text, pos, end))
                at_line_start = True
        elif kind == "op":
            if text in OPEN:
                if len(brackets) >= MAX_BRACKET_DEPTH:
                    raise error(f"brackets nested more than {MAX_BRACKET_DEPTH} deep", src, pos)
                brackets.append(Token("op", text, pos, end))
            elif text in CLOSE:
                if not brackets or OPEN.index(brackets[-1].text) != CLOSE.index(text):
                    raise error(f"unmatched {text!r}", src, pos)
                brackets.pop()
            tokens.append(Token("op", "x" if text == "×" else text, pos, end))
        elif kind == "name" and text == "input" and _statement_start(tokens):
            tokens.append(Token(kind, text, pos, end))
            end = _input_dims(src, end, tokens)
        elif kind not in ("ws", "comment"):
            tokens.append(Token(kind, text, pos, end))
        if len(tokens) > MAX_TOKENS:
            raise error(f"more than {MAX_TOKENS:,} tokens: convcalc reads no further (a walk stops at 10,000 layers "
                        "and statements)", src, pos, end)
        pos = end
    if brackets:
        raise error(f"{brackets[-1].text!r} is never closed", src, brackets[-1].pos)
    if tokens and tokens[-1].kind not in ("newline", "dedent", "indent"):
        tokens.append(Token("newline", "", len(src), len(src)))
    for _ in indents[1:]:
        tokens.append(Token("dedent", "", len(src), len(src)))
    tokens.append(Token("eof", "", len(src), len(src)))
    return tokens


def _statement_start(tokens: list[Token]) -> bool:
    return not tokens or tokens[-1].kind in ("newline", "indent", "dedent") or tokens[-1].text in (";", ":")


_BLANKS = re.compile(r"[ \t\f]*")


def _indentation(src: str, pos: int, indents: list[int], tokens: list[Token]) -> int:
    """Measure a line's indentation; blank and comment-only lines do not count."""
    start = pos
    pos = _BLANKS.match(src, pos).end()  # in C: a deep block's lines are long runs of spaces
    tab = src.find("\t", start, pos)
    if tab >= 0:
        raise error("a tab in indentation; indent with spaces", src, tab)
    if pos >= len(src) or src[pos] in "#\r\n":
        return pos
    width = pos - start
    if width > indents[-1]:
        if len(indents) > MAX_BLOCK_DEPTH:
            raise error(f"blocks nested more than {MAX_BLOCK_DEPTH:,} deep", src, pos)
        indents.append(width)
        tokens.append(Token("indent", "", start, pos))
    while width < indents[-1]:
        indents.pop()
        tokens.append(Token("dedent", "", start, pos))
    if width != indents[-1]:
        raise error(f"this indentation ({width} spaces) matches no open block", src, start, pos)
    return pos


_DIM = re.compile(r"\s*(\d+|[A-Za-z_][A-Za-z_0-9]*)\s*")


def _input_dims(src: str, pos: int, tokens: list[Token]) -> int:
    """`input 3x32x32` or `input 3xHxW`: the dims are one token each."""
    end = pos
    while end < len(src) and src[end] not in ";#\r\n":
        end += 1
    text = src[pos:end]
    if not text.strip():
        raise error("`input` needs dimensions, e.g. input 3x32x32", src, pos)
    offset = pos
    for piece in re.split("[x×]", text):
        m = _DIM.fullmatch(piece)
        if m is None:
            where = offset + len(piece) - len(piece.lstrip())
            raise error(f"bad input dimension {piece.strip()!r}: expected a number or a name, "
                        "dimensions joined by x (input 3x32x32)", src, where, offset + len(piece.rstrip()))
        kind = "number" if m.group(1).isdigit() else "name"
        tokens.append(Token("dim" + kind, m.group(1), offset + m.start(1), offset + m.end(1)))
        offset += len(piece) + 1
    return end


# PyTorch's containers: a description lists their layers instead
CONTAINERS = frozenset({"Sequential", "ModuleList", "ModuleDict", "Module"})


class Parser:
    def __init__(self, src: str, path: str = "<expr>"):
        self.src = src
        self.path = path
        self.tokens = tokenize(src)
        self.lines = LineIndex(src)
        self.i = 0
        self.tok = self.tokens[0]
        self.last_end = 0
        self.operators = 0

    # ------------------------------------------------------------- helpers
    def advance(self) -> Token:
        tok = self.tok
        self.last_end = tok.end
        self.i += 1
        self.tok = self.tokens[self.i] if self.i < len(self.tokens) else tok
        return tok

    def peek(self) -> Token:
        return self.tokens[min(self.i + 1, len(self.tokens) - 1)]

    def at(self, text: str, kind: str | None = None) -> bool:
        tok = self.tok
        return tok.text == text and (kind is None or tok.kind == kind) and tok.kind not in ("string",)

    def accept(self, text: str) -> Token | None:
        if self.at(text):
            return self.advance()
        return None

    def expect(self, text: str, what: str | None = None) -> Token:
        if self.at(text):
            return self.advance()
        raise self.unexpected(what or repr(text))

    def unexpected(self, wanted: str) -> ConvcalcError:
        tok = self.tok
        found = {"newline": "end of line", "eof": "end of input", "indent": "an indented block",
                 "dedent": "end of block"}.get(tok.kind, repr(tok.text))
        return error(f"expected {wanted}, found {found}", self.src, tok.pos, tok.end)

    def span(self, start: int, end: int | None = None) -> Span:
        """Like Span.from_offsets, with the line index made once: spans are made for every node."""
        return self.lines.span(start, end)

    def expect_name(self, what: str) -> Token:
        if self.tok.kind == "name" and self.tok.text not in KEYWORDS:
            return self.advance()
        raise self.unexpected(what)

    # ------------------------------------------------------------- statements
    def parse_program(self) -> n.Program:
        body = self.parse_statements(top=True)
        return n.Program(tuple(body), self.src, self.path)

    def parse_statements(self, top: bool = False) -> list:
        body: list = []
        while self.tok.kind != "eof" and (top or self.tok.kind != "dedent"):
            if self.tok.kind == "indent":
                raise error("unexpected indentation", self.src, self.tok.end)
            if self.tok.kind == "dedent":
                self.advance()
                continue
            body.extend(self.parse_statement())
        return body

    def parse_statement(self) -> list:
        self.operators = 0
        word = self.tok.text if self.tok.kind == "name" else ""
        compound = {"repeat": self.parse_repeat, "def": self.parse_def, "if": self.parse_if}
        if word in compound:
            return [compound[word]()]
        if word in BLOCK_WORDS or (word == "concat" and self.peek().text == ":"):
            return [self.parse_block(word)]
        stmts = [self.parse_simple()]
        while self.accept(";"):
            if self.tok.kind == "newline":
                break
            stmts.append(self.parse_simple())
        if self.tok.kind != "eof":
            if self.tok.kind != "newline":
                raise self.unexpected("end of statement")
            self.advance()
        return stmts

    def parse_simple(self):
        tok = self.tok
        if tok.kind != "name":
            raise self.unexpected("a statement (a layer call, let, input, save, ...)")
        if tok.text == "input":
            return self.parse_input()
        if tok.text == "let":
            self.advance()
            name = self.expect_name("a name after let")
            self.expect("=")
            value = self.parse_expr()
            return n.Let(name.text, value, self.span(tok.pos, self.last_end))
        if tok.text == "layer":  # layer fc = Linear(10, 10): one layer object, applied as fc()
            self.advance()
            name = self.expect_name("a name after layer")
            self.expect("=")
            call = self.parse_call()
            return n.Shared(name.text, call, self.span(tok.pos, self.last_end))
        if tok.text in ("save", "concat", "add") and self.peek().kind == "name":
            self.advance()
            name = self.expect_name(f"a tensor name after {tok.text}")
            node = {"save": n.Save, "concat": n.ConcatSaved, "add": n.AddSaved}[tok.text]
            return node(name.text, self.span(tok.pos, name.end))
        if tok.text in KEYWORDS:
            raise error(f"{tok.text!r} cannot start a statement here", self.src, tok.pos, tok.end)
        return self.parse_call()

    def parse_input(self) -> n.Input:
        start = self.advance()
        dims = []
        while self.tok.kind in ("dimnumber", "dimname"):
            tok = self.advance()
            if len(dims) == MAX_RANK:
                raise error(f"an input of more than {MAX_RANK} dimensions: convcalc reads at most {MAX_RANK} (a "
                            "Conv3d's sample has 4)", self.src, tok.pos, tok.end)
            span = self.span(tok.pos, tok.end)
            dims.append(n.Num(self.integer(tok), span) if tok.kind == "dimnumber" else n.Name(tok.text, span))
        return n.Input(tuple(dims), self.span(start.pos, self.last_end))

    def parse_call(self) -> n.Call:
        start = self.tok
        parts = [self.expect_name("a layer name").text]
        while self.accept("."):
            parts.append(self.expect_name("a name after '.'").text)
        qualified = ".".join(parts)
        name = parts[-1]
        if parts[:-1] not in ([], ["nn"], ["torch", "nn"]):
            raise error(f"{qualified!r}: a layer is written Name(...), nn.Name(...) or torch.nn.Name(...)",
                        self.src, start.pos, self.last_end)
        name_span = self.span(start.pos, self.last_end)
        if qualified in ("import", "from"):
            raise error(f"Python's {qualified} is not part of the description language: a description lists "
                        "layers, e.g. Conv2d(3, 8, 3)", self.src, start.pos, self.last_end)
        if self.at("=") and len(parts) == 1:
            raise error(f"'{qualified} = ...': a name is given a value with 'let {qualified} = ...', and a layer "
                        "is a statement of its own", self.src, start.pos, self.tok.end)
        if not self.at("("):
            raise self.unexpected(f"'(' after {qualified} (a layer is called: {qualified}(...))")
        if name in CONTAINERS:  # PyTorch pasted in: its first argument would be the error, not the point
            raise error(f"{qualified} is PyTorch's container, not a layer: a description is already a sequence, so "
                        f"write its layers one per line (or give convcalc the .py file itself)", self.src, start.pos,
                        self.last_end)
        operation = len(parts) == 1 and self.operation(name)
        args, kwargs = self.parse_arguments()
        if operation:
            return self.operation_statement(name, args, kwargs, start)
        operands, call_kwargs = (), ()
        if self.at("("):  # the forward's own arguments: MultiheadAttention(64, 4)(memory, memory, need_weights=False)
            forward_args, forward_kwargs = self.parse_arguments()
            operands = tuple(self.tensor_name(a, "a saved tensor's name (save NAME)") for a in forward_args)
            call_kwargs = tuple(forward_kwargs)
        pick = None
        if self.at("-") and self.peek().text == ">" and self.peek().pos == self.tok.end:
            self.advance()
            self.advance()
            pick = self.expect_name("the name of one of the layer's outputs after ->").text
        end = self.last_end
        return n.Call(name, tuple(args), tuple(kwargs), self.src[start.pos:end], self.span(start.pos, end), name_span,
                      operands=operands, call_kwargs=call_kwargs, pick=pick)

    @staticmethod
    def operation(name: str) -> bool:
        """A lowercase name of the catalogue's operations (permute, transpose, mean, ...) is one."""
        from convcalc.layers.operations import lookup_operation

        return name[:1].islower() and lookup_operation(name) is not None

    def tensor_name(self, expr, what: str) -> str:
        if not isinstance(expr, n.Name):
            raise error(f"expected {what}", self.src, self.tok.pos, self.tok.end)
        return expr.id

    def operation_statement(self, name: str, args: list, kwargs: list, start: Token) -> n.Op:
        """``permute(2, 0, 1)``, ``masked_fill(mask, 0.0)``: an operation on the tensor flowing, its
        further tensors named first by their saved names."""
        from convcalc.layers.operations import lookup_operation

        spec = lookup_operation(name)
        wanted = len(spec.operands) - 1
        if spec.variadic:  # stack: the tensor flowing, then the saved ones named before the other arguments
            wanted = next((i for i, a in enumerate(args) if not isinstance(a, n.Name)), len(args))
        names = [self.tensor_name(a, f"{name}'s tensor {spec.operands[min(i + 1, len(spec.operands) - 1)]!r}: a "
                                     "saved tensor's name") for i, a in enumerate(args[:wanted])]
        if len(names) < wanted:
            raise error(f"{name} takes {wanted + 1} tensors: the one flowing and {wanted} saved one"
                        f"{'s' if wanted > 1 else ''}", self.src, start.pos, self.last_end)
        rest = list(args[wanted:])
        given = {key for key, _, _ in kwargs}
        if spec.sizes is not None and spec.sizes not in given and (len(rest) > 1 or (
                rest and not isinstance(rest[0], n.TupleExpr))):  # permute(2, 0, 1) as permute((2, 0, 1))
            first, last = rest[0].span, rest[-1].span
            rest = [n.TupleExpr(tuple(rest), Span(first.line, first.col, last.end_line, last.end_col))]
        end = self.last_end
        return n.Op(name, (None, *names), tuple(rest), self.src[start.pos:end], self.span(start.pos, end),
                    tuple((key, value) for key, value, _ in kwargs))

    def parse_arguments(self) -> tuple[list, list]:
        self.expect("(")
        args: list = []
        kwargs: list = []
        given: set = set()
        while not self.at(")"):
            if self.tok.kind == "name" and self.peek().text == "=":
                key = self.advance()
                self.advance()
                if key.text in given:  # a set: 20,000 keywords must not cost 200 million comparisons
                    raise error(f"keyword argument {key.text!r} repeated", self.src, key.pos, key.end)
                given.add(key.text)
                kwargs.append((key.text, self.parse_expr(), self.span(key.pos, key.end)))
            elif kwargs:
                raise error("positional argument after keyword argument", self.src, self.tok.pos, self.tok.end)
            else:
                args.append(self.parse_expr())
            if not self.accept(","):
                break
        self.expect(")", "',' or ')'")
        return args, kwargs

    def parse_suite(self) -> tuple:
        """After ':' either an indented block or simple statements on the same line."""
        if self.tok.kind != "newline":
            return tuple(self.parse_statement())
        self.advance()
        if self.tok.kind != "indent":
            raise self.unexpected("an indented block")
        self.advance()
        body = self.parse_statements()
        if self.tok.kind == "dedent":
            self.advance()
        return tuple(body)

    def parse_block(self, word: str):
        start = self.advance()
        self.expect(":")
        body = self.parse_suite()
        span = self.span(start.pos, start.end)
        if word == "concat":
            branches = [stmt for stmt in body if isinstance(stmt, n.Branch)]
            if not branches or len(branches) != len(body):
                raise error("a concat: block holds only branch: blocks (at least one)", self.src, start.pos, start.end)
            return n.Concat(tuple(branches), span)
        return BLOCK_WORDS[word](body, span)

    def parse_repeat(self) -> n.Repeat:
        start = self.advance()
        count = self.parse_expr()
        var = None
        if self.accept("as"):
            var = self.expect_name("a loop variable after 'as'").text
        self.expect(":")
        return n.Repeat(count, var, self.parse_suite(), self.span(start.pos, start.end))

    def parse_def(self) -> n.Def:
        self.advance()
        name = self.expect_name("a block name after def")
        self.expect("(")
        params: list = []
        seen: set = set()
        while not self.at(")"):
            param = self.expect_name("a parameter name")
            if param.text in seen:  # a set, as for keywords
                raise error(f"parameter {param.text!r} repeated", self.src, param.pos, param.end)
            seen.add(param.text)
            default = self.parse_expr() if self.accept("=") else None
            if default is None and params and params[-1][1] is not None:
                raise error("a parameter without a default follows one with a default",
                            self.src, param.pos, param.end)
            params.append((param.text, default))
            if not self.accept(","):
                break
        self.expect(")", "',' or ')'")
        self.expect(":")
        return n.Def(name.text, tuple(params), self.parse_suite(), self.span(name.pos, name.end))

    def parse_if(self) -> n.If:
        start = self.advance()
        cond = self.parse_expr()
        self.expect(":")
        body = self.parse_suite()
        orelse: tuple = ()
        if self.at("else") and self.tok.kind == "name":
            self.advance()
            self.expect(":")
            orelse = self.parse_suite()
        return n.If(cond, body, orelse, self.span(start.pos, start.end))

    # ------------------------------------------------------------- expressions
    def parse_expr(self):
        return self.parse_binary(1)

    def operator(self) -> Token:
        self.operators += 1
        if self.operators > MAX_OPERATORS:
            raise error(f"more than {MAX_OPERATORS} operators in one statement", self.src, self.tok.pos, self.tok.end)
        return self.advance()

    # binding power of the binary operators; 'not' binds between 'and' and the comparisons
    PRECEDENCE = {"or": 1, "and": 2, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4,
                  "+": 5, "-": 5, "*": 6, "/": 6, "//": 6, "%": 6}
    NOT = 3

    def parse_binary(self, min_prec: int):
        """Precedence climbing: one call per operator, not one per precedence level."""
        start = self.tok.pos
        if min_prec <= self.NOT and self.at("not", "name"):
            tok = self.operator()
            operand = self.parse_binary(self.NOT)
            left = n.Unary("not", operand, self.span(tok.pos, self.last_end))
        else:
            left = self.parse_unary()
        compared = False
        while True:
            tok = self.tok
            prec = self.PRECEDENCE.get(tok.text) if tok.kind in ("op", "name") else None
            if prec is None or prec < min_prec or (prec == 4 and compared):
                return left  # no chained comparisons: a < b < c stops at the second <
            self.operator()
            right = self.parse_binary(prec + 1)
            left = n.BinOp(tok.text, left, right, self.span(start, self.last_end))
            compared = prec == 4

    def parse_unary(self):
        if self.tok.kind == "op" and self.tok.text in "+-":
            tok = self.operator()
            operand = self.parse_unary()
            return n.Unary(tok.text, operand, self.span(tok.pos, self.last_end))
        return self.parse_power()

    def parse_power(self):
        start = self.tok.pos
        base = self.parse_atom()
        if self.at("**"):
            self.operator()
            exponent = self.parse_unary()
            return n.BinOp("**", base, exponent, self.span(start, self.last_end))
        return base

    def parse_atom(self):
        tok = self.tok
        span = self.span(tok.pos, tok.end)
        if tok.kind == "number":
            self.advance()
            if any(c in tok.text for c in ".eE"):
                return n.Float(float(tok.text), span)
            return n.Num(self.integer(tok), span)
        if tok.kind == "string":
            self.advance()
            return n.Str(tok.text[1:-1], span)
        if tok.kind == "name":
            if tok.text in ("True", "False", "None"):
                self.advance()
                return n.Const({"True": True, "False": False, "None": None}[tok.text], span)
            if tok.text in KEYWORDS:
                raise self.unexpected("a value")
            self.refuse_python(tok)
            if self.peek().text == "(" and self.layer_argument(tok.text):
                return self.parse_call()  # a layer object as an argument: TransformerEncoder(TransformerEncoderLayer(64, 4), 2)
            self.advance()
            return n.Name(tok.text, span)
        if tok.kind == "op" and tok.text in "([":
            return self.parse_parenthesised()
        raise self.unexpected("a value")

    @staticmethod
    def layer_argument(name: str) -> bool:
        """A layer of the catalogue, which an argument may build (a TransformerEncoder's layer, its norm)."""
        from convcalc.layers.catalogue import lookup

        return lookup(name) is not None

    def integer(self, tok: Token) -> int:
        """Python refuses to convert more than 4,300 digits; convcalc has no use for over 78."""
        if len(tok.text) > MAX_DIGITS:
            raise error(f"a number of {len(tok.text):,} digits; numbers go up to 2**256 ({MAX_DIGITS} digits)",
                        self.src, tok.pos, tok.end)
        return int(tok.text)

    def refuse_python(self, tok: Token) -> None:
        """Python that a student may paste into an argument, refused with a message that says why."""
        after = self.peek()
        if tok.text == "lambda":
            message, end = "lambda is not part of the description language", tok.end
        elif after.kind == "string" and after.pos == tok.end:
            message, end = f"{tok.text}'...' strings are not part of the description language; write a plain " \
                           "string", after.end
        elif after.kind == "op" and after.text == "(" and self.layer_argument(tok.text):
            return
        elif after.kind == "op" and after.text == "(":
            message, end = f"{tok.text}(...): only layers are called, each as a statement of its own", after.end
        elif after.kind == "op" and after.text == ".":
            attribute = self.tokens[min(self.i + 2, len(self.tokens) - 1)]
            end = attribute.end if attribute.kind == "name" else after.end
            message = f"{self.src[tok.pos:end]}: attribute access is not part of the description language"
        else:
            return
        raise error(message, self.src, tok.pos, end)

    def parse_parenthesised(self):
        open_tok = self.advance()
        close = ")" if open_tok.text == "(" else "]"
        items, trailing_comma = [], False
        while not self.at(close):
            if len(items) == MAX_TUPLE:
                raise error(f"a tuple of more than {MAX_TUPLE} items (a layer's settings have one per dimension)",
                            self.src, self.tok.pos, self.tok.end)
            items.append(self.parse_expr())
            trailing_comma = bool(self.accept(","))
            if not trailing_comma:
                break
        self.expect(close, f"',' or {close!r}")
        span = self.span(open_tok.pos, self.last_end)
        if open_tok.text == "(" and len(items) == 1 and not trailing_comma:
            return items[0]
        return n.TupleExpr(tuple(items), span)


@deep_stack
def parse(src: str, path: str = "<expr>") -> n.Program:
    return Parser(src, path).parse_program()
