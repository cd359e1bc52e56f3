"""Data-parallel GAN training over the processes of an ``accelerate launch``.

Every process holds the data and the same initial networks. A training
step's batch is split across the processes: each draws its own part
(``batch_size / n_processes`` rows, from its own random stream), computes
both networks' gradients on it, and :class:`AveragedGradients` averages
them before either optimizer steps. Every process therefore takes the step
one process would take on the whole batch, and the networks, their Adam
states and the generator's moving average stay identical everywhere.

A plain all-reduce of each network's gradients, not PyTorch's
``DistributedDataParallel``: the critic runs three times per step and its
gradient penalty differentiates twice, which DDP's per-parameter hooks do
not follow.
"""

import torch
from skorch.callbacks import Callback


# What ``accelerator={...}`` may set: accelerate's PartialState options.
PROCESS_OPTIONS = ("cpu", "backend", "timeout")


def check_accelerator(accelerator):
    """Refuse a dict of ``accelerator`` options that ``PartialState`` does not take (it ignores
    unknown ones in a single process)."""
    unknown = sorted(set(accelerator) - set(PROCESS_OPTIONS)) if isinstance(accelerator, dict) else []
    if unknown:
        raise ValueError(
            f"accelerator has unknown option(s) {unknown}; the options are {list(PROCESS_OPTIONS)} "
            "(accelerate.PartialState's)."
        )


def process_state(accelerator):
    """accelerate's ``PartialState`` for the ``accelerator`` parameter, or None.

    Parameters
    ----------
    accelerator : bool, dict or None
        False/None: no Accelerate. True or a dict of ``PartialState``
        keyword arguments (``{"cpu": True}``, ``{"backend": "gloo"}``).
    """
    if not accelerator:
        return None
    try:
        from accelerate import PartialState
    except ImportError:
        raise ImportError("accelerator= needs accelerate: pip install accelerate.") from None
    return PartialState(**(accelerator if isinstance(accelerator, dict) else {}))


def shared_seed(random_state):
    """A seed drawn from ``random_state`` by the first process and given to
    every process, so an unseeded fit makes the same random choices (the
    first pass's sample, the codec, the latent classes, the reading order)
    everywhere."""
    import torch.distributed as dist
    from sklearn.utils import check_random_state

    seed = [int(check_random_state(random_state).randint(2**31 - 1))]
    dist.broadcast_object_list(seed, src=0)
    return seed[0]


def rows_per_process(batch_size, n_processes, multiple=1):
    """Each process's rows of a ``batch_size`` step: an equal share, a multiple of ``multiple``."""
    rows = batch_size // n_processes // multiple * multiple
    if rows < max(1, multiple):
        need = n_processes * max(1, multiple)
        raise ValueError(
            f"A training step of {batch_size} rows cannot be split across {n_processes} processes"
            + (f" in packs of {multiple} rows" if multiple > 1 else "")
            + f"; set batch_size to at least {need}."
        )
    return rows


class AveragedGradients(Callback):
    """Average every gradient across the processes before the optimizer steps.

    At the start of training every process takes the first process's
    weights and buffers (so the networks start equal whatever each process
    drew while building them) and a random stream of its own (the first
    process keeps the fit's, so its draws are a one-process fit's). At the
    end of each epoch and of training the batch-norm statistics, which each
    process gathered on its own rows, are averaged.

    Parameters
    ----------
    n_processes : int
    process_index : int
    """

    def __init__(self, n_processes, process_index):
        self.n_processes = n_processes
        self.process_index = process_index

    @staticmethod
    def _networks(net):
        names = ("module_", "discriminator_", "generator_ema_")
        return [getattr(net, name) for name in names if getattr(net, name, None) is not None]

    def on_train_begin(self, net, **kwargs):
        import torch.distributed as dist

        for network in self._networks(net):
            for tensor in [*network.parameters(), *network.buffers()]:
                dist.broadcast(tensor.data, src=0)
        if self.process_index:
            torch.manual_seed(torch.initial_seed() + self.process_index)

    def on_grad_computed(self, net, named_parameters, **kwargs):
        import torch.distributed as dist

        params = [p for _, p in named_parameters if p.requires_grad]
        if not params:
            return
        # A parameter without a gradient in one process still takes part (as zeros), so every
        # process reduces the same number of values.
        flat = torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).reshape(-1) for p in params])
        dist.all_reduce(flat)
        flat /= self.n_processes
        for p, grad in zip(params, flat.split([p.numel() for p in params])):
            p.grad = grad.view_as(p)

    def on_epoch_end(self, net, **kwargs):
        # Each epoch too: a judge of training (skgen._core._callbacks.JudgedTraining, after this
        # callback) then scores the same generator in every process and makes the same choice.
        self.on_train_end(net)

    def on_train_end(self, net, **kwargs):
        import torch.distributed as dist

        for network in (getattr(net, "module_", None), getattr(net, "generator_ema_", None)):
            if network is None:
                continue
            for buffer in network.buffers():
                if buffer.is_floating_point():
                    dist.all_reduce(buffer.data)
                    buffer.data /= self.n_processes
