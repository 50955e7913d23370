"""Free variable names of a checked expression (comprehension variables are bound locally)."""

from __future__ import annotations

import ast


def _targets(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _comprehension(node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp, bound: frozenset[str]) -> set[str]:
    found: set[str] = set()
    inner = set(bound)
    for gen in node.generators:
        found |= _scan(gen.iter, frozenset(inner))
        inner |= _targets(gen.target)
        for cond in gen.ifs:
            found |= _scan(cond, frozenset(inner))
    parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
    for part in parts:
        found |= _scan(part, frozenset(inner))
    return found


def _scan(node: ast.AST, bound: frozenset[str]) -> set[str]:
    if isinstance(node, ast.Name):
        return set() if node.id in bound else {node.id}
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        return _comprehension(node, bound)
    found: set[str] = set()
    for child in ast.iter_child_nodes(node):
        if isinstance(node, ast.Call) and child is node.func and isinstance(child, ast.Name):
            continue  # a function name, not a variable
        found |= _scan(child, bound)
    return found


def free_names(tree: ast.AST) -> frozenset[str]:
    return frozenset(_scan(tree, frozenset()))
