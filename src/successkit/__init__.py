"""successkit: customer-success analytics as a library.

Health and touch scores, success roadmaps and playbook rules (``when <indicator> then
<action>``) computed over whole portfolios with numpy.
"""

from successkit.data import Account, Column, History, Kind, Portfolio, Schema
from successkit.errors import (
    DataError,
    ModelError,
    RuleError,
    RuleNameError,
    RuleSyntaxError,
    RuleTypeError,
    SuccesskitError,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "Account",
    "Column",
    "DataError",
    "History",
    "Kind",
    "ModelError",
    "Portfolio",
    "RuleError",
    "RuleNameError",
    "RuleSyntaxError",
    "RuleTypeError",
    "Schema",
    "SuccesskitError",
    "__version__",
]
