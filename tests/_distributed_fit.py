"""Fit a GANSampler across the processes of a ``torchrun`` (or in one process); each process
writes what it holds to ``OUT/process<index>.json``.

Usage: ``python _distributed_fit.py OUT table|unseeded|image|untrained|PARQUET_FILE EPOCHS`` (a
Parquet file: the table streamed from it; unseeded: the table with ``random_state=None``).
"""

import json
import sys

import numpy as np
import pandas as pd
import torch
from skorch.callbacks import Callback

from skgen import GANSampler
from skgen.metrics import quality_score


class BatchRows(Callback):
    """The sizes of the training batches this process saw."""

    def initialize(self):
        self.rows = set()
        return self

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            self.rows.add(len(batch[0]))


def record_encoded_rows(seen):
    """Make streamed fits append each buffer's ``x`` values, as encoded by this process, to ``seen``."""
    from skgen._tabular import _kind

    make_encoder = _kind.buffer_encoder

    def recording_encoder(*args, **kwargs):
        encode = make_encoder(*args, **kwargs)

        def recording(frame):
            seen.extend(frame["x"].tolist())
            return encode(frame)

        return recording

    _kind.buffer_encoder = recording_encoder


def table(n, seed):
    rng = np.random.RandomState(seed)
    group = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    x = np.select([group == "a", group == "b"], [0.0, 4.0], 8.0) + rng.randn(n)
    y = 2 * x + rng.randn(n)
    return pd.DataFrame({"group": group, "x": x, "y": y, "high": y > 8})


def flat(module):
    tensors = [t for t in [*module.parameters(), *module.buffers()] if t.is_floating_point()]
    return torch.cat([t.detach().reshape(-1).double() for t in tensors]).tolist()


def main(out, mode, max_epochs):
    from accelerate import PartialState

    rows, encoded_x = BatchRows(), []
    record_encoded_rows(encoded_x)
    common = {"accelerator": {"cpu": True}, "random_state": None if mode == "unseeded" else 0, "n_threads": 1,
              "callbacks": [rows]}
    if mode == "image":
        images = np.random.RandomState(0).rand(96, 8, 8).astype(np.float32)
        model = GANSampler(max_epochs=max_epochs, batch_size=16, **common).fit(images)
        n_steps = 96 // 16
    else:
        real = table(2000, 0) if mode in ("table", "unseeded", "untrained") else mode
        params = {"lr": 1e-12, "latent_classes": 0, "calibrate_levels": False} if mode == "untrained" else {}
        model = GANSampler(max_epochs=max_epochs, batch_size=200, **common, **params).fit(real)
        n_steps = 2000 // 200
    state = PartialState()
    net = model.net_
    result = {
        "n_processes": state.num_processes,
        "batch_rows": sorted(rows.rows),
        "steps": sum(len(epoch["batches"]) for epoch in net.history),
        "expected_steps": n_steps * len(net.history),  # (every epoch trained, up to a judged stop)
        "generator": flat(net.module_),
        "ema": flat(net.generator_ema_),
        "critic": flat(net.discriminator_),
        "encoded_x": encoded_x,
        "scores": getattr(model, "validation_scores_", None),
    }
    if mode == "image":
        result["sample"] = model.sample(4, random_state=0).reshape(-1).round(5).tolist()
    else:
        synthetic = model.sample(2000, random_state=0)
        result["sample"] = synthetic["x"].round(5).tolist()[:20]
        result["quality"] = quality_score(table(2000, 1), synthetic)
    with open(f"{out}/process{state.process_index}.json", "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
