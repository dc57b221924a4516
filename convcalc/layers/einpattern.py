"""einops' shape language, followed as einops 0.8 reads it: a pattern ``'b c (h p1) (w p2) -> b
(h w) (p1 p2 c)'`` whose left side names the input's axes (a parenthesised group is one axis
composed of several, ``...`` any number of axes, a number an axis of that size, ``1`` or ``()``
an axis of size 1) and whose right side says where each goes; the sizes not seen in the input
come as ``axes_lengths``. :func:`transform` gives the output's shape from the input's, and each
refusal is einops' own (its words and its numbers: :class:`EinopsProblem`).

The sizes may be ints, symbolic sizes (convcalc/symbolic/dims.py) or :data:`BATCH`, the batch
convcalc leaves open: it may only stay an axis of its own (a composition or a decomposition of
it, or its reduction, is a :class:`BatchMoved`); the operations of operations.py that use this
check that it stays first.
"""
from __future__ import annotations

from typing import Optional

from convcalc.symbolic import dims

ELLIPSIS = "\u2026"  # einops' own stand-in for "..." (one character)
REDUCTIONS = ("min", "max", "sum", "mean", "prod", "any", "all")
MAX_PATTERN = 1000  # characters of one pattern (a model's patterns are a few dozen)


class _Batch:
    def __repr__(self):
        return "B"


BATCH = _Batch()


class EinopsProblem(Exception):
    """A pattern or shape einops refuses: ``message`` in einops' words; ``undecided``: it depends
    on a symbolic size."""

    def __init__(self, message: str, undecided: bool = False):
        super().__init__(message)
        self.message = message
        self.undecided = undecided


class BatchMoved(Exception):
    """The pattern composes, splits, reduces or moves the batch: convcalc follows one sample."""


class Anonymous:
    """An axis given by its size (``2``): each one distinct, as einops has it."""

    def __init__(self, text: str):
        self.value = int(text)
        if self.value <= 1:
            if self.value == 1:
                raise EinopsProblem("No need to create anonymous axis of length 1. Report this as an issue")
            raise EinopsProblem(f"Anonymous axis should have positive length, not {self.value}")

    def __repr__(self):
        return f"{self.value}-axis"


def axis_name_problem(name: str) -> Optional[str]:
    """Why ``name`` is not an axis name einops takes, or None."""
    if not name.isidentifier():
        return "not a valid python identifier"
    if name[0] == "_" or name[-1] == "_":
        return "axis name should should not start or end with underscore"  # sic, einops' words
    return None


class Side:
    """One side of a pattern: ``composition`` a list of groups (lists of axes; ELLIPSIS alone for
    ``...`` outside brackets), its identifiers, and what einops checks of it."""

    def __init__(self, expression: str):
        self.has_ellipsis = False
        self.ellipsis_parenthesized: Optional[bool] = None
        self.identifiers: set = set()
        self.non_unitary_anonymous = False
        self.composition: list = []
        if "." in expression:
            if "..." not in expression:
                raise EinopsProblem("Expression may contain dots only inside ellipsis (...)")
            if expression.count("...") != 1 or expression.count(".") != 3:
                raise EinopsProblem("Expression may contain dots only inside ellipsis (...); only one ellipsis for "
                                    "tensor ")
            expression = expression.replace("...", ELLIPSIS)
            self.has_ellipsis = True
        group: Optional[list] = None
        current: Optional[str] = None
        for char in expression:
            if char in "() ":
                if current is not None:
                    self.add(current, group)
                current = None
                if char == "(":
                    if group is not None:
                        raise EinopsProblem("Axis composition is one-level (brackets inside brackets not allowed)")
                    group = []
                elif char == ")":
                    if group is None:
                        raise EinopsProblem("Brackets are not balanced")
                    self.composition.append(group)
                    group = None
            elif char.isalnum() or char in ("_", ELLIPSIS):
                current = char if current is None else current + char
            else:
                raise EinopsProblem(f"Unknown character '{char}'")
        if group is not None:
            raise EinopsProblem(f'Imbalanced parentheses in expression: "{expression}"')
        if current is not None:
            self.add(current, group)

    def add(self, name: str, group: Optional[list]) -> None:
        if name in self.identifiers:
            raise EinopsProblem(f'Indexing expression contains duplicate dimension "{name}"')
        if name == ELLIPSIS:
            self.identifiers.add(ELLIPSIS)
            if group is None:
                self.composition.append(ELLIPSIS)
                self.ellipsis_parenthesized = False
            else:
                group.append(ELLIPSIS)
                self.ellipsis_parenthesized = True
            return
        number = name.isdecimal()
        if number and int(name) == 1:
            if group is None:
                self.composition.append([])  # an axis of size 1; inside brackets it changes nothing
            return
        problem = None if number else axis_name_problem(name)
        if problem is not None:
            raise EinopsProblem(f"Invalid axis identifier: {name}\n{problem}")
        axis = Anonymous(name) if number else name
        self.identifiers.add(axis)
        self.non_unitary_anonymous |= number
        if group is None:
            self.composition.append([axis])
        else:
            group.append(axis)


