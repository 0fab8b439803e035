"""Accounts, portfolios (columnar snapshots) and histories (snapshots over time)."""

from successkit.data.account import Account
from successkit.data.column import Column
from successkit.data.history import History
from successkit.data.kinds import Kind, Schema
from successkit.data.portfolio import Portfolio

__all__ = ["Account", "Column", "History", "Kind", "Portfolio", "Schema"]
