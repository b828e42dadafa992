"""Safe analytic expressions of t, x, y, z, T and named fields (case files, Python).

An expression such as ``"100*sin(pi*t/40)"`` or ``"300 + 2e4*x*(1 - x/0.1)"`` is parsed
with Python's :mod:`ast` into a tree that may contain only

* numbers, the constants ``pi`` and ``e``;
* the variables the caller allows (``t`` in s, ``x``, ``y``, ``z`` in m, ``T`` in K, and
  the names of fields read from files);
* ``+ - * / **``, unary ``-``/``+``;
* the functions of :data:`FUNCTIONS` (``sin``, ``exp``, ``sqrt``, ``min``, ``max``,
  ``ifelse(condition, a, b)`` …) with the right number of positional arguments;
* comparisons (``<``, ``<=``, ``>``, ``>=``) and ``and``/``or`` inside the condition of
  ``ifelse``.

Nothing else (attributes, subscripts, keywords, strings, lambdas, other names) is
accepted, and nothing is ever passed to :func:`eval`: the tree is compiled into Python
closures that evaluate it with NumPy (arrays of points, :meth:`Expression.numpy`) or
build the same expression in UFL (:meth:`Expression.ufl`, differentiated by Newton
where it depends on T).  A bad expression raises
:class:`~fe_interface.errors.InputError` naming the problem and where it is
(``unknown name 'tt' at column 9 of "100*sin(pi*tt/40)"; did you mean 't'?``).

:meth:`Expression.table` makes a piecewise-linear table of one variable the same kind of
object (constant beyond its ends).
"""

from __future__ import annotations

import ast
import difflib
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fe_interface.errors import InputError
from fe_interface.model.validation import is_real

__all__ = ["CONSTANTS", "FUNCTIONS", "VARIABLES", "Expression"]

#: the variables of case-file expressions and their units
VARIABLES = {"t": "s", "x": "m", "y": "m", "z": "m", "T": "K"}
#: named constants
CONSTANTS = {"pi": math.pi, "e": math.e}
#: function name -> number of arguments
FUNCTIONS = {
    "sin": 1, "cos": 1, "tan": 1, "asin": 1, "acos": 1, "atan": 1, "atan2": 2,
    "sinh": 1, "cosh": 1, "tanh": 1, "exp": 1, "log": 1, "log10": 1, "sqrt": 1,
    "abs": 1, "min": 2, "max": 2, "pow": 2, "erf": 1, "ifelse": 3,
}  # fmt: skip
_MAX_LENGTH = 2000
_MAX_NODES = 400

_BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
_COMPARE = {ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge"}


# --------------------------------------------------------------------------------------
# backends: the operations in NumPy and in UFL
# --------------------------------------------------------------------------------------
def _numpy_ops() -> dict[str, Callable[..., Any]]:
    ops: dict[str, Callable[..., Any]] = {
        name: getattr(np, name)
        for name in ("sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "log", "log10", "sqrt")
    }
    from scipy.special import erf

    ops.update(
        asin=np.arcsin, acos=np.arccos, atan=np.arctan, atan2=np.arctan2, abs=np.abs,
        min=np.minimum, max=np.maximum, pow=np.power, erf=erf,
        ifelse=lambda c, a, b: np.where(c, a, b),
        add=np.add, sub=np.subtract, mul=np.multiply, div=np.divide, neg=np.negative,
        lt=np.less, le=np.less_equal, gt=np.greater, ge=np.greater_equal,
        and_=np.logical_and, or_=np.logical_or,
    )  # fmt: skip
    return ops


def _ufl_ops() -> dict[str, Callable[..., Any]]:
    import ufl

    ops: dict[str, Callable[..., Any]] = {
        name: getattr(ufl, name)
        for name in ("sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "sqrt", "erf")
    }
    ops.update(
        asin=ufl.asin, acos=ufl.acos, atan=ufl.atan, atan2=ufl.atan2, abs=abs, log=ufl.ln,
        log10=lambda a: ufl.ln(a) / math.log(10.0), min=ufl.min_value, max=ufl.max_value,
        pow=lambda a, b: a**b, ifelse=ufl.conditional,
        add=lambda a, b: a + b, sub=lambda a, b: a - b, mul=lambda a, b: a * b,
        div=lambda a, b: a / b, neg=lambda a: -a,
        lt=ufl.lt, le=ufl.le, gt=ufl.gt, ge=ufl.ge, and_=ufl.And, or_=ufl.Or,
    )  # fmt: skip
    return ops


_BACKENDS: dict[str, dict[str, Callable[..., Any]]] = {}


def _backend(name: str) -> dict[str, Callable[..., Any]]:
    if name not in _BACKENDS:
        _BACKENDS[name] = _numpy_ops() if name == "numpy" else _ufl_ops()
    return _BACKENDS[name]


# a compiled node: (ops, variables) -> value
_Node = Callable[[Mapping[str, Callable[..., Any]], Mapping[str, Any]], Any]


# --------------------------------------------------------------------------------------
# the compiler: ast -> closures, every node checked
# --------------------------------------------------------------------------------------
class _Compiler:
    """Compile a parsed expression, recording the names it uses."""

    def __init__(self, text: str, allowed: Sequence[str], what: str) -> None:
        self.text = text
        self.allowed = list(allowed)
        self.what = what
        self.used: set[str] = set()
        self.nodes = 0

    def fail(self, node: ast.AST | None, msg: str, hint: str = "") -> InputError:
        """The error ``msg`` at ``node``'s column of the expression, then ``hint``."""
        col = getattr(node, "col_offset", None)
        where = f" at column {col + 1}" if col is not None else ""
        return InputError(f"{self.what}: {msg}{where} of {self.text!r}{hint}")

    def value(self, node: ast.AST) -> _Node:
        """A node that yields a number (not a condition)."""
        self.nodes += 1
        if self.nodes > _MAX_NODES:
            raise self.fail(None, f"too long (more than {_MAX_NODES} terms)")
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            op = _BINARY[type(node.op)]
            a, b = self.value(node.left), self.value(node.right)
            return lambda ops, env: ops[op](a(ops, env), b(ops, env))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            a = self.value(node.operand)
            if isinstance(node.op, ast.UAdd):
                return a
            return lambda ops, env: ops["neg"](a(ops, env))
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, (ast.Compare, ast.BoolOp)):
            raise self.fail(node, "a comparison is only allowed as the condition of ifelse()")
        raise self.fail(node, f"{_describe(node)} is not allowed")

    def condition(self, node: ast.AST) -> _Node:
        """A node that yields a condition (comparison, and/or of comparisons)."""
        self.nodes += 1
        if isinstance(node, ast.Compare):
            if len(node.ops) != 1 or type(node.ops[0]) not in _COMPARE:
                raise self.fail(node, "use one comparison <, <=, > or >= (a < b, not a < b < c)")
            op = _COMPARE[type(node.ops[0])]
            a, b = self.value(node.left), self.value(node.comparators[0])
            return lambda ops, env: ops[op](a(ops, env), b(ops, env))
        if isinstance(node, ast.BoolOp):
            op = "and_" if isinstance(node.op, ast.And) else "or_"
            parts = [self.condition(v) for v in node.values]

            def combine(ops: Mapping[str, Callable[..., Any]], env: Mapping[str, Any]) -> Any:
                out = parts[0](ops, env)
                for p in parts[1:]:
                    out = ops[op](out, p(ops, env))
                return out

            return combine
        raise self.fail(node, "the condition of ifelse() must be a comparison (a < b, ...)")

    def _constant(self, node: ast.Constant) -> _Node:
        v: Any = node.value
        if not is_real(v):
            raise self.fail(node, f"{v!r} is not a number")
        x = float(v)
        if not math.isfinite(x):
            raise self.fail(node, f"the number {v!r} is not finite")
        return lambda ops, env: x

    def _name(self, node: ast.Name) -> _Node:
        n = node.id
        if n in CONSTANTS:
            c = CONSTANTS[n]
            return lambda ops, env: c
        if n not in self.allowed:
            if n in FUNCTIONS:
                raise self.fail(node, f"{n!r} is a function: call it, {n}(...)")
            known = [*self.allowed, *CONSTANTS]
            close = difflib.get_close_matches(n, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise self.fail(node, f"unknown name {n!r}", f"{hint} (names: {', '.join(known)})")
        self.used.add(n)
        return lambda ops, env: env[n]

    def _call(self, node: ast.Call) -> _Node:
        fn = node.func
        if not isinstance(fn, ast.Name):
            raise self.fail(node, f"{_describe(fn)} cannot be called")
        name = fn.id
        if name not in FUNCTIONS:
            close = difflib.get_close_matches(name, list(FUNCTIONS), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise self.fail(
                node, f"unknown function {name!r}", f"{hint} (functions: {', '.join(FUNCTIONS)})"
            )
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail(node, f"{name}() takes positional arguments only")
        n = FUNCTIONS[name]
        if len(node.args) != n:
            raise self.fail(node, f"{name}() takes {n} argument(s), got {len(node.args)}")
        if name == "ifelse":
            cond = self.condition(node.args[0])
            a, b = self.value(node.args[1]), self.value(node.args[2])
            return lambda ops, env: ops["ifelse"](cond(ops, env), a(ops, env), b(ops, env))
        args = [self.value(a) for a in node.args]
        return lambda ops, env: ops[name](*(a(ops, env) for a in args))


def _describe(node: ast.AST) -> str:
    names = {
        ast.Attribute: "attribute access (a.b)", ast.Subscript: "indexing (a[i])",
        ast.Lambda: "lambda", ast.List: "a list", ast.Tuple: "a tuple", ast.Dict: "a dict",
        ast.IfExp: "'a if c else b' (use ifelse(c, a, b))", ast.Mod: "'%'",
    }  # fmt: skip
    if isinstance(node, ast.BinOp):
        return f"the operator {type(node.op).__name__}"
    return names.get(type(node), type(node).__name__)


# --------------------------------------------------------------------------------------
# the expression
# --------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Expression:
    """A checked analytic expression of named variables (see the module docstring).

    Args:
        text: the expression, e.g. ``"100*sin(pi*t/40)"``.
        allowed: the variable names it may use (default ``t, x, y, z, T``); the
            constants ``pi`` and ``e`` are always known.
        what: the item in error messages (a key path).

    Raises:
        InputError: a syntax error, an unknown name or function, a construct that is not
            allowed, naming the column.
    """

    text: str
    allowed: tuple[str, ...] = tuple(VARIABLES)
    what: str = "expression"
    names: frozenset[str] = field(init=False, default=frozenset())
    _node: Any = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        text = self.text
        if not isinstance(text, str):
            raise InputError(f"{self.what}: an expression is a string, got {text!r}")
        if not text.strip():
            raise InputError(f"{self.what}: empty expression")
        if len(text) > _MAX_LENGTH:
            raise InputError(f"{self.what}: expression longer than {_MAX_LENGTH} characters")
        object.__setattr__(self, "allowed", tuple(self.allowed))
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as e:
            col = f" at column {e.offset}" if e.offset else ""
            raise InputError(f"{self.what}: syntax error{col} of {text!r}: {e.msg}") from None
        c = _Compiler(text, self.allowed, self.what)
        node = c.value(tree.body)
        object.__setattr__(self, "_node", node)
        object.__setattr__(self, "names", frozenset(c.used))

    @classmethod
    def table(
        cls, variable: str, points: Sequence[float], values: Sequence[float], what: str = "table"
    ) -> Expression:
        """A piecewise-linear table of one ``variable`` (constant beyond the ends).

        ``points`` must increase strictly; both finite.
        """
        xs = [float(v) for v in points]
        ys = [float(v) for v in values]
        if len(xs) != len(ys) or not xs:
            raise InputError(f"{what}: needs as many values as points (at least one)")
        if not all(math.isfinite(v) for v in xs + ys):
            raise InputError(f"{what}: points and values must be finite")
        if any(b <= a for a, b in itertools.pairwise(xs)):
            raise InputError(f"{what}: the points of {variable!r} must increase strictly, got {xs}")
        expr = cls.__new__(cls)
        object.__setattr__(expr, "text", f"table of {variable} ({len(xs)} points)")
        object.__setattr__(expr, "allowed", (variable,))
        object.__setattr__(expr, "what", what)
        object.__setattr__(expr, "names", frozenset({variable}))
        object.__setattr__(expr, "_node", _table_node(variable, xs, ys))
        return expr

    def uses(self, *names: str) -> bool:
        """True if the expression uses any of ``names``."""
        return any(n in self.names for n in names)

    def numpy(self, **variables: Any) -> Any:
        """The value with NumPy (numbers or arrays, broadcast); every used variable needed."""
        missing = sorted(self.names - set(variables))
        if missing:
            raise InputError(f"{self.what}: {self.text!r} needs {', '.join(missing)}")
        with np.errstate(all="ignore"):
            return self._node(_backend("numpy"), variables)

    def ufl(self, **variables: Any) -> Any:
        """The expression in UFL (variables: UFL expressions or numbers)."""
        missing = sorted(self.names - set(variables))
        if missing:
            raise InputError(f"{self.what}: {self.text!r} needs {', '.join(missing)}")
        return self._node(_backend("ufl"), variables)

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


def _table_node(variable: str, xs: list[float], ys: list[float]) -> _Node:
    """Piecewise-linear interpolation of (xs, ys) in ``variable``: NumPy or UFL."""

    def node(ops: Mapping[str, Callable[..., Any]], env: Mapping[str, Any]) -> Any:
        v = env[variable]
        if ops is _backend("numpy"):
            return np.interp(v, xs, ys)
        import ufl

        def piece(i: int) -> Any:
            if i < 0:
                return ys[0] + 0 * v
            if i >= len(xs) - 1:
                return ys[-1] + 0 * v
            slope = (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i])
            return ys[i] + slope * (v - xs[i])

        def tree(lo: int, hi: int) -> Any:
            if lo == hi:
                return piece(lo)
            mid = (lo + hi + 1) // 2
            return ufl.conditional(ufl.lt(v, xs[mid]), tree(lo, mid - 1), tree(mid, hi))

        return tree(-1, len(xs) - 1)

    return node
