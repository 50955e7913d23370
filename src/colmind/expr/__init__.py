"""colmind's one safe expression language.

Used for experiment explore values (``--explore.V=[2**i for i in range(6)]``), the playground's
filters and derived metrics (``result['Result'] / result['Result_Power']``) and tuning
constraints. Text is parsed with :mod:`ast`, checked against a whitelist of node types, then
interpreted by our own tree walker: nothing is ever given to ``eval`` or ``exec``.

What it accepts: literals (numbers, strings, ``True``/``False``/``None``), lists, tuples, sets and
dicts, arithmetic (``+ - * / // % **``), comparisons (also ``in``/``not in``, chained),
``and``/``or``/``not``, ``a if c else b``, subscripts and slices (``result['K']``, ``a[1:]``),
list/set/dict comprehensions and generator expressions, calls of a small list of functions
(:data:`colmind.expr.functions.FUNCTIONS`) and a few methods of strings and dicts
(``.lower()``, ``.startswith()``, ``.get()``...). Names are only the variables the caller
supplies and comprehension variables. Sizes are bounded (text, nodes, collection lengths,
integer sizes, evaluation steps). Anything else is an :class:`ExprError` whose message names
the expression.

API::

    from colmind.expr import ExprError, compile_expr, evaluate, compile_assignments
    expr = compile_expr("x * 2", names={"x"})      # parse + check (ExprError)
    expr.evaluate({"x": 21})                          # 42
    expr.names                                        # frozenset({'x'})
    evaluate("[2**i for i in range(0,6)]")            # [1, 2, 4, 8, 16, 32]
    prog = compile_assignments("result['PpW'] = result['Result'] / result['Power']")
    prog.apply({"Result": 10.0, "Power": 2.0})        # {'Result': 10.0, 'Power': 2.0, 'PpW': 5.0}
"""

from __future__ import annotations

from colmind.expr.checker import Limits, compile_expr, evaluate
from colmind.expr.errors import ExprError
from colmind.expr.program import Assignments, compile_assignments

__all__ = ["Assignments", "ExprError", "Limits", "compile_assignments", "compile_expr", "evaluate"]
