"""GANSampler on images against GaussianMixture, KernelDensity and an
autoencoder + GaussianMixture, side by side in one run.

Data: sklearn's digits (8x8, 75/25 split) and the MNIST test images in
``../shared/datasets`` (28x28, 8k train / 2k test), pixels scaled to [0, 1].
Every method is class-conditional (the baselines are fitted per class) and
generates as many images as the test set, with the test set's labels.

Metrics, in the last hidden layer of ``skgen.metrics.DomainFeatureExtractor``
(an MLPClassifier trained on the real training images): domain Fréchet
distance to the real test images (lower is better), k-NN precision / recall,
normalised entropy of the predicted classes, conditional accuracy (share of
images the classifier assigns to the requested class), and the memorisation
ratio (median nearest-training-image pixel distance of generated images over
that of real test images; about 1 = no memorisation). Plus fit seconds and
sampled images per second.

    python benchmarks/bench_images.py            # digits and MNIST (~15 min)
    python benchmarks/bench_images.py --quick    # digits only, few epochs

Writes ``benchmarks/results/images.md``.
"""

import argparse
import datetime
import sys
import time
from pathlib import Path

import numpy as np
import torch
from skorch.callbacks import Callback
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import KernelDensity

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    check_quiet,
    environment_line,
    load_digits_split,
    load_mnist_split,
    load_sentence,
    machine_load,
    write_results,
)

from skgen import AutoencoderTransformer, GANSampler  # noqa: E402
from skgen.metrics import (  # noqa: E402
    DomainFeatureExtractor,
    conditional_accuracy,
    frechet_distance,
    memorization_ratio,
    precision_recall,
    predicted_class_entropy,
)

RESULTS = Path(__file__).resolve().parent / "results" / "images.md"


class PerClass:
    """Fits ``make()`` on each class's flattened images; samples by label."""

    def __init__(self, make, shape):
        self.make = make
        self.shape = shape

    def fit(self, X, y):
        self.models = {label: self.make().fit(X[y == label].reshape((y == label).sum(), -1)) for label in np.unique(y)}
        return self

    def sample(self, labels, seed):
        out = np.empty((len(labels), int(np.prod(self.shape))))
        for i, label in enumerate(np.unique(labels)):
            rows = labels == label
            model = self.models[label]
            if isinstance(model, KernelDensity):
                out[rows] = model.sample(rows.sum(), random_state=seed + i)
            else:
                out[rows] = model.sample(rows.sum())[0]
        return np.clip(out, 0, 1).reshape(len(labels), *self.shape)


class Unconditional:
    """Fits ``make()`` on all flattened images and ignores the requested labels
    (the issue's reference baselines; no conditional accuracy)."""

    conditional = False

    def __init__(self, make, shape):
        self.make = make
        self.shape = shape

    def fit(self, X, y):
        self.model = self.make().fit(X.reshape(len(X), -1))
        return self

    def sample(self, labels, seed):
        out = self.model.sample(len(labels))[0]
        return np.clip(out, 0, 1).reshape(len(labels), *self.shape)


class AutoencoderMixture:
    """AutoencoderTransformer codes + a GaussianMixture per class in code space."""

    def __init__(self, n_components, per_class, epochs, shape):
        self.n_components = n_components
        self.per_class = per_class
        self.epochs = epochs
        self.shape = shape

    def fit(self, X, y):
        flat = X.reshape(len(X), -1)
        self.ae = AutoencoderTransformer(n_components=self.n_components, max_epochs=self.epochs, random_state=0)
        codes = self.ae.fit_transform(flat)
        self.mixtures = {
            label: GaussianMixture(self.per_class, random_state=0).fit(codes[y == label]) for label in np.unique(y)
        }
        return self

    def sample(self, labels, seed):
        codes = np.empty((len(labels), self.n_components))
        for label in np.unique(labels):
            rows = labels == label
            codes[rows] = self.mixtures[label].sample(rows.sum())[0]
        return np.clip(self.ae.inverse_transform(codes), 0, 1).reshape(len(labels), *self.shape)


