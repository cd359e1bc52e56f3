"""Command-line arguments for the gallery examples during the docs build.

Each example runs with few epochs so the build takes a few minutes on two
CPU cores; ``SKGEN_DOCS_FULL=1`` runs them with their defaults.
"""

import os
import tempfile
from pathlib import Path

EPOCHS = {
    "plot_generate_digits.py": 150,
    "plot_synthetic_table.py": 300,
    "plot_grid_search.py": 15,
    "plot_imbalanced_classification.py": 100,
    "plot_neighbor_embedding.py": "auto",  # its defaults take seconds
}


def example_argv(gallery_conf, script_vars):
    if os.environ.get("SKGEN_DOCS_FULL"):
        return []
    name = Path(script_vars["src_file"]).name
    output = Path(tempfile.gettempdir()) / f"skgen-docs-{Path(name).stem}.png"
    return ["--epochs", str(EPOCHS.get(name, 30)), "--output", str(output)]
