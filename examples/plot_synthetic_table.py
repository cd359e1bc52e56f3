"""
A synthetic copy of a table
===========================

:class:`skgen.GANSampler` learns a table with numeric, integer, boolean and
categorical columns and samples new rows with the same columns and dtypes.
The figure compares each column's distribution in the real and synthetic
tables; :mod:`skgen.metrics` scores fidelity, utility and privacy.
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from skgen import GANSampler  # noqa: E402
from skgen.cli import demo_table  # noqa: E402
from skgen.metrics import dcr_score, quality_score, tstr_score  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=1000)
parser.add_argument("--output", default="synthetic_table.png")
args, _ = parser.parse_known_args()

real = demo_table()  # wine measurements, a categorical cultivar and a boolean
sampler = GANSampler(max_epochs=args.epochs, batch_size=60, lr=1e-3, random_state=0).fit(real)
synthetic = sampler.sample(len(real), random_state=0)
print(synthetic.dtypes.equals(real.dtypes), "- same dtypes")
print(f"quality {quality_score(real, synthetic):.3f}")
print("train on synthetic, test on real:", tstr_score(synthetic, real, "cultivar"))
print("distance to closest real row:", dcr_score(real, synthetic))

fig, axes = plt.subplots(2, 4, figsize=(13, 6))
for ax, column in zip(axes.ravel(), real.columns):
    if column in ("cultivar", "strong"):
        counts = np.array([real[column].astype(str).value_counts(normalize=True).sort_index(),
                           synthetic[column].astype(str).value_counts(normalize=True).sort_index()])
        positions = np.arange(counts.shape[1])
        ax.bar(positions - 0.2, counts[0], width=0.4, label="real")
        ax.bar(positions + 0.2, counts[1], width=0.4, label="synthetic")
        ax.set_xticks(positions, sorted(real[column].astype(str).unique()))
    else:
        bins = np.histogram_bin_edges(real[column], bins=20)
        ax.hist(real[column], bins=bins, alpha=0.5, density=True, label="real")
        ax.hist(synthetic[column], bins=bins, alpha=0.5, density=True, label="synthetic")
    ax.set_title(column)
axes[0, 0].legend()
fig.tight_layout()
fig.savefig(args.output, dpi=80)
print(f"saved {args.output}")
