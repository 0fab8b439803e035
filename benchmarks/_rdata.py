"""Reading data frames out of an R package's lazy-load database (``data/Rdata.rdb`` and
``.rdx``), without R: enough of R's XDR serialization for tables of numbers, integers,
logicals, strings and factors.

Benchmarks use it for public tables that ship in CRAN packages packaged by Debian
(``r-cran-modeldata``): Debian's package archive is reachable where CRAN is not.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import struct
import zlib
from typing import Any

import numpy as np

__all__ = ["lazy_load_table"]

# R's SEXP types and serialization codes used here.
_SYM, _LIST, _CHAR, _LGL, _INT, _REAL, _STR, _VEC = 1, 2, 9, 10, 13, 14, 16, 19
_REF, _NIL, _ALTREP = 255, 254, 238
_ENV_LIKE = {253, 252, 251, 250, 242, 241}  # global, unbound, missing arg, base, empty ...
_NA_INT = -(2**31)


class _Reader:
    def __init__(self, data: bytes) -> None:
        if data[:2] != b"X\n":
            raise ValueError("not an R XDR serialization")
        self.data, self.at = data, 2
        version = self.int()
        self.int(), self.int()  # the writer's R version, the reader's minimum
        if version == 3:
            skip = self.int()  # the native encoding's name
            self.at += skip
        self.refs: list[Any] = []

    def int(self) -> int:
        (value,) = struct.unpack_from(">i", self.data, self.at)
        self.at += 4
        return int(value)

    def length(self) -> int:
        n = self.int()
        return n if n != -1 else (self.int() << 32) + self.int()

    def item(self) -> Any:
        flags = self.int()
        kind, has_attr, has_tag = flags & 0xFF, flags & (1 << 9), flags & (1 << 10)
        if kind == _NIL or kind in _ENV_LIKE:
            return None
        if kind == _REF:
            index = flags >> 8 or self.int()
            return self.refs[index - 1]
        if kind == _SYM:
            name = self.item()
            self.refs.append(("symbol", name))
            return ("symbol", name)
        if kind == _ALTREP:
            info, state, attr = self.item(), self.item(), self.item()
            return self._with_attr(_altrep(info, state), attr)
        if kind == _LIST:  # a pairlist: attributes (not needed here), tag, value, rest
            if has_attr:
                self.item()
            tag = self.item() if has_tag else None
            pairs = [(tag[1] if tag else None, self.item())]
            rest = self.item()
            return pairs + (rest or [])
        if kind == _CHAR:
            n = self.int()
            if n == -1:
                return None
            text = self.data[self.at:self.at + n].decode("utf-8", "replace")
            self.at += n
            return text
        if kind in (_LGL, _INT):
            n = self.length()
            values: Any = np.frombuffer(self.data, ">i4", n, self.at).astype(np.int64)
            self.at += 4 * n
        elif kind == _REAL:
            n = self.length()
            values = np.frombuffer(self.data, ">f8", n, self.at).astype(np.float64)
            self.at += 8 * n
        elif kind == _STR:
            values = np.array([self.item() for _ in range(self.length())], dtype=object)
        elif kind == _VEC:
            values = [self.item() for _ in range(self.length())]
        else:
            raise ValueError(f"R type {kind} is not read here")
        if kind == _LGL:
            values = np.where(values == _NA_INT, np.nan, values.astype(float))
        return self._with_attr(values, self.item() if has_attr else None)

    @staticmethod
    def _with_attr(values: Any, attr: Any) -> Any:
        return (values, dict(attr)) if attr else values


def _altrep(info: Any, state: Any) -> Any:
    kind = info[0][1][1] if isinstance(info, list) else None
    if kind == "compact_intseq":
        n, start, step = (int(v) for v in np.asarray(state))
        return np.arange(start, start + n * step, step, dtype=np.int64)
    if kind == "compact_realseq":
        n, start, step = np.asarray(state, dtype=float)
        return start + step * np.arange(int(n))
    if kind is not None and kind.startswith("wrap_"):
        return state[0]
    if kind == "deferred_string":
        return np.asarray(state[0][1]).astype(str).astype(object)
    raise ValueError(f"ALTREP class {kind!r} is not read here")


def _decompress(chunk: bytes) -> bytes:
    """One object of the database: its length, a compression code, then the data."""
    code, body = chunk[4:5], chunk[5:]
    if code == b"Z":
        filters = [{"id": lzma.FILTER_LZMA2, "preset": 9 | lzma.PRESET_EXTREME}]
        return lzma.decompress(body, format=lzma.FORMAT_RAW, filters=filters)
    if code == b"2":
        return bz2.decompress(body)
    if code == b"0":
        return body
    return zlib.decompress(chunk[4:])  # the older layout: zlib right after the length


def _values(item: Any) -> np.ndarray:
    """A column as numpy: factor codes become their labels (NA as None)."""
    values, attr = item if isinstance(item, tuple) else (item, {})
    levels = attr.get("levels")
    if levels is not None:
        labels = np.asarray(levels[0] if isinstance(levels, tuple) else levels, dtype=object)
        codes = np.asarray(values)
        return np.where(codes > 0, labels[np.clip(codes - 1, 0, None)], None)
    values = np.asarray(values)
    if values.dtype.kind == "i":
        return np.where(values == _NA_INT, np.nan, values.astype(float))
    return values


def lazy_load_table(rdb: bytes, rdx: bytes, name: str) -> dict[str, np.ndarray]:
    """The data frame ``name`` of a lazy-load database, as column name → numpy array
    (numbers as float with NaN for NA, factors and strings as objects)."""
    index = _named(_Reader(_maybe_gunzip(rdx)).item())
    offset, size = (int(v) for v in np.asarray(index["variables"][name]))
    frame = _Reader(_decompress(rdb[offset:offset + size])).item()
    columns, attr = frame
    return {str(label): _values(column) for label, column in zip(attr["names"], columns,
                                                                  strict=True)}


def _maybe_gunzip(data: bytes) -> bytes:
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else zlib.decompress(data)


def _named(item: Any) -> dict[str, Any]:
    """A named R list as a dict (nested named lists too)."""
    values, attr = item
    out = {}
    for label, value in zip(attr["names"], values, strict=True):
        out[str(label)] = _named(value) if isinstance(value, tuple) and isinstance(
            value[0], list) else value
    return out