class FDTrajectory(Callback):
    """Records the domain FD of the averaged generator every ``every`` epochs
    (the images for the test labels, against the real test images)."""

    def __init__(self, extractor, X_test, y_test, codec_range, every=5):
        self.extractor = extractor
        self.X_test = X_test
        self.y_test = y_test
        self.codec_range = codec_range
        self.every = every
        self.points = []

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        if epoch % self.every:
            return
        labels = torch.as_tensor(np.searchsorted(np.unique(self.y_test), self.y_test))
        images = net.generate(len(self.y_test), labels, generator=torch.Generator().manual_seed(0))
        low, high = self.codec_range
        fake = ((np.clip(images, -1, 1) + 1) / 2 * (high - low) + low).reshape(self.X_test.shape)
        self.points.append((epoch, frechet_distance(self.X_test, fake, feature_extractor=self.extractor)))
        net._set_training(True)


class GAN:
    def __init__(self, trajectory=None, **params):
        self.trajectory = trajectory
        self.params = params

    def fit(self, X, y):
        callbacks = None if self.trajectory is None else [self.trajectory]
        self.model = GANSampler(random_state=0, callbacks=callbacks, **self.params).fit(X, y)
        return self

    def sample(self, labels, seed):
        return self.model.sample(len(labels), y=labels, random_state=seed)


def methods(name, shape, epochs, trajectory):
    if name == "digits":
        gan = GAN(trajectory, max_epochs=epochs, generator__base_width=64, discriminator__base_width=64)
        gan_label = f"skgen GANSampler ({epochs} epochs, base_width=64)"
        mixture, unconditional = 10, 100
    else:
        gan = GAN(trajectory, max_epochs=epochs)
        gan_label = f"skgen GANSampler ({epochs} epochs)"
        mixture, unconditional = 1, 10
    return [
        (gan_label, gan),
        (f"GaussianMixture({mixture}) per class", PerClass(lambda: GaussianMixture(mixture, random_state=0), shape)),
        (f"GaussianMixture({unconditional}), unconditional",
         Unconditional(lambda: GaussianMixture(unconditional, random_state=0), shape)),
        ("KernelDensity(bandwidth=0.1) per class", PerClass(lambda: KernelDensity(bandwidth=0.1), shape)),
        ("AutoencoderTransformer(8) + GaussianMixture(1) per class", AutoencoderMixture(8, 1, 50, shape)),
    ]


def evaluate(extractor, train, test, fake, requested):
    pr = precision_recall(test, fake, feature_extractor=extractor)
    return {
        "fd": frechet_distance(test, fake, feature_extractor=extractor),
        "precision": pr["precision"],
        "recall": pr["recall"],
        "entropy": predicted_class_entropy(fake, extractor),
        "accuracy": conditional_accuracy(fake, requested, extractor),
        "memorization": memorization_ratio(train, fake, test),
    }


