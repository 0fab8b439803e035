"""Reading the columns of an event log: ids and types to codes, times to days, counts.

Each column is read once, vectorised: integer codes through their lookup table; text
through the frame library's own factorization (pandas, pyarrow; polars text and Arrow
dictionary columns through their Arrow codes) or a 64-bit hash of numpy text
(:mod:`successkit.data._text_keys`); the few distinct labels are then sorted and checked
(missing, unknown with a did-you-mean), and the rows gathered once. Errors name the
column and the first bad row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from successkit._arrays import readonly
from successkit.data._raw_values import local_times
from successkit.data._text_keys import factorize_compact
from successkit.data.convert import convert_column, convert_ids
from successkit.data.kinds import Kind
from successkit.errors import DataError, did_you_mean_suffix

__all__ = ["MAX_TOTAL", "array_of", "check_total", "codes_of", "counts_of", "days_of",
           "length_of"]


def length_of(raw: Any, name: str) -> int:
    try:
        return len(raw)
    except TypeError:
        raise DataError(f"expected a sequence of values, got {raw!r}", column=name) from None


def array_of(raw: Any) -> npt.NDArray[Any] | None:
    """``raw`` as a numpy array when it already is one (or a frame column of one), else None."""
    if isinstance(raw, np.ndarray) and not isinstance(raw, np.ma.MaskedArray):
        return raw
    arrow_kind = str(getattr(raw, "type", ""))
    if (_module(raw) == "pyarrow" and getattr(raw, "null_count", 1) == 0
            and arrow_kind.startswith(("int", "uint", "timestamp", "date32", "date64"))):
        raw = local_times(raw)
        array = np.asarray(raw.to_numpy())
        return array if array.dtype.kind in "iuM" else None
    if hasattr(raw, "to_numpy") and _module(raw) in ("pandas", "polars"):
        # Only plain numeric and datetime columns: text would become millions of objects.
        dtype = getattr(raw, "dtype", None)
        numeric = isinstance(dtype, np.dtype) and dtype.kind in "iuM"
        polars_numeric = _module(raw) == "polars" and dtype is not None and (
            dtype.is_integer() or dtype.is_temporal())
        if not (numeric or polars_numeric):
            return None
        raw = local_times(raw)
        if polars_numeric and type(dtype).__name__ in ("Int128", "UInt128"):
            raw = _int64_of_polars(raw)  # numpy has no 128-bit integers
        array = np.asarray(raw.to_numpy())
        return array if array.dtype.kind in "iuUM" else None
    return None


def _int64_of_polars(raw: Any) -> Any:
    """A polars 128-bit integer column as Int64, or a DataError when a value does not fit."""
    import polars as pl

    fits = raw.is_between(np.iinfo(np.int64).min, np.iinfo(np.int64).max) | raw.is_null()
    if not fits.all():
        row = int(np.flatnonzero(~fits.to_numpy())[0])
        raise DataError(f"integer {raw[row]} does not fit in 64 bits", column=str(raw.name),
                        row=row)
    return raw.cast(pl.Int64)


def codes_of(
    raw: Any, name: str, lookup: Sequence[Any] | None, what: str, narrow: bool = False
) -> tuple[tuple[str, ...], npt.NDArray[Any]]:
    """(sorted names, int codes) of an id-like column; integer codes index ``lookup``.

    ``narrow`` gives the codes the smallest unsigned type that holds them (event types:
    one byte a row instead of four, for a few dozen types); else they are ``int32``.
    """
    codes, out = _codes_of(raw, name, lookup, what)
    if narrow and len(codes) <= 65_536:
        small = np.uint8 if len(codes) <= 256 else np.uint16
        return codes, out.astype(small)
    return codes, out


def _codes_of(
    raw: Any, name: str, lookup: Sequence[Any] | None, what: str
) -> tuple[tuple[str, ...], npt.NDArray[Any]]:
    array = array_of(raw)
    if lookup is not None and array is not None and array.dtype.kind in "iu":
        table = _lookup(lookup, name)
        if array.size and (int(array.min()) < 0 or int(array.max()) >= len(table)):
            row = int(np.flatnonzero((array < 0) | (array >= len(table)))[0])
            raise DataError(f"{what} code {int(array[row])} is outside the lookup table of "
                            f"{len(table)}", column=name, row=row)
        names, remap = np.unique(table, return_inverse=True)
        if len(names) != len(table):
            raise DataError(f"the {what} lookup table repeats a name", column=name)
        if array.dtype == np.int32 and np.array_equal(remap, np.arange(len(table))):
            return tuple(names.tolist()), array  # sorted lookup: the codes as given, no copy
        return tuple(names.tolist()), remap.astype(np.int32)[array]
    if array is not None and array.dtype.kind in "iu":
        values, positions = np.unique(array, return_inverse=True)
        labels = values.astype(str)
        order = np.argsort(labels, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(order.shape[0])
        return tuple(labels[order].tolist()), rank.astype(np.int32)[positions.reshape(-1)]
    distinct, inverse = _factorize(raw, array, name, what)
    # Every step below works on the few distinct labels; the rows are gathered once at the
    # end (``code[inverse]``).
    if array is not None and array.dtype.kind == "U":  # factorize_compact uses every label
        used = np.ones(distinct.shape[0], dtype=np.bool_)
    else:
        used = np.bincount(inverse, minlength=distinct.shape[0]) > 0
    names, remap = np.unique(distinct[used], return_inverse=True)
    code = np.full(distinct.shape[0], -1, dtype=np.int32)
    code[used] = remap.reshape(-1)
    blank = np.char.str_len(np.char.strip(names)) == 0 if names.size else np.zeros(0, bool)
    known = [] if lookup is None else [str(v) for v in lookup]
    full = np.unique(np.asarray(known, dtype=str)) if known else np.zeros(0, str)
    found = ~blank
    if lookup is not None and known:
        position = np.searchsorted(full, names)
        nearest = full[np.minimum(position, len(full) - 1)]
        found &= np.asarray((position < len(full)) & (nearest == names), dtype=np.bool_)
    elif lookup is not None:
        found[:] = False
    if not found.all():
        # The first offending row, whether its label is missing or unknown.
        bad = np.zeros(distinct.shape[0], dtype=np.bool_)
        bad[used] = ~found[remap.reshape(-1)]
        row = int(np.flatnonzero(bad[inverse])[0])
        miss = int(code[inverse[row]])
        if blank[miss]:
            raise DataError("missing account id" if what == "account id"
                            else f"the event has no {what}", column=name, row=row)
        if lookup is not None:
            label = str(names[miss])
            hint = did_you_mean_suffix(label, known)
            if not hint and len(known) <= 12:
                hint = f"; the model knows {', '.join(known)}" if what == "touch point" else \
                    f"; the known {what}s are {', '.join(known)}"
            raise DataError(f"unknown {what} {label!r}{hint}", column=name, row=row)
    if lookup is not None:
        code[used] = np.searchsorted(full, names).astype(np.int32)[remap.reshape(-1)]
        return tuple(full.tolist()), np.take(code, inverse)
    return tuple(names.tolist()), np.take(code, inverse)


def _lookup(lookup: Sequence[Any], name: str) -> npt.NDArray[np.str_]:
    """A lookup table of names as numpy text; plain text is checked without a loop."""
    if not len(lookup):
        return np.zeros(0, str)
    table = np.asarray(lookup)
    if table.ndim == 1 and table.dtype.kind == "U":
        blank = np.char.str_len(np.char.strip(table)) == 0
        if blank.any():
            raise DataError(f"the {name} lookup table has a blank name at "
                            f"{int(np.flatnonzero(blank)[0])}", column=name)
        return table
    return convert_ids(list(lookup), name=f"{name} lookup")


def _module(raw: Any) -> str:
    return type(raw).__module__.split(".")[0]


def _factorize(
    raw: Any, array: npt.NDArray[Any] | None, name: str, what: str
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.integer[Any]]]:
    """Distinct labels (any order) and each row's position among them, exactly.

    Frame libraries factorize with their own hash tables, numpy text is hashed here; both
    touch each row once instead of sorting millions of strings.
    """
    arrow = _arrow(raw) if array is None else None
    if arrow is not None:  # pyarrow, polars and pandas' Arrow-backed text: Arrow's hashing
        distinct, codes = _arrow_codes(arrow)
        return _relabel(distinct, codes, name, what)
    if array is None and _module(raw) == "pandas" and hasattr(raw, "factorize"):
        try:
            found = raw.factorize()
        except TypeError:  # an unhashable cell (a list...): the general path names its row
            found = None
        if found is not None:
            codes, uniques = found
            distinct = np.asarray(
                uniques.to_numpy() if hasattr(uniques, "to_numpy") else uniques, dtype=object)
            return _relabel(distinct, np.asarray(codes, dtype=np.intp), name, what)
    if array is not None and array.dtype.kind == "U":
        text_codes, distinct = factorize_compact(array)
        return distinct, text_codes
    if array is not None:
        values = array.astype(object)
    elif hasattr(raw, "to_numpy"):
        values = np.asarray(raw.to_numpy(), dtype=object)
    else:
        values = np.asarray(list(raw), dtype=object)
    labels = _labels(values, name, what)
    distinct, inverse = np.unique(labels, return_inverse=True)
    return distinct, inverse.reshape(-1).astype(np.intp)


def _relabel(
    distinct: npt.NDArray[Any], codes: npt.NDArray[np.intp], name: str, what: str
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.intp]]:
    """Check a frame library's distinct values; errors name the first event row, not the value.

    A missing value (code -1) gets the blank label, reported by the caller.
    """
    codes = np.where(codes < 0, distinct.shape[0], codes)
    distinct = np.append(distinct, "")
    try:
        return _labels(distinct, name, what), codes
    except DataError as exc:  # a row of the distinct values: name the first event row
        if exc.row is None:
            raise
        raise DataError(exc.message, column=name,
                        row=int(np.flatnonzero(codes == exc.row)[0])) from None


_ARROW_TEXT = ("string", "large_string", "string_view")


def _arrow_codes(arrow: Any) -> tuple[npt.NDArray[Any], npt.NDArray[np.intp]]:
    """Distinct values (objects; a repeated or unused value is harmless) and each row's
    position among them, ``-1`` for a missing value, of an Arrow text or dictionary column.

    A dictionary column is read through its indices and dictionary (its ``to_numpy()``
    would fill nulls with a real label); chunks with their own dictionaries are stacked
    (a loop over chunks, not rows).
    """
    chunks = arrow.chunks if hasattr(arrow, "chunks") else [arrow]
    if not str(arrow.type).startswith("dictionary"):
        chunks = [arrow.combine_chunks().dictionary_encode() if hasattr(
            arrow, "combine_chunks") else arrow.dictionary_encode()]
    parts, values, offset = [], [], 0
    for chunk in chunks:  # a loop over chunks
        indices = chunk.indices  # signed or unsigned: nulls are marked after the copy
        codes = np.array(indices.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.intp)
        if indices.null_count:
            codes[np.asarray(indices.is_null().to_numpy(zero_copy_only=False))] = -1
        parts.append(np.where(codes < 0, -1, codes + offset) if offset else codes)
        values.extend(chunk.dictionary.to_pylist())
        offset += len(chunk.dictionary)
    codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)
    return np.asarray(values, dtype=object).reshape(-1), codes


def _arrow(raw: Any) -> Any:
    """The pyarrow (chunked) array behind ``raw``, for text and dictionary-of-text columns
    (pyarrow, polars String / Categorical / Enum, pandas Arrow-backed text), or ``None``."""
    module = _module(raw)
    if module == "polars" and hasattr(raw, "to_arrow"):
        # polars' text types (``Utf8`` is ``String``); others keep the general path.
        if type(getattr(raw, "dtype", None)).__name__ not in ("String", "Categorical", "Enum"):
            return None
        try:
            raw = raw.to_arrow()
        except ImportError:  # polars without pyarrow: the general path
            return None
        module = "pyarrow"
    if module == "pyarrow" and hasattr(raw, "dictionary_encode"):
        kind = getattr(raw, "type", None)
        if kind is not None and str(kind).startswith("dictionary"):
            return raw if str(kind.value_type) in _ARROW_TEXT else None
        return raw if str(kind) in _ARROW_TEXT else None
    array = getattr(raw, "array", None)
    if array is not None and _module(raw) == "pandas" and hasattr(array, "__arrow_array__"):
        dtype = getattr(raw, "dtype", None)
        if not isinstance(dtype, np.dtype) and "str" in str(dtype).lower():
            return array.__arrow_array__()
    return None


def _labels(values: npt.NDArray[Any], name: str, what: str) -> npt.NDArray[np.str_]:
    """Object values as text labels (whole numbers as their digits); a missing or blank
    value becomes the blank label (the caller reports it with the first bad row)."""
    missing = np.fromiter(
        (v is None or (isinstance(v, float) and v != v)
         or (isinstance(v, str) and not v.strip()) for v in values),
        dtype=np.bool_, count=values.shape[0])
    if not missing.any():
        return convert_ids(values, name=name)
    present = np.flatnonzero(~missing)
    try:
        labels = convert_ids(values[present], name=name) if present.size else np.zeros(0, str)
    except DataError as exc:  # name the row of the whole column
        if exc.row is None:
            raise
        raise DataError(exc.message, column=name, row=int(present[exc.row])) from None
    # Zeroed text is the blank label, without writing "" into every row first.
    out = np.zeros(values.shape[0], dtype=labels.dtype if labels.size else "<U1")
    out[present] = labels
    return out


def days_of(raw: Any, name: str) -> npt.NDArray[np.datetime64]:
    array = array_of(raw)
    if array is not None and array.dtype.kind == "M":
        # Already days: a read-only view, no copy (the caller must not modify the array).
        days = array.astype("datetime64[D]", copy=False)
    else:
        objects = np.asarray(raw.to_numpy() if hasattr(raw, "to_numpy") else list(raw),
                             dtype=object) if array is None else array.astype(object)
        zones = np.fromiter((isinstance(v, dt.datetime) for v in objects), bool, len(objects))
        if zones.any():
            aware = np.fromiter((isinstance(v, dt.datetime) and v.tzinfo is not None
                                 for v in objects), bool, len(objects))
            awareness = aware[zones]
            if awareness.any() and not awareness.all():
                rows = np.flatnonzero(zones)
                row = int(rows[np.flatnonzero(awareness != awareness[0])[0]])
                raise DataError("time-zone-aware and naive datetimes are mixed; convert them "
                                "to one time zone first", column=name, row=row)
        days = convert_column(objects, name=name, kind=Kind.DATE).values
    missing = np.isnat(days)
    if missing.any():
        raise DataError("the event has no date (missing time)", column=name,
                        row=int(np.flatnonzero(missing)[0]))
    return readonly(days)


def counts_of(raw: Any, name: str) -> npt.NDArray[np.integer[Any]]:
    array = array_of(raw)
    if array is not None and array.dtype.kind in "iu":
        # Whole numbers are kept in their own integer type, without a copy.
        counts: npt.NDArray[np.integer[Any]] = array
    else:
        numbers = convert_column(raw, name=name, kind=Kind.NUMBER).values
        bad = np.isnan(numbers) | (numbers != np.round(numbers))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise DataError(f"count {numbers[row]} is not a whole number", column=name, row=row)
        # Above this the cast to int64 below would wrap (and no total could hold it).
        big = numbers > MAX_TOTAL
        if big.any():
            row = int(np.flatnonzero(big)[0])
            raise DataError(f"count {numbers[row]:.4g} is more than the {MAX_TOTAL} a total "
                            "can hold exactly", column=name, row=row)
        counts = numbers.astype(np.int64)
    if counts.dtype.kind == "i" and counts.size and counts.min() < 0:
        row = int(np.flatnonzero(counts < 0)[0])
        raise DataError(f"negative count {int(counts[row])}", column=name, row=row)
    check_total(counts, name)
    return counts


#: The largest total of counts usage metrics add exactly (in float64 grid cells).
MAX_TOTAL = 2**53


def check_total(counts: npt.NDArray[np.integer[Any]], name: str) -> int:
    """The total of non-negative counts, refused above :data:`MAX_TOTAL`: an int64 sum
    would wrap around and float64 cells would round, either way a wrong count."""
    # The float sum cannot wrap and is off by far less than 1 %, so below 2**62 the exact
    # int64 sum (non-negative terms, so every partial sum too) cannot overflow.
    rough = float(counts.sum(dtype=np.float64))
    if rough < 2.0**62 and (total := int(counts.sum(dtype=np.int64))) <= MAX_TOTAL:
        return total
    raise DataError(f"the counts add up to about {rough:.4g} events, more than the {MAX_TOTAL} "
                    "a total can hold exactly", column=name)
