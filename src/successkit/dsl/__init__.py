"""The playbook language: ``when <indicator> then <action>`` rules compiled to numpy.

Each stage is a function you can call on its own: :func:`parse_rules` (text → syntax
tree), :func:`check` (names and types against a schema), :func:`compile_node` (syntax →
numpy closures) and :meth:`Playbook.evaluate` (→ :class:`CTAs`); :class:`Playbook` chains
them. Arithmetic expressions on their own (health metric sources) use
:func:`parse_expression` and :func:`evaluate_expression`.
"""

from successkit.dsl import ast
from successkit.dsl._parser import grammar_text, parse_condition, parse_rules
from successkit.dsl.check import check
from successkit.dsl.compile import compile_node
from successkit.dsl.cta import CTA, CTAs
from successkit.dsl.expression import evaluate_expression, expression_names, parse_expression
from successkit.dsl.format import format_literal, format_name, format_node
from successkit.dsl.playbook import Playbook
from successkit.dsl.replay import ReplayResult, RuleReplay

__all__ = [
    "CTA",
    "CTAs",
    "Playbook",
    "ReplayResult",
    "RuleReplay",
    "ast",
    "check",
    "compile_node",
    "evaluate_expression",
    "expression_names",
    "format_literal",
    "format_name",
    "format_node",
    "grammar_text",
    "parse_condition",
    "parse_expression",
    "parse_rules",
]