def parse(pattern, kind: str, names: tuple) -> tuple:
    """(left, right) of ``pattern``, checked as einops checks it before it sees a tensor (a layer
    does this, and check_names, when it is built): ``kind`` rearrange, repeat or a reduction;
    ``names`` the axes given sizes."""
    if not isinstance(pattern, str):
        raise EinopsProblem(f"the pattern must be a string, not {type(pattern).__name__}")
    if len(pattern) > MAX_PATTERN:
        raise EinopsProblem(f"a pattern of {len(pattern):,} characters (convcalc reads at most {MAX_PATTERN:,})")
    sides = pattern.split("->")
    if len(sides) != 2:  # Python's own words: einops unpacks the split
        raise EinopsProblem(f"ValueError: {'not enough' if len(sides) < 2 else 'too many'} values to unpack "
                            f"(expected 2{', got 1' if len(sides) < 2 else ''})")
    left, right = Side(sides[0]), Side(sides[1])
    if not left.has_ellipsis and right.has_ellipsis:
        raise EinopsProblem(f"Ellipsis found in right side, but not left side of a pattern {pattern}")
    if left.has_ellipsis and left.ellipsis_parenthesized:
        raise EinopsProblem(f"Ellipsis inside parenthesis in the left side is not allowed: {pattern}")
    if kind == "rearrange":
        if left.non_unitary_anonymous or right.non_unitary_anonymous:
            raise EinopsProblem("Non-unitary anonymous axes are not supported in rearrange (exception is length 1)")
        difference = left.identifiers ^ right.identifiers
        if difference:
            raise EinopsProblem(f"Identifiers only on one side of expression (should be on both): {shown(difference)}")
    elif kind == "repeat":
        difference = left.identifiers - right.identifiers
        if difference:
            raise EinopsProblem(f"Unexpected identifiers on the left side of repeat: {shown(difference)}")
        without = {a for a in right.identifiers if not isinstance(a, Anonymous)} - left.identifiers - set(names)
        if without:
            raise EinopsProblem(f"Specify sizes for new axes in repeat: {shown(without)}")
    elif kind in REDUCTIONS:
        difference = right.identifiers - left.identifiers
        if difference:
            raise EinopsProblem(f"Unexpected identifiers on the right side of reduce {kind}: {shown(difference)}")
    else:
        raise EinopsProblem(f"Unknown reduction {kind}. Expect one of {REDUCTIONS}.")
    return left, right


def check_names(names, left: Side, right: Side) -> None:
    """The axes given sizes, in order: each a valid name, and an axis of the pattern."""
    for name in names:
        if not isinstance(name, str) or axis_name_problem(name) is not None:
            raise EinopsProblem(f"('Invalid name for an axis', {name!r})")
        if name not in left.identifiers and name not in right.identifiers:
            raise EinopsProblem(f"Axis {name} is not used in transform")


def shown(axes: set) -> str:
    """A set of axes as einops prints it ({'h', 'w'}), in a stable order."""
    return "{" + ", ".join(repr(a) if isinstance(a, str) else str(a) for a in sorted(axes, key=str)) + "}"


class Recipe:
    """What einops does to a tensor, axis by axis: ``left`` the elementary axes of the input in
    order (a composition split, ``...`` expanded), ``lengths`` each axis' size, ``right`` the
    output's groups of elementary axes; the axes of ``left`` missing from ``right`` are reduced,
    those of ``right`` missing from ``left`` added (repeat)."""

    def __init__(self, left: list, lengths: dict, right: list):
        self.left, self.lengths, self.right = left, lengths, right

    @property
    def shape(self) -> tuple:
        return tuple(multiply([self.lengths[a] for a in group]) for group in self.right)

    @property
    def reduced(self) -> list:
        kept = {a for group in self.right for a in group}
        return [a for a in self.left if a not in kept]


