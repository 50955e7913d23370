"""The tree-walking interpreter of checked expressions (never ``eval``)."""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator, Mapping
from typing import Any

from colmind.expr.arith import BINARY, COMPARE, UNARY, check_int
from colmind.expr.errors import ExprError
from colmind.expr.functions import FUNCTIONS, Bounded, call_method
from colmind.expr.limits import Limits

_SUBSCRIPTABLE = (dict, list, tuple, str, range)


class Interpreter:
    """Evaluates one expression tree against a mapping of variables, counting steps."""

    def __init__(self, text: str, variables: Mapping[str, Any], limits: Limits) -> None:
        self.text = text
        self.scopes: list[Mapping[str, Any]] = [variables]
        self.limits = limits
        self.steps = 0

    def run(self, node: ast.AST) -> Any:
        try:
            return self.eval(node)
        except ExprError:
            raise
        except Bounded as exc:
            raise ExprError(self.text, str(exc)) from None
        except RecursionError:
            raise ExprError(self.text, "too deeply nested") from None
        except ZeroDivisionError:
            raise ExprError(self.text, "division by zero") from None
        except (TypeError, ValueError, KeyError, IndexError, ArithmeticError, AttributeError) as exc:
            raise ExprError(self.text, f"{type(exc).__name__}: {exc}") from None

    def tick(self) -> None:
        self.steps += 1
        if self.steps > self.limits.max_steps:
            raise Bounded(f"more than {self.limits.max_steps} evaluation steps")

    def eval(self, node: ast.AST) -> Any:
        self.tick()
        method = getattr(self, "eval_" + type(node).__name__, None)
        if method is None:  # the checker admits nothing without a handler; defence in depth
            raise ExprError(self.text, f"{type(node).__name__} is not allowed")
        value = method(node)
        if isinstance(value, (str, list, tuple, dict, set)) and not isinstance(node, (ast.Name, ast.Constant)):
            self.charge(len(value))  # what is built costs steps: bounds total allocation
        return value

    def charge(self, amount: int) -> None:
        self.steps += amount
        if self.steps > self.limits.max_steps:
            raise Bounded(f"more than {self.limits.max_steps} evaluation steps (or items built)")

    def eval_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def eval_Name(self, node: ast.Name) -> Any:
        for scope in reversed(self.scopes):
            if node.id in scope:
                return scope[node.id]
        raise ExprError(self.text, f"unknown name {node.id!r}")

    def eval_List(self, node: ast.List) -> list[Any]:
        return [self.eval(e) for e in node.elts]

    def eval_Tuple(self, node: ast.Tuple) -> tuple[Any, ...]:
        return tuple(self.eval(e) for e in node.elts)

    def eval_Set(self, node: ast.Set) -> set[Any]:
        return {self.eval(e) for e in node.elts}

    def eval_Dict(self, node: ast.Dict) -> dict[Any, Any]:
        if any(k is None for k in node.keys):
            raise ExprError(self.text, "** in a dict display is not allowed")
        return {self.eval(k): self.eval(v) for k, v in zip(node.keys, node.values, strict=True)}  # type: ignore[arg-type]

    def eval_BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.eval(node.left), self.eval(node.right)
        handler = BINARY.get(type(node.op))
        if handler is None:
            raise ExprError(self.text, f"operator {type(node.op).__name__} is not allowed")
        return check_int(self.limits, handler(self.limits, left, right))

    def eval_UnaryOp(self, node: ast.UnaryOp) -> Any:
        handler = UNARY.get(type(node.op))
        if handler is None:
            raise ExprError(self.text, f"operator {type(node.op).__name__} is not allowed")
        return handler(self.eval(node.operand))

    def eval_BoolOp(self, node: ast.BoolOp) -> Any:
        value: Any = None
        for item in node.values:
            value = self.eval(item)
            if isinstance(node.op, ast.And) and not value:
                return value
            if isinstance(node.op, ast.Or) and value:
                return value
        return value

    def eval_Compare(self, node: ast.Compare) -> bool:
        left = self.eval(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.eval(comparator)
            if not COMPARE[type(op)](left, right):
                return False
            left = right
        return True

    def eval_IfExp(self, node: ast.IfExp) -> Any:
        return self.eval(node.body) if self.eval(node.test) else self.eval(node.orelse)

    def eval_Subscript(self, node: ast.Subscript) -> Any:
        value = self.eval(node.value)
        if not isinstance(value, _SUBSCRIPTABLE):
            raise ExprError(self.text, f"cannot index a {type(value).__name__}")
        return value[self.eval(node.slice)]

    def eval_Slice(self, node: ast.Slice) -> slice:
        parts = [None if p is None else self.eval(p) for p in (node.lower, node.upper, node.step)]
        return slice(*parts)

    def eval_Call(self, node: ast.Call) -> Any:
        args = [self.eval(a) for a in node.args]
        kwargs = {kw.arg: self.eval(kw.value) for kw in node.keywords if kw.arg}
        if isinstance(node.func, ast.Name):
            return check_int(self.limits, FUNCTIONS[node.func.id](self.limits, *args, **kwargs))
        assert isinstance(node.func, ast.Attribute)
        return call_method(self.limits, self.eval(node.func.value), node.func.attr, args, kwargs)

    def eval_ListComp(self, node: ast.ListComp) -> list[Any]:
        return self._collect(node, [self.eval(node.elt) for _ in self._loops(node.generators)])

    def eval_GeneratorExp(self, node: ast.GeneratorExp) -> list[Any]:
        return self._collect(node, [self.eval(node.elt) for _ in self._loops(node.generators)])

    def eval_SetComp(self, node: ast.SetComp) -> set[Any]:
        return {self.eval(node.elt) for _ in self._loops(node.generators)}

    def eval_DictComp(self, node: ast.DictComp) -> dict[Any, Any]:
        return {self.eval(node.key): self.eval(node.value) for _ in self._loops(node.generators)}

    def _collect(self, node: ast.AST, items: list[Any]) -> list[Any]:
        if len(items) > self.limits.max_items:
            raise Bounded(f"more than {self.limits.max_items} items")
        return items

    def _loops(self, generators: list[ast.comprehension], depth: int = 0) -> Iterator[None]:
        """Bind each generator's target in a fresh scope, nested, honouring the ``if`` clauses."""
        if depth == len(generators):
            yield None
            return
        gen = generators[depth]
        iterable = self.eval(gen.iter)
        if not isinstance(iterable, (list, tuple, range, str, set, dict)):
            raise ExprError(self.text, f"cannot loop over a {type(iterable).__name__}")
        scope: dict[str, Any] = {}
        self.scopes.append(scope)
        try:
            for item in itertools.islice(iterable, self.limits.max_items + 1):
                self.tick()
                self._bind(gen.target, item, scope)
                if all(self.eval(cond) for cond in gen.ifs):
                    yield from self._loops(generators, depth + 1)
        finally:
            self.scopes.pop()

    def _bind(self, target: ast.AST, value: Any, scope: dict[str, Any]) -> None:
        if isinstance(target, ast.Name):
            scope[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = list(value)
            if len(values) != len(target.elts):
                raise ExprError(self.text, "cannot unpack: wrong number of values")
            for sub, item in zip(target.elts, values, strict=True):
                self._bind(sub, item, scope)
        else:
            raise ExprError(self.text, "a loop variable must be a name or a tuple of names")
