"""Sphinx configuration for skgen's documentation.

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html``
(the gallery examples run with few epochs, see ``_gallery_argv.py``).
"""

import sys
from pathlib import Path

import skgen

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for _gallery_argv

project = "skgen"
copyright = "2026, the skgen developers"
release = skgen.__version__
version = skgen.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
numpydoc_show_class_members = False
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "auto_examples/*.zip"]
html_theme = "pydata_sphinx_theme"
html_theme_options = {"navigation_with_keys": False}
html_title = f"skgen {release}"

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"quickstart\.py",
    "reset_argv": "_gallery_argv.example_argv",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
}