def transform(kind: str, pattern, axes_lengths: tuple, shape: tuple) -> tuple:
    """The output shape of ``einops.<kind>(x, pattern, **axes_lengths)`` (kind: rearrange, repeat,
    or a reduction's name) on a tensor of ``shape``."""
    return recipe(kind, pattern, axes_lengths, shape).shape


def recipe(kind: str, pattern, axes_lengths: tuple, shape: tuple) -> Recipe:
    """einops' recipe for a tensor of ``shape``, its sizes worked out as einops works them out."""
    lengths_given = dict(axes_lengths)
    left, right = parse(pattern, kind, tuple(lengths_given))
    ndim = len(shape)
    if left.has_ellipsis:
        others = len(left.composition) - 1
        if ndim < others:
            raise EinopsProblem(f"Wrong shape: expected >={others} dims. Received {ndim}-dim tensor.")
        ell = [f"{ELLIPSIS}{i}" for i in range(ndim - others)]
        left_groups: list = []
        for group in left.composition:
            left_groups.extend([[a] for a in ell] if group == ELLIPSIS else [group])
        right_groups = []
        for group in right.composition:
            if group == ELLIPSIS:
                right_groups.extend([[a] for a in ell])
            else:
                right_groups.append([x for a in group for x in (ell if a == ELLIPSIS else [a])])
        left_ids = (left.identifiers - {ELLIPSIS}) | set(ell)
        right_ids = (right.identifiers - {ELLIPSIS}) | set(ell) if right.has_ellipsis else right.identifiers
    else:
        if ndim != len(left.composition):
            raise EinopsProblem(f"Wrong shape: expected {len(left.composition)} dims. Received {ndim}-dim tensor.")
        left_groups, right_groups = left.composition, right.composition
        left_ids, right_ids = left.identifiers, right.identifiers
    check_names(tuple(lengths_given), left, right)
    known: dict = {}
    for group in left_groups:
        for axis in group:
            known[axis] = axis.value if isinstance(axis, Anonymous) else None
    for group in right_groups:
        for axis in group:
            if axis not in known:
                known[axis] = axis.value if isinstance(axis, Anonymous) else None
    known.update(lengths_given)
    for group in left_groups:
        unknown = {a for a in group if known[a] is None}
        if len(unknown) > 1:
            raise EinopsProblem(f"Could not infer sizes for {shown(unknown)}")
    for group, length in zip(left_groups, shape):
        unknown = [a for a in group if known[a] is None]
        factors = [known[a] for a in group if known[a] is not None]
        if unknown and not factors:
            known[unknown[0]] = length
        elif not unknown:
            check_equal(length, multiply(factors))  # () or 1: a size of 1
        else:
            known[unknown[0]] = divide(length, multiply(factors))
    if kind in REDUCTIONS and any(known[a] is BATCH for a in left_ids - right_ids):
        raise BatchMoved()
    return Recipe([a for group in left_groups for a in group], known, [list(group) for group in right_groups])


def multiply(factors: list):
    """The size of axes composed: their product (the batch only alone, or with axes of size 1)."""
    if any(f is BATCH for f in factors):
        if len(factors) != 1 and any(f is not BATCH and f != 1 for f in factors) or \
                sum(f is BATCH for f in factors) > 1:
            raise BatchMoved()
        return BATCH
    total = 1
    for f in factors:
        total = total * f
    return total


def check_equal(length, product) -> None:
    if length is BATCH or product is BATCH:
        if length is not product:
            raise BatchMoved()
        return
    if dims.is_symbolic(length) or dims.is_symbolic(product):
        if length != product:
            raise EinopsProblem(f"Shape mismatch, {dims.render(length)} != {dims.render(product)} for some input "
                                "sizes", undecided=True)
        return
    if length != product:
        raise EinopsProblem(f"Shape mismatch, {length} != {product}")


def divide(length, product):
    """The size of the one axis of a composition einops infers: the composition's size over the
    others' (exactly)."""
    if length is BATCH or product is BATCH:
        if product == 1:
            return length
        raise BatchMoved()
    if not dims.is_symbolic(length) and not dims.is_symbolic(product):
        if product == 0 or length % product != 0:
            raise EinopsProblem(f"Shape mismatch, can't divide axis of length {length} in chunks of {product}")
        return length // product
    quotient = dims.exact_quotient(length, product)
    if quotient is None:
        raise EinopsProblem(f"Shape mismatch, an axis of length {dims.render(length)} divides in chunks of "
                            f"{dims.render(product)} only for some input sizes", undecided=True)
    return quotient
