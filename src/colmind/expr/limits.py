"""Size bounds of the expression language (one object, passed down; defaults are generous for
explore values and tight enough that no text can exhaust memory or time)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_text: int = 4000  # characters of expression text
    max_nodes: int = 600  # AST nodes
    max_items: int = 100_000  # length of any list/str/range built
    max_int_bits: int = 4096  # size of any integer produced (about 1,233 digits)
    max_steps: int = 2_000_000  # evaluation steps (node visits, loop iterations)


DEFAULT_LIMITS = Limits()
