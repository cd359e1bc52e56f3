"""The neighbourhood section of ``bench_autoencoder.py`` (``--neighbors``).

PCA, UMAP, the plain AutoencoderTransformer and ``embedding="umap"`` side by
side on digits and MNIST at k = 2 and 8, unsupervised. Each method fits on
the training rows; on the held-out rows: LogisticRegression and 10-NN
accuracy (classifiers fitted on the training codes), trustworthiness
(``sklearn.manifold.trustworthiness``, 10 neighbours), reconstruction MSE
(``inverse_transform(transform(X))``), then fit seconds, ``transform`` and
``inverse_transform`` rows/s. UMAP's numba code is compiled by a full-size
fit before anything is timed. UMAP's ``inverse_transform`` is timed on 20
codes at k=2 and its MSE is not computed (it runs at a few rows/s); at k=8
it is not run (it triangulates the 8-D code space and did not finish).
Writes ``benchmarks/results/neighbors.md``.
"""

import datetime
import time

import numpy as np
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.manifold import trustworthiness
from sklearn.neighbors import KNeighborsClassifier

from _common import environment_line, load_digits_split, load_mnist_split, load_sentence, rows_per_second, write_results

from skgen import AutoencoderTransformer

UMAP_INVERSE_ROWS = 20


def methods(threads):
    import umap

    def skgen(**params):
        return lambda X, k: AutoencoderTransformer(n_components=k, n_threads=threads, random_state=0, **params).fit(X)

    return [
        ("PCA", lambda X, k: PCA(n_components=k, random_state=0).fit(X)),
        ("UMAP (umap-learn defaults)", lambda X, k: umap.UMAP(n_components=k, random_state=0).fit(X)),
        ("AutoencoderTransformer()", skgen()),
        ('AutoencoderTransformer(embedding="umap")', skgen(embedding="umap")),
    ]


def measure(name, fit, split, k):
    X_train, X_test, y_train, y_test = split
    start = time.perf_counter()
    model = fit(X_train, k)
    fit_s = time.perf_counter() - start
    train_codes, test_codes = model.transform(X_train), model.transform(X_test)
    # Per-axis standardisation, as AutoencoderTransformer's codes already are.
    mean, std = train_codes.mean(axis=0), train_codes.std(axis=0)
    train_codes, test_codes = (train_codes - mean) / std, (test_codes - mean) / std
    row = {
        "method": name,
        "k": k,
        "logreg": LogisticRegression(max_iter=3000).fit(train_codes, y_train).score(test_codes, y_test),
        "knn": KNeighborsClassifier(n_neighbors=10).fit(train_codes, y_train).score(test_codes, y_test),
        "trust": trustworthiness(X_test, test_codes, n_neighbors=10),
        "fit_s": fit_s,
    }
    raw_codes = model.transform(X_test)
    chunk = X_test[:2048]
    row["transform"] = rows_per_second(lambda: model.transform(chunk), len(chunk), repeats=3)
    if name.startswith("UMAP") and k > 2:
        # Its inverse triangulates the code space (Delaunay): in 8-D that did not finish in minutes.
        row["mse"] = row["inverse"] = None
    elif name.startswith("UMAP"):
        few = raw_codes[:UMAP_INVERSE_ROWS]
        start = time.perf_counter()
        model.inverse_transform(few)
        row["inverse"] = len(few) / (time.perf_counter() - start)
        row["mse"] = None
    else:
        row["mse"] = float(np.mean((model.inverse_transform(raw_codes).astype(np.float64) - X_test) ** 2))
        row["inverse"] = rows_per_second(lambda: model.inverse_transform(raw_codes[:2048]), min(2048, len(raw_codes)), repeats=3)
    print(
        f"{name} k={k}: logreg {row['logreg']:.3f} 10-NN {row['knn']:.3f} trust {row['trust']:.4f} "
        f"mse {row['mse']} fit {fit_s:.1f} s",
        flush=True,
    )
    return row


def bench_neighbors(components, threads):
    import umap

    sections = {}
    datasets = {
        "digits (1347 train / 450 test, 64 features)": load_digits_split(),
        "MNIST test images (8000 train / 2000 test, 784 features)": load_mnist_split(),
    }
    mnist = datasets["MNIST test images (8000 train / 2000 test, 784 features)"]
    # Compile UMAP's numba code (graph search, layout, transform, inverse) at full size.
    warm = umap.UMAP(n_components=2, random_state=0, n_epochs=20).fit(mnist[0])
    warm.inverse_transform(warm.transform(mnist[1][:5]))
    for title, split in datasets.items():
        rows = []
        for name, fit in methods(threads):
            for k in components:
                rows.append(measure(name, fit, split, k))
        sections[title] = rows
    return sections


def _fmt(value, spec):
    return "—" if value is None else format(value, spec)


def write_neighbors_report(path, threads, load_before, load_after, sections, elapsed):
    lines = [
        "# Codes that keep neighbourhoods",
        "",
        f"Written by `benchmarks/bench_autoencoder.py --neighbors` on {datetime.date.today().isoformat()}. "
        f"{environment_line()}. Torch threads: {threads}. {load_sentence(load_before, load_after, elapsed)}",
        "",
        "Unsupervised. Every method fits on the training rows; LogisticRegression and 10-NN classifiers are "
        "fitted on the training codes (standardised per axis) and scored on the held-out rows; "
        "trustworthiness (10 neighbours) and reconstruction MSE (`inverse_transform(transform(X))`) on the "
        "held-out rows. UMAP is compiled by a full-size fit before anything is timed; its "
        f"`inverse_transform` is timed on {UMAP_INVERSE_ROWS} codes at k=2 and its MSE not computed; at k=8 it "
        "is not run (it triangulates the 8-D code space and did not finish in minutes). "
        "AutoencoderTransformer runs with its defaults (`max_epochs` and `hidden_dims` \"auto\") and "
        "random_state=0.",
        "",
    ]
    for title, rows in sections.items():
        lines += [
            f"## {title}",
            "",
            "| method | k | LogReg acc | 10-NN acc | trustworthiness | recon MSE | fit s | transform rows/s | inverse rows/s |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in rows:
            lines.append(
                f"| {row['method']} | {row['k']} | {row['logreg']:.3f} | {row['knn']:.3f} | {row['trust']:.4f} | "
                f"{_fmt(row['mse'], '.5f')} | {row['fit_s']:.1f} | {row['transform']:,.0f} | {_fmt(row['inverse'], ',.0f')} |"
            )
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_results(path, lines)
    print(f"wrote {path}")
