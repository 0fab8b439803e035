"""The figures of the guide pages and the tutorial notebook: drawn from the code next to them
on every docs build (matplotlib's plot directive, myst-nb), never committed as images.

The build itself fails when a figure's code raises (a warning under ``-W``); this checks what
the build cannot: that each figure has its own file name (inside a MyST ``{eval-rst}`` block
the directive's own counter restarts at 1, so figures without a ``:filename-prefix:`` would
overwrite each other), and that no image file sits in the docs sources.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"

_PLOT = re.compile(r"^\.\. plot::\n((?:   .*\n|\n)*)", re.M)
_PREFIX = re.compile(r"^   :filename-prefix: (\S+)$", re.M)


def plots() -> list[tuple[str, str]]:
    """``(page, directive body)`` for every plot directive of the docs."""
    return [
        (page.name, match.group(1))
        for page in sorted(DOCS.glob("*.md"))
        for match in _PLOT.finditer(page.read_text(encoding="utf-8"))
    ]


def test_the_guides_have_figures() -> None:
    pages = {page for page, _ in plots()}
    assert {"health.md", "touch.md", "roadmap.md", "validation.md"} <= pages


def test_every_figure_has_its_own_file_name() -> None:
    prefixes = []
    for page, body in plots():
        found = _PREFIX.findall(body)
        assert len(found) == 1, f"a plot directive in {page} needs one :filename-prefix:"
        prefixes.append(found[0])
    assert [p for p, n in Counter(prefixes).items() if n > 1] == []


def test_every_figure_is_drawn_by_code() -> None:
    for page, body in plots():
        code = [line for line in body.splitlines() if line.strip() and not
                line.strip().startswith(":")]
        assert code, f"a plot directive in {page} has no code"


def test_no_image_is_committed_to_the_docs() -> None:
    images = [p for p in DOCS.rglob("*") if p.suffix.lower() in {".png", ".jpg", ".svg", ".pdf"}]
    assert images == []


def test_the_tutorial_notebook_is_stored_without_outputs() -> None:
    # The docs build executes it (myst-nb, nb_execution_mode = "force"): outputs in the file
    # would be images committed to the docs, and could go stale.
    notebook = json.loads((DOCS / "tutorial.ipynb").read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code
    for cell in code:
        assert cell["outputs"] == []
        assert cell["execution_count"] is None
        assert "".join(cell["source"]).strip()
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