def bench_dataset(name, split, epochs):
    X_train, X_test, y_train, y_test = split
    extractor = DomainFeatureExtractor().fit(X_train, y_train)
    pick = np.random.RandomState(0).choice(len(X_train), len(X_test), replace=False)
    rows = [{"name": "real training images (reference)",
             **evaluate(extractor, X_train, X_test, X_train[pick], y_train[pick])}]
    rows[0]["memorization"] = float("nan")  # training images are their own nearest neighbours
    every = max(1, epochs // 8)
    trajectory = FDTrajectory(extractor, X_test, y_test, (float(X_train.min()), float(X_train.max())), every)
    for label, method in methods(name, X_train.shape[1:], epochs, trajectory):
        start = time.perf_counter()
        method.fit(X_train, y_train)
        fit_s = time.perf_counter() - start
        many = np.resize(y_test, 10_000)
        start = time.perf_counter()
        method.sample(many, seed=1)
        per_s = len(many) / (time.perf_counter() - start)
        fake = method.sample(y_test, seed=0)
        row = {"name": label, "fit_s": fit_s, "images_per_s": per_s, **evaluate(extractor, X_train, X_test, fake, y_test)}
        if not getattr(method, "conditional", True):
            row["accuracy"] = float("nan")
        if isinstance(method, GAN):
            row["trajectory"] = list(trajectory.points)
        print(name, row, flush=True)
        rows.append(row)
    return rows


def fmt(value, spec):
    return "—" if value is None or (isinstance(value, float) and np.isnan(value)) else format(value, spec)


def write_report(sections, threads, load_before, load_after, elapsed):
    lines = [
        "# Image generation benchmark",
        "",
        f"Written by `benchmarks/bench_images.py` on {datetime.date.today().isoformat()}. {environment_line()}. "
        f"Torch threads: {threads}. {load_sentence(load_before, load_after, elapsed)}",
        "",
        "Pixels in [0, 1]. Every method generates the test set's size with the test set's labels. FD: Fréchet "
        "distance to the real test images in the last hidden layer of `DomainFeatureExtractor` (an "
        "MLPClassifier trained on the real training images; lower is better). Precision / recall: k-NN "
        "manifolds (k=3) in the same space. Entropy: of the predicted class distribution, normalised (1 = "
        "uniform). Cond. acc.: share classified as the requested class (— for unconditional baselines, which "
        "ignore the labels; they are the issue's reference configurations). Memorisation: median "
        "nearest-training-image pixel distance over that of real test images (about 1 = no memorisation).",
        "",
    ]
    for title, rows in sections.items():
        lines += [f"## {title}", "",
                  "| method | fit s | images/s | FD | precision | recall | entropy | cond. acc. | memorisation |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            lines.append(
                f"| {r['name']} | {fmt(r.get('fit_s'), '.1f')} | {fmt(r.get('images_per_s'), ',.0f')} | "
                f"{r['fd']:.3f} | {r['precision']:.3f} | {r['recall']:.3f} | {r['entropy']:.3f} | "
                f"{fmt(r['accuracy'], '.3f')} | {fmt(r['memorization'], '.2f')} |"
            )
        for r in rows:
            if r.get("trajectory"):
                points = ", ".join(f"{epoch}: {fd:.2f}" for epoch, fd in r["trajectory"])
                lines += ["", f"FD of {r['name']} during training (epoch: FD; averaged generator, same test "
                          f"images): {points}."]
        lines.append("")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    write_results(RESULTS, lines)
    print(f"wrote {RESULTS}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="digits only, 20 epochs")
    parser.add_argument("--digits-epochs", type=int, default=300)
    parser.add_argument("--mnist-epochs", type=int, default=50)
    parser.add_argument("--force", action="store_true", help="run even if the machine is busy")
    args = parser.parse_args()
    from skgen._core._threads import usable_cpus

    threads = usable_cpus()
    torch.set_num_threads(threads)
    load_before = check_quiet(args.force)
    start = time.perf_counter()
    X_train, X_test, y_train, y_test = load_digits_split()
    digits = (X_train.reshape(-1, 8, 8), X_test.reshape(-1, 8, 8), y_train, y_test)
    sections = {"digits (1347 train / 450 test, 8x8)": bench_dataset(
        "digits", digits, 20 if args.quick else args.digits_epochs)}
    if not args.quick:
        X_train, X_test, y_train, y_test = load_mnist_split()
        mnist = (X_train.reshape(-1, 28, 28), X_test.reshape(-1, 28, 28), y_train, y_test)
        sections["MNIST test images (8000 train / 2000 test, 28x28)"] = bench_dataset("mnist", mnist, args.mnist_epochs)
    write_report(sections, threads, load_before, machine_load(), time.perf_counter() - start)


if __name__ == "__main__":
    main()
