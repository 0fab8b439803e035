"""Exact, fast matching and grouping of large arrays of text labels.

Event tables hold millions of short text labels (account ids, user ids, items). Sorting
millions of numpy strings is slow (every comparison walks characters), so labels are first
hashed to 64-bit integers, which sort and search quickly; every match and every group found
through a hash is then confirmed by comparing the strings themselves, so a hash collision can
never merge two different labels. When a collision is found (vanishingly rare), the exact
string path is used instead.

The hash is a sum over two-character words (``first + second × 2**32``) of ``word × a random
odd 64-bit constant``: trailing padding contributes nothing, so a label hashes the same in
arrays of any width.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import numpy.typing as npt

__all__ = ["factorize", "factorize_compact", "hash_text", "match", "text_array"]

# Below this many labels the plain string sort is as fast as hashing.
_SMALL = 20_000
# Rows hashed (and compared) at a time: a block's characters and hashes fit in the cache.
_BLOCK = 1 << 15
# Rows sampled to find the labels (at least every 16th row): at 10 million rows a label of
# one row in 100,000 is in the sample with odds 99.5 %; the rows of the labels the sample
# missed are sorted apart.
_SAMPLE = 1 << 19
# A fixed odd multiplier for the multiply-shift slots of the label table (a golden-ratio one).
_SPREAD = np.uint64(0x9E3779B97F4A7C15)


def _odd_constants(seed: int, count: int) -> npt.NDArray[np.uint64]:
    """``count`` random odd 64-bit constants (odd, so no single character can vanish)."""
    values = np.random.default_rng(seed).integers(0, 2**64, count, dtype=np.uint64)
    return cast("npt.NDArray[np.uint64]", values | np.uint64(1))


_MULTIPLIERS = _odd_constants(0x5EED, 256)


def _multipliers(width: int) -> npt.NDArray[np.uint64]:
    if width <= _MULTIPLIERS.shape[0]:
        return _MULTIPLIERS[:width]
    extra = _odd_constants(width, width - _MULTIPLIERS.shape[0])
    return np.concatenate([_MULTIPLIERS, extra])


def text_array(values: npt.NDArray[Any]) -> npt.NDArray[np.str_]:
    """``values`` as a contiguous numpy ``str`` array (numpy's variable-width strings
    are converted)."""
    if values.dtype.kind == "T":  # variable width: convert to the longest label's width
        width = int(np.strings.str_len(values).max()) if values.size else 1
        values = values.astype(f"<U{max(width, 1)}")
    elif values.dtype.kind != "U":
        values = values.astype(np.str_)
    return np.ascontiguousarray(values)


def hash_text(values: npt.NDArray[np.str_]) -> npt.NDArray[np.uint64]:
    """A 64-bit hash per label; equal labels always hash equal, whatever the array width.

    Examples
    --------
    >>> a = hash_text(np.array(["acme", "globex"]))
    >>> b = hash_text(np.array(["acme", "x"], dtype="<U20"))
    >>> bool(a[0] == b[0]), bool(a[0] == a[1])
    (True, False)
    """
    values = text_array(values)
    n = values.shape[0]
    width = values.dtype.itemsize // 4
    out = np.zeros(n, dtype=np.uint64)
    if not n or not width:
        return out
    points = values.view(np.uint32).reshape(n, width)
    # Two characters make one 64-bit word (the second in the high half), so there are half
    # as many multiply-adds; an odd width is padded with a zero character in a buffer.
    pairs = (width + 1) // 2
    multipliers = _multipliers(pairs)
    rows = min(n, _BLOCK)
    padded = np.zeros((rows, 2 * pairs), dtype=np.uint32) if width % 2 else None
    term = np.empty(rows, dtype=np.uint64)
    # Blocks of rows that stay in the cache while every word is added in; word by word over
    # the whole array would stream it from memory once per word.
    for lo in range(0, n, _BLOCK):  # a loop over fixed-size blocks of rows
        block, hashed = points[lo:lo + _BLOCK], out[lo:lo + _BLOCK]
        size = block.shape[0]
        if padded is not None:
            padded[:size, :width] = block
            block = padded[:size]
        words = block.view(np.uint64)
        part = term[:size]
        for j, k in enumerate(multipliers):  # a loop over two-character words
            np.multiply(words[:, j], k, out=part)
            hashed += part
    return out


def _match_sorted(query: npt.NDArray[np.str_], known: npt.NDArray[np.str_]) -> npt.NDArray[np.intp]:
    order = np.argsort(known, kind="stable")
    ordered = known[order]
    # A label is present exactly when its left and right insertion points differ; this
    # avoids gathering a copy of the strings to compare (as big as the query itself).
    left = np.searchsorted(ordered, query, side="left")
    right = np.searchsorted(ordered, query, side="right")
    found = right > left
    return np.where(found, order[np.minimum(left, known.shape[0] - 1)], -1).astype(np.intp)


def match(query: npt.NDArray[np.str_], known: npt.NDArray[np.str_]) -> npt.NDArray[np.intp]:
    """Position in ``known`` (distinct labels) of each label of ``query``, ``-1`` if absent.

    Examples
    --------
    >>> match(np.array(["b", "zz", "a", "b"]), np.array(["a", "b"])).tolist()
    [1, -1, 0, 1]
    """
    query = text_array(query)
    known = text_array(known)
    if not known.size or not query.size:
        return np.full(query.shape[0], -1, dtype=np.intp)
    if query.shape[0] < _SMALL or known.shape[0] <= 32:
        return _match_sorted(query, known)
    known_hash = hash_text(known)
    order = np.argsort(known_hash)
    ordered = known_hash[order]
    if np.any(ordered[1:] == ordered[:-1]):  # two known labels share a hash
        return _match_sorted(query, known)
    pos = _find_hashes(ordered, hash_text(query))
    found = np.flatnonzero(pos >= 0)
    rows = order[pos[found]].astype(np.intp)
    # A hash match is a candidate only: confirm it on the text.
    right = known[rows] == query[found]
    result = np.full(query.shape[0], -1, dtype=np.intp)
    result[found[right]] = rows[right]
    return result


def _find_hashes(
    ordered: npt.NDArray[np.uint64], hashes: npt.NDArray[np.uint64]
) -> npt.NDArray[np.intp]:
    """Position of each hash in the sorted distinct ``ordered`` hashes, ``-1`` if absent.

    Binary search over millions of random keys misses the cache at every step; instead the
    top bits of a hash name a bucket of the sorted table (two to four slots per known
    hash), and each query probes the few entries of its bucket.
    """
    m = ordered.shape[0]
    bits = min(max(m.bit_length() + 1, 1), 30)
    shift = np.uint64(64 - bits)
    bounds = np.searchsorted(ordered >> shift, np.arange((1 << bits) + 1, dtype=np.uint64))
    bucket = hashes >> shift
    first = bounds[bucket]
    count = bounds[bucket + np.uint64(1)] - first
    pos = np.full(hashes.shape[0], -1, dtype=np.intp)
    active = np.flatnonzero(count > 0)
    step = 0
    while active.size:  # a loop over probe depth (a handful), never over queries
        candidate = first[active] + step
        hit = ordered[candidate] == hashes[active]
        pos[active[hit]] = candidate[hit]
        step += 1
        active = active[~hit & (count[active] > step)]
    return pos


def factorize(
    values: npt.NDArray[np.str_],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.str_]]:
    """Codes and distinct labels: ``labels[codes]`` equals ``values``.

    The order of the distinct labels is unspecified (they serve grouping only).

    Examples
    --------
    >>> codes, labels = factorize(np.array(["u1", "u2", "u1"]))
    >>> labels[codes].tolist()
    ['u1', 'u2', 'u1']
    >>> int(codes[0] == codes[2]), len(labels)
    (1, 2)
    """
    codes, labels = factorize_compact(values)
    return codes.astype(np.intp), labels


def factorize_compact(
    values: npt.NDArray[Any],
) -> tuple[npt.NDArray[np.integer[Any]], npt.NDArray[np.str_]]:
    """:func:`factorize` with ``int32`` codes for large inputs (half the memory of ``intp``);
    every label is used by some row.

    The distinct hashes of a strided sample of the rows get slots ``(hash × odd) >> shift``
    in a small table (16 to 32 slots per hash; of two hashes that share a slot one keeps
    it). Block by block, so that the work stays in the cache, every row is hashed, looked
    up with one gather and compared with its label's text; the rows whose hash is not in
    the table are sorted apart. A row whose text differs from its label's (two labels with
    one hash) hands over to the exact string sort, so labels are never merged.

    Examples
    --------
    >>> codes, labels = factorize_compact(np.array(["b", "a", "b"]))
    >>> labels[codes].tolist()
    ['b', 'a', 'b']
    """
    values = text_array(values)
    n = values.shape[0]
    if n < _SMALL:
        labels, inverse = np.unique(values, return_inverse=True)
        return inverse.reshape(-1).astype(np.intp), labels
    step = max(16, n // _SAMPLE)
    sampled = hash_text(values[::step])
    sample = np.unique(sampled)
    k = sample.shape[0]
    if 2 * k > sampled.shape[0]:  # mostly distinct labels (user ids): a table would miss
        return _factorize_by_sorting_hashes(values)
    bits = int(k).bit_length() + 4
    shift = np.uint64(64 - bits)
    slots = ((sample * _SPREAD) >> shift).astype(np.intp)
    table = np.full(1 << bits, k, dtype=np.int32)
    table[slots] = np.arange(k, dtype=np.int32)
    # Of hashes that share a slot one keeps it; the rows of the others are looked up apart.
    kept = np.take(table, slots) == np.arange(k, dtype=np.int32)
    sample, slots, k = sample[kept], slots[kept], int(kept.sum())
    table[:] = k
    table[slots] = np.arange(k, dtype=np.int32)
    # An empty slot points past the sample, at a copy of a hash whose slot is taken: no row
    # that lands on an empty slot can hold that hash, so it is no false hit.
    keys = np.append(sample, sample[:1])
    # A sampled row for each hash that kept its slot gives that code's label.
    own = np.take(table, ((sampled * _SPREAD) >> shift).astype(np.intp))
    held = np.take(keys, own) == sampled
    rows = np.zeros(k + 1, dtype=np.intp)
    rows[own[held]] = np.flatnonzero(held) * step
    labels = np.take(values, rows)
    codes = np.empty(n, dtype=np.int32)
    missed, missed_hashes = [], []
    for lo in range(0, n, _BLOCK):  # a loop over fixed-size blocks of rows
        block = values[lo:lo + _BLOCK]
        hashed = hash_text(block)
        slot = hashed * _SPREAD
        slot >>= shift
        # np.take: numpy's fancy indexing copies text items several times slower.
        found = np.take(table, slot.view(np.int64))
        codes[lo:lo + _BLOCK] = found
        hit = np.take(keys, found) == hashed
        if ((np.take(labels, found) != block) & hit).any():
            return _factorize_sorted(values)
        miss = np.flatnonzero(~hit)
        if miss.size:
            missed.append(miss + lo)
            missed_hashes.append(hashed[miss])
    labels = labels[:k]  # every hash in the table is used, by its own sampled row at least
    if missed:
        rows = np.concatenate(missed)
        _, where, back = np.unique(np.concatenate(missed_hashes), return_index=True,
                                   return_inverse=True)
        back = back.reshape(-1)
        extra = np.take(values, np.take(rows, where))
        if (np.take(extra, back) != np.take(values, rows)).any():
            return _factorize_sorted(values)
        codes[rows] = labels.shape[0] + back
        labels = np.concatenate([labels, extra])
    return codes, labels


def _factorize_by_sorting_hashes(
    values: npt.NDArray[np.str_],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.str_]]:
    """Codes and labels of mostly distinct labels: one sort of the rows' hashes."""
    n = values.shape[0]
    hashes = hash_text(values)
    order = np.argsort(hashes)
    ordered = hashes[order]
    starts = np.empty(n, dtype=np.bool_)
    starts[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    # Within a run of equal hashes every neighbour must hold the same text; two different
    # labels with one hash would show up as an unequal neighbour pair.
    pairs = np.flatnonzero(~starts[1:])
    if pairs.size and np.any(np.take(values, order[pairs]) != np.take(values, order[pairs + 1])):
        return _factorize_sorted(values)
    run = np.cumsum(starts, dtype=np.intp) - 1
    codes = np.empty(n, dtype=np.intp)
    codes[order] = run
    return codes, np.take(values, order[starts])


def _factorize_sorted(values: npt.NDArray[np.str_]) -> tuple[npt.NDArray[np.intp],
                                                                npt.NDArray[np.str_]]:
    labels, inverse = np.unique(values, return_inverse=True)
    return inverse.reshape(-1).astype(np.intp), labels
