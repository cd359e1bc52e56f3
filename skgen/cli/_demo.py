"""``skgen demo``: a synthetic copy of a small table shipped with scikit-learn."""

import sys
import time
from pathlib import Path

from ._commands import fit_sampler, verbosity
from ._errors import CLIError
from ._inputs import write_table
from ._summary import Stages, check_matplotlib, evaluation


def demo_table():
    """A small mixed-type table from data shipped with scikit-learn (wine)."""
    import pandas as pd
    from sklearn.datasets import load_wine

    wine = load_wine(as_frame=True)
    frame = wine.data[["alcohol", "malic_acid", "color_intensity", "hue", "proline", "flavanoids"]].copy()
    frame["proline"] = frame["proline"].astype("int64")
    frame["cultivar"] = pd.Categorical.from_codes(wine.target, ["barolo", "grignolino", "barbera"])
    frame["strong"] = frame["alcohol"] > 13.0
    return frame


def demo(args):
    out_dir = Path(args.output_dir)
    if out_dir.exists() and any(out_dir.iterdir()) and not args.force:
        raise CLIError(f"{out_dir} exists and is not empty; pass --force to overwrite its files")
    out_dir.mkdir(parents=True, exist_ok=True)
    frame = demo_table()
    print(f"demo: {len(frame)} wines, columns {', '.join(frame.columns)}", file=sys.stderr)
    start = time.perf_counter()
    # A small table: small batches and a higher learning rate give enough
    # updates in a few seconds (178 rows are 3 batches per epoch).
    sampler = fit_sampler(
        frame, max_epochs=args.epochs, batch_size=60, lr=1e-3, random_state=0, verbose=verbosity(args)
    )
    fit_s = time.perf_counter() - start
    synthetic = sampler.sample(len(frame), random_state=0)
    barbera = sampler.sample(5, conditions={"cultivar": "barbera"}, random_state=0)
    write_table(synthetic, out_dir / "synthetic.csv")
    lines = [f"fitted GANSampler on {len(frame)} rows in {fit_s:.1f} s; wrote {out_dir / 'synthetic.csv'}"]
    try:
        check_matplotlib()
        html_path = out_dir / "report.html"
    except CLIError as exc:
        html_path = None
        lines.append(f"(no HTML report: {exc})")
    lines += evaluation(frame, synthetic, None, "cultivar", Stages(args.quiet), html_path)
    lines.append("five synthetic barbera wines (conditional sampling):")
    lines.append(barbera.to_string(index=False))
    print("\n".join(lines))
    return 0
