"""The API reference (docs/api.md) documents every public name exactly once.

docs/api.md is read as text: its ``## `` sections, the ``autosummary`` table at the top of
each, and the autodoc entries (``.. autoclass:: successkit.X`` and friends). A name exported
from ``successkit`` must have an entry under its top-level path, in a section whose table
lists it; a name the reference lists must exist. So exporting a new name fails here until
the reference shows it.
"""

from __future__ import annotations

import importlib
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import successkit

API = Path(__file__).resolve().parent.parent / "docs" / "api.md"

_SECTION = re.compile(r"^## (.+)$", re.M)
_ENTRY = re.compile(r"^\.\. auto(?:class|function|exception|data|attribute|method)::\s+(\S+)", re.M)
_TABLE = re.compile(r"^\.\. autosummary::\n((?:   .*\n|\n)*)", re.M)
_CURRENT_MODULE = re.compile(r"^\.\. currentmodule::\s+(\S+)", re.M)
# A numpy-docstring section header: a title underlined with dashes.
_HEADER = re.compile(
    r"^ *(Parameters|Attributes|Raises|Returns|Yields|Warns|See Also|Other Parameters)\n *-{3,}$",
    re.M,
)


def sections(text: str) -> dict[str, str]:
    """Section title → its text (up to the next ``## ``)."""
    heads = list(_SECTION.finditer(text))
    return {
        head.group(1): text[head.end(): heads[k + 1].start() if k + 1 < len(heads) else None]
        for k, head in enumerate(heads)
    }


def table_names(block: str) -> list[str]:
    """The names an autosummary table lists (its indented lines that are not options)."""
    names = []
    for line in block.splitlines():
        item = line.strip()
        if item and not item.startswith(":"):
            names.append(item)
    return names


def entries(text: str) -> list[str]:
    """Every autodoc target, in order."""
    return _ENTRY.findall(text)


def resolve(target: str) -> Any:
    """The object a dotted target names: the longest importable module, then attributes."""
    parts = target.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(target)


TEXT = API.read_text(encoding="utf-8")
SECTIONS = sections(TEXT)
ENTRIES = entries(TEXT)


def test_the_parser_reads_the_reference() -> None:
    # Guards the checks below against a reference the regexes no longer understand.
    assert len(SECTIONS) >= 10
    assert "successkit.Portfolio" in ENTRIES
    assert _CURRENT_MODULE.findall(TEXT)[0] == "successkit"
    assert sections("## A\nx\n## B\ny\n") == {"A": "\nx\n", "B": "\ny\n"}
    assert table_names("   :nosignatures:\n\n   Portfolio\n   dsl.check\n") == [
        "Portfolio", "dsl.check",
    ]


def test_every_exported_name_is_documented_once_under_its_top_level_path() -> None:
    top_level = [t.removeprefix("successkit.") for t in ENTRIES if t.count(".") == 1]
    counts = Counter(top_level)
    exported = set(successkit.__all__)
    missing = sorted(exported - set(counts))
    assert not missing, (
        f"exported from successkit but not in docs/api.md: {missing}; add "
        "'.. autoclass:: successkit.<Name>' (or autofunction) to the section of its concept "
        "and the name to that section's autosummary table"
    )
    unknown = sorted(set(counts) - exported)
    assert not unknown, f"docs/api.md documents successkit.<name> not in __all__: {unknown}"
    twice = sorted(name for name, n in counts.items() if n > 1)
    assert not twice, f"documented more than once in docs/api.md: {twice}"


def test_no_exported_object_is_also_documented_under_a_submodule_path() -> None:
    exported = {id(getattr(successkit, n)): n for n in successkit.__all__ if n != "__version__"}
    doubles = {
        target: exported[id(resolve(target))]
        for target in ENTRIES
        if target.count(".") > 1 and id(resolve(target)) in exported
    }
    assert not doubles, (
        f"documented under a submodule path but exported from successkit: {doubles}; "
        "document them as successkit.<Name>"
    )


def test_no_entry_is_listed_twice() -> None:
    assert [t for t, n in Counter(ENTRIES).items() if n > 1] == []


@pytest.mark.parametrize("target", ENTRIES)
def test_every_entry_exists(target: str) -> None:
    resolve(target)


@pytest.mark.parametrize("title", list(SECTIONS))
def test_each_section_opens_with_a_summary_table_of_its_entries(title: str) -> None:
    body = SECTIONS[title]
    tables = _TABLE.findall(body)
    documented = [t.removeprefix("successkit.") for t in entries(body)]
    assert documented, f"section {title!r} documents nothing"
    assert len(tables) == 1, f"section {title!r} needs one autosummary table, has {len(tables)}"
    assert body.index(".. autosummary::") < body.index(".. auto", body.index("::")), (
        f"the table of {title!r} must come before its entries"
    )
    assert table_names(tables[0]) == documented, (
        f"the table of section {title!r} must list its entries in order"
    )


def _docstrings(obj: Any) -> list[tuple[str, str]]:
    """(name, docstring) of an object and, for a class, of its public methods."""
    found = [(getattr(obj, "__qualname__", repr(obj)), getattr(obj, "__doc__", None) or "")]
    if isinstance(obj, type):
        for name, member in vars(obj).items():
            if not name.startswith("_") and callable(member) and member.__doc__:
                found.append((f"{obj.__qualname__}.{name}", member.__doc__))
    return found


@pytest.mark.parametrize("target", [t for t in ENTRIES if not t.endswith("__version__")])
def test_version_notes_stand_before_the_numpy_sections(target: str) -> None:
    # Napoleon reads a directive that follows a Parameters (or Attributes, Raises) section
    # as one more entry of it: "versionadded" rendered as a parameter of Metric.
    for name, doc in _docstrings(resolve(target)):
        for note in re.finditer(r"^ *\.\. version(?:added|changed)::", doc, re.M):
            assert not _HEADER.search(doc, 0, note.start()), (
                f"{name}: move '.. versionadded' above the first numpy section"
            )
