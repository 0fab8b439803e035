"""Sphinx configuration for successkit's documentation."""

from __future__ import annotations

import importlib
from typing import Any

import successkit

project = "successkit"
author = "successkit developers"
copyright = "2026, successkit developers"  # the name Sphinx reads (it shadows a builtin)
release = successkit.__version__
version = release

extensions = [
    # MyST pages, and notebooks (docs/tutorial.ipynb) executed on every build: myst_nb
    # includes myst_parser.
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "matplotlib.sphinxext.plot_directive",
]

source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "jupyter_execute"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# The tutorial notebook is stored without outputs and run on every build, so it cannot rot: a
# cell that raises fails the build.
nb_execution_mode = "force"
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

autodoc_typehints = "description"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False

# The API reference's summary tables are `autosummary` directives without `:toctree:`: a
# table of links and first docstring lines, and no generated files to commit or go stale.
autosummary_generate = False

doctest_global_setup = "import successkit as sk\nimport numpy as np"
# `-b doctest` runs the pages' {doctest} blocks. Docstring examples shown by autodoc are left
# to `pytest --doctest-modules src`, which runs them in their module (whose names they may
# use); here they would run without it.
doctest_test_doctest_blocks = ""

# Figures are drawn from the code next to them on every build (``{eval-rst} .. plot::``),
# so a figure cannot go stale and a plot that raises fails the build (a warning under -W).
# The code is shown above its figure; nothing is written to the source tree.
plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
plot_pre_code = "import numpy as np\nimport matplotlib.pyplot as plt\nimport successkit as sk\n"
plot_rcparams = {"figure.figsize": (6.4, 3.6)}

html_theme = "furo"
html_title = "successkit"
html_static_path = ["_static"]


def _exported_path(target: str) -> str | None:
    """``successkit.UsageModel.from_text`` for ``successkit.usage.UsageModel.from_text``:
    the path through the top-level export of the same object, which is where the API
    reference documents it, or ``None``."""
    parts = target.split(".")
    if parts[0] != "successkit" or len(parts) < 3:
        return None
    for k in range(2, len(parts)):  # parts[k] may be the exported name
        name = parts[k]
        if name not in successkit.__all__:
            continue
        try:
            owner: Any = importlib.import_module(".".join(parts[:k]))
        except ImportError:
            continue
        if getattr(owner, name, None) is getattr(successkit, name):
            return ".".join(["successkit", *parts[k:]])
    return None


def _unresolved_link(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    """Answer links to a submodule path of an exported name (``successkit.usage.UsageModel``)
    with its entry in the API reference (``successkit.UsageModel``), and fail the build (a
    warning under -W) on any other role-made Python link of a page that nothing answers.

    Sphinx stays silent about such links unless ``nitpicky`` is on, and ``nitpicky`` also
    flags every numpy type in a signature. Links written with a role (``{class}``,
    ``{meth}``, ...) carry ``refwarn``; links Sphinx makes from type annotations do not.
    Docstrings are left out: their dangling names are older than this check.
    """
    from docutils.utils import get_source_line
    from sphinx.util import logging

    if node.get("refdomain") != "py":
        return None
    alias = _exported_path(node.get("reftarget", ""))
    if alias is not None:
        found = env.get_domain("py").resolve_xref(
            env, node.get("refdoc"), app.builder, node.get("reftype"), alias, node, contnode
        )
        if found is not None:
            return found
    if "refwarn" not in node:
        return None
    source, _ = get_source_line(node)
    # Only text written in a page: not docstrings, autosummary's first lines or the
    # "Bases:" lines autodoc writes.
    if source is None or not source.startswith(str(app.srcdir)) or not source.endswith(".md"):
        return None
    logging.getLogger("successkit.docs").warning(
        "%s link to %r does not resolve: document it in docs/api.md or fix the target",
        node.get("reftype"), node.get("reftarget"), location=node,
    )
    return None


def setup(app: Any) -> None:
    app.connect("missing-reference", _unresolved_link)
