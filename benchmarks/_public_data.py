"""Public churn tables for the benchmarks, fetched once from package archives this machine can
reach, checked by SHA-256 and cached under ``~/.cache/successkit-bench`` (``$XDG_CACHE_HOME``).

* The ``pysurvival`` source archive on PyPI: a B2B SaaS churn table, an employee attrition
  table and the German credit table.
* Debian's ``r-cran-modeldata`` package (the CRAN package ``modeldata``): the IBM telecom
  churn table (``wa_churn``, 7,043 customers), the MLC++ telecom churn table (``mlc_churn``,
  5,000), the IBM HR attrition table (``attrition``, 1,470) and two credit tables
  (``credit_data``, 4,454; ``lending_club``, 9,857), read straight out of the package's
  lazy-load database by :mod:`_rdata` — no R needed.

Quick runs never fetch: a table is used only when its archive is already in the cache.
"""

from __future__ import annotations

import csv
import hashlib
import io
import lzma
import os
import tarfile
import urllib.request
from pathlib import Path

import numpy as np

from _rdata import lazy_load_table

__all__ = ["Columns", "public_tables"]

Columns = dict[str, np.ndarray]
Table = tuple[str, Columns, np.ndarray]

PYSURVIVAL = (
    "https://files.pythonhosted.org/packages/13/dd/d7bf69b6e1e0d1cd243b39577867c15d092404d5bc7"
    "afef3ae135b50717f/pysurvival-0.1.2.tar.gz",
    "57cb567323fa314ceaf17fe39745b007855606cb1304a4124a78334ff9d03707",
)
PYSURVIVAL_SETS = (  # (row label, file, outcome column)
    ("SaaS churn (public)", "churn.csv", "churned"),
    ("employee attrition (public)", "employee_attrition.csv", "left"),
    ("German credit (real)", "credit_risk.csv", "full_repaid"),
)
MODELDATA = (
    "https://deb.debian.org/debian/pool/main/r/r-cran-modeldata/"
    "r-cran-modeldata_1.1.0-1_all.deb",
    "66c2e08bb4bf695d972b1e72ea44d5af9ada3c42841793d3871017f7b896bf95",
)
MODELDATA_SETS = (  # (row label, data frame, outcome column, the outcome's "churned" label)
    ("telecom churn, IBM (real)", "wa_churn", "churn", "Yes"),
    ("telecom churn, MLC++ (public)", "mlc_churn", "churn", "yes"),
    ("HR attrition, IBM (public)", "attrition", "Attrition", "Yes"),
    ("credit scoring (public)", "credit_data", "Status", "bad"),
    ("Lending Club loans (public)", "lending_club", "Class", "bad"),
)


def _archive(url: str, sha256: str, fetch: bool) -> bytes | None:
    """The archive's bytes from the cache, fetched first when ``fetch`` (``None`` when it
    is not there and cannot be fetched, or does not match its hash)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = cache / "successkit-bench" / url.rsplit("/", 1)[1]
    if path.exists():
        return path.read_bytes()
    if not fetch:
        return None
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            data: bytes = response.read()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != sha256:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def _pysurvival(archive: bytes) -> list[Table]:
    """Columns whose every value reads as a number are numbers, the others categories; the
    outcome column (1 / 0) is the churn label."""
    tables = []
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for label, file, outcome in PYSURVIVAL_SETS:
            member = tar.extractfile(f"pysurvival-0.1.2/pysurvival/datasets/{file}")
            assert member is not None
            rows = list(csv.reader(io.TextIOWrapper(member, encoding="utf-8")))
            header, body = rows[0], np.array(rows[1:], dtype=object)
            columns: Columns = {}
            for j, name in enumerate(header):
                values = body[:, j].astype(str)
                try:
                    columns[name] = values.astype(float)
                except ValueError:
                    columns[name] = np.char.strip(values).astype(object)
            tables.append((label, columns, columns.pop(outcome) > 0))
    return tables


def _deb_member(deb: bytes, prefix: str) -> bytes:
    """A member of a Debian package (an ``ar`` archive of 60-byte headers)."""
    at = 8  # past "!<arch>\n"
    while at < len(deb):
        name = deb[at:at + 16].decode().strip().rstrip("/")
        size = int(deb[at + 48:at + 58].decode())
        if name.startswith(prefix):
            return deb[at + 60:at + 60 + size]
        at += 60 + size + size % 2
    raise ValueError(f"no {prefix} in the package")


def _read(tar: tarfile.TarFile, name: str) -> bytes:
    member = tar.extractfile(name)
    if member is None:
        raise ValueError(f"{name} is not a file in the package")
    return member.read()


def _modeldata(deb: bytes) -> list[Table]:
    """Factors are categories, numbers numbers (0 / 1 flags stay numbers)."""
    data = _deb_member(deb, "data.tar")
    folder = "./usr/lib/R/site-library/modeldata/data/Rdata"
    with tarfile.open(fileobj=io.BytesIO(lzma.decompress(data))) as tar:
        rdb_bytes, rdx_bytes = (_read(tar, folder + ext) for ext in (".rdb", ".rdx"))
    tables = []
    for label, frame, outcome, churned in MODELDATA_SETS:
        columns = lazy_load_table(rdb_bytes, rdx_bytes, frame)
        target = columns.pop(outcome)
        tables.append((label, columns, target == churned))
    return tables


def public_tables(fetch: bool) -> tuple[list[Table], list[str]]:
    """The tables at hand as ``(label, columns, churned)``, and the archives not at hand."""
    tables: list[Table] = []
    missing = []
    for what, (url, sha), read in (("pysurvival (PyPI)", PYSURVIVAL, _pysurvival),
                                   ("r-cran-modeldata (Debian)", MODELDATA, _modeldata)):
        archive = _archive(url, sha, fetch)
        if archive is None:
            missing.append(what)
        else:
            tables += read(archive)
    return tables, missing
