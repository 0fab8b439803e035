"""Sphinx configuration for successkit's documentation."""

from __future__ import annotations

import successkit

project = "successkit"
author = "successkit developers"
copyright = "2026, successkit developers"  # noqa: A001 - Sphinx's name
release = successkit.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_typehints = "description"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False

doctest_global_setup = "import successkit as sk\nimport numpy as np"

html_theme = "furo"
html_title = "successkit"
html_static_path = ["_static"]
