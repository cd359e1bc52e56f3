"""``skgen.show_versions()`` prints what a bug report needs."""

import skgen


def test_show_versions_names_skgen_its_dependencies_and_torchs_devices(capsys):
    skgen.show_versions()
    out = capsys.readouterr().out
    assert f"skgen: {skgen.__version__}" in out
    for name in ("python", "numpy", "pandas", "scikit-learn", "torch", "skorch", "CUDA devices", "usable CPUs"):
        assert f"{name}:" in out, name
    assert "show_versions" in dir(skgen)
