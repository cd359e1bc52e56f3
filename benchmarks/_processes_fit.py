"""One GANSampler fit on Adult (the benchmark's 80% split) in each process of a ``torchrun`` (or
in one process), one torch thread each; the first process writes the fit's time and its rows'
scores against the real holdout to ``OUT``. Used by ``bench_scaling.py --processes``.

Usage: ``python _processes_fit.py OUT MAX_EPOCHS [BATCH_SIZE]`` (``auto``: the defaults).
"""

import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_tabular import load_table  # noqa: E402


def main(out, max_epochs, batch_size=None):
    from accelerate import PartialState

    from skgen import GANSampler
    from skgen.metrics import detection_score, quality_score

    torch.set_num_threads(1)
    train, test = load_table("adult")
    epochs = max_epochs if max_epochs == "auto" else int(max_epochs)
    batch = None if batch_size is None else int(batch_size)
    model = GANSampler(random_state=0, n_threads=1, max_epochs=epochs, batch_size=batch, accelerator={"cpu": True})
    start = time.perf_counter()
    model.fit(train)
    fit_s = time.perf_counter() - start
    state = PartialState()
    if not state.is_main_process:
        return
    synthetic = model.sample(len(train), random_state=0)
    result = {
        "processes": state.num_processes, "batch_size": model.net_.batch_size, "fit_s": fit_s, "epochs": len(model.history_),
        "epoch_s": float(sum(model.history_[:, "dur"]) / len(model.history_)),
        "steps": sum(len(epoch["batches"]) for epoch in model.history_),
        "quality": quality_score(test, synthetic), "detection": detection_score(test, synthetic, random_state=0),
    }
    Path(out).write_text(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:])
