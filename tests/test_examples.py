"""The plotting examples run and save their figures (with few epochs)."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("script", ["plot_interpret_autoencoder.py"])
def test_example_saves_its_figure(script, tmp_path):
    output = tmp_path / "figure.png"
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script), "--epochs", "2", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert output.stat().st_size > 10_000
