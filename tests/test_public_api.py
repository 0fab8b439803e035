"""The public API contract: every exported name is documented, has a runnable example, and
appears in the API reference."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import successkit as sk

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = sorted(name for name in sk.__all__ if not name.startswith("__"))


def test_all_names_exist_and_are_unique() -> None:
    assert len(set(sk.__all__)) == len(sk.__all__)
    for name in sk.__all__:
        assert hasattr(sk, name), name


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_has_a_docstring_with_examples(name: str) -> None:
    obj = getattr(sk, name)
    doc = inspect.getdoc(obj) or ""
    assert doc, f"{name} has no docstring"
    assert "Examples" in doc, f"{name} needs an Examples section"
    assert ">>>" in doc, f"{name} needs a doctest in its Examples section"


CLASSES = [
    name
    for name in PUBLIC
    if inspect.isclass(getattr(sk, name)) and not issubclass(getattr(sk, name), BaseException)
]


@pytest.mark.parametrize("name", CLASSES)
def test_public_class_says_when_it_was_added(name: str) -> None:
    assert ".. versionadded::" in (getattr(sk, name).__doc__ or ""), name


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_is_in_the_api_reference(name: str) -> None:
    reference = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert f"successkit.{name}" in reference, f"add successkit.{name} to docs/api.md"


def test_package_is_typed() -> None:
    assert (ROOT / "src" / "successkit" / "py.typed").exists()
