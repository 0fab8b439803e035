"""What ships: the wheel carries py.typed and the grammar; importing stays light."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("successkit-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_ships_py_typed_and_package_data(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    assert "successkit/py.typed" in names
    assert "successkit/__init__.py" in names
    grammars = [n for n in names if n.endswith(".lark")]
    source_grammars = sorted(
        str(p.relative_to(ROOT / "src")) for p in (ROOT / "src").rglob("*.lark")
    )
    assert sorted(grammars) == source_grammars


def test_wheel_declares_only_the_three_runtime_dependencies(wheel: zipfile.ZipFile) -> None:
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    requires = [
        line.split(":", 1)[1].strip()
        for line in wheel.read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]
    assert sorted(r.split(">")[0].split("=")[0].strip() for r in requires) == [
        "attrs",
        "lark",
        "numpy",
    ]


def run_python(code: str) -> str:
    """What ``code`` prints in a fresh interpreter (so imports start from nothing)."""
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    return result.stdout.strip()


def test_import_does_not_load_optional_extras() -> None:
    code = (
        "import sys, successkit\n"
        "for name in successkit.__all__: getattr(successkit, name)\n"
        "heavy = {'pandas', 'polars', 'pyarrow', 'matplotlib', 'dask', 'sklearn', 'scipy'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    assert run_python(code) == "[]"


def test_areas_load_on_first_use() -> None:
    code = (
        "import sys, successkit as sk\n"
        "areas = ['successkit.scoring', 'successkit.dsl', 'successkit.roadmap', 'lark']\n"
        "print([a for a in areas if a in sys.modules])\n"
        "sk.Playbook\n"
        "print([a for a in areas if a in sys.modules])\n"
    )
    before, after = run_python(code).splitlines()
    assert before == "[]"
    assert "'successkit.dsl'" in after


def test_every_public_name_is_importable_and_listed() -> None:
    code = (
        "import successkit as sk\n"
        "from successkit import *\n"
        "missing = [n for n in sk.__all__ if n not in dir(sk)]\n"
        "print(missing, sk.HealthModel.__module__)\n"
    )
    assert run_python(code) == "[] successkit.scoring.health"


def test_unknown_attribute_is_an_attribute_error() -> None:
    import successkit

    with pytest.raises(AttributeError, match="no attribute 'HealthModle'"):
        successkit.HealthModle  # type: ignore[attr-defined]  # noqa: B018
