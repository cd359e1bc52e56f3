"""The autoencoder's skorch net: reconstruction training, an optional head, batched inference."""

import numpy as np
import torch
from skorch import NeuralNet
from skorch.utils import is_dataset

from .._data import INFERENCE_BATCH_SIZE, InMemoryDataset, SliceBatchIterator, as_float32_tensor
from ._lean import LeanNetMixin


_MIN_KERNEL_ROWS = 16


class AutoencoderNet(LeanNetMixin, NeuralNet):
    """A skorch net that trains ``module`` to reconstruct its input.

    The module must provide ``encode(x)`` and ``decode(z)``; its ``forward``
    returns the reconstruction (or the logits of it, with a
    ``BCEWithLogitsLoss`` criterion and ``predict_nonlinearity=torch.sigmoid``).
    Data are held on the device as one tensor and batched by slicing.

    Parameters
    ----------
    module : type of torch.nn.Module
    head_task : {"classification", "regression"} or None, default=None
        With a task, a linear head on the codes (``head_``) predicts the
        targets ``y`` and its loss, times ``head_weight``, is added to the
        reconstruction loss.
    head_inputs : int, default=0
        Code width (input of the head).
    head_outputs : int, default=0
        Number of classes or regression targets.
    head_weight : float, default=1.0
    precision : {None, "bf16", "fp16"}, default=None
        Train under ``torch.autocast`` in this precision (None: float32).
    """

    def __init__(
        self, module, *args, head_task=None, head_inputs=0, head_outputs=0, head_weight=1.0, precision=None, **kwargs
    ):
        kwargs.setdefault("iterator_train", SliceBatchIterator)
        kwargs.setdefault("iterator_valid", SliceBatchIterator)
        kwargs.setdefault("iterator_train__shuffle", True)
        kwargs.setdefault("train_split", None)
        super().__init__(module, *args, **kwargs)
        self.head_task = head_task
        self.head_inputs = head_inputs
        self.head_outputs = head_outputs
        self.head_weight = head_weight
        self.precision = precision

    def train_step(self, batch, **fit_params):
        if self.precision is None:
            return super().train_step(batch, **fit_params)
        # Mixed precision: the forward pass and loss under torch.autocast;
        # float16 scales the loss so small gradients do not underflow.
        self._set_training(True)
        Xi, yi = batch
        device_type = torch.device(self.device).type
        dtype = torch.bfloat16 if self.precision == "bf16" else torch.float16
        self.optimizer_.zero_grad(set_to_none=True)
        with torch.autocast(device_type=device_type, dtype=dtype):
            y_pred = self.infer(Xi, **fit_params)
            loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        if self.precision == "fp16":
            scaler = self.__dict__.setdefault("_grad_scaler", torch.amp.GradScaler(device_type))
            scaler.scale(loss).backward()
            scaler.unscale_(self.optimizer_)  # callbacks see (and clip) the true gradients
            self._notify_grad_computed(self.module_, batch)
            scaler.step(self.optimizer_)
            scaler.update()
        else:
            loss.backward()
            self._notify_grad_computed(self.module_, batch)
            self.optimizer_.step()
        return {"loss": loss.detach().float(), "y_pred": y_pred}

    def initialize_module(self):
        super().initialize_module()
        if self.head_task is not None:
            self.head_ = torch.nn.Linear(self.head_inputs, self.head_outputs).to(self.device)
        return self

    def get_dataset(self, X, y=None):
        if is_dataset(X):
            return X
        return InMemoryDataset(as_float32_tensor(X, self.device))

    def infer(self, x, **fit_params):
        if self.head_task is None:
            return self.module_(x, **fit_params)
        codes = self.module_.encode(x)
        return self.module_.decode(codes), codes

    def get_loss(self, y_pred, y_true, X=None, training=False):
        # The target of an autoencoder is its input; y (if any) is the
        # target of the head.
        if self.head_task is None:
            return self.criterion_(y_pred, X)
        reconstruction, codes = y_pred
        loss = self.criterion_(reconstruction, X)
        if training:
            self.history.record_batch("reconstruction_loss", loss.item())
        return loss + self._head_loss(codes, y_true, training)

    def _head_loss(self, codes, y_true, training):
        """The head's weighted loss on ``codes`` (0 without a head or targets)."""
        if self.head_task is None or y_true is None:
            return 0.0
        predicted = self.head_(codes)
        if self.head_task == "classification":
            head_loss = torch.nn.functional.cross_entropy(predicted, y_true)
        else:
            head_loss = torch.nn.functional.mse_loss(predicted, y_true)
        if training:
            self.history.record_batch("head_loss", head_loss.item())
        return self.head_weight * head_loss

    # --- inference -------------------------------------------------------

    def _batched(self, fn, X, batch_size=INFERENCE_BATCH_SIZE):
        """Apply ``fn`` to ``X`` in no-grad batches; return a float32 tensor on CPU."""
        self._set_training(False)
        X = as_float32_tensor(X, self.device)
        outputs = []
        with torch.inference_mode():
            for start in range(0, len(X), batch_size):
                batch = X[start : start + batch_size]
                n_rows = len(batch)
                if 0 < n_rows < _MIN_KERNEL_ROWS:
                    # A few rows take the matrix-vector kernels, whose float32
                    # rounding differs from the matrix-matrix ones: padded,
                    # a row's codes do not depend on how many rows come with it.
                    batch = torch.cat([batch, batch[-1:].expand(_MIN_KERNEL_ROWS - n_rows, *batch.shape[1:])])
                outputs.append(fn(batch)[:n_rows])
        out = outputs[0] if len(outputs) == 1 else torch.cat(outputs)
        return out.cpu()

    def _reconstruct(self, x):
        out = self.module_(x)
        nonlinearity = self._get_predict_nonlinearity()
        return nonlinearity(out)

    def encode(self, X):
        """Codes of ``X`` (ndarray, float32) from ``module.encode``."""
        return self._batched(self.module_.encode, X).numpy()

    def decode(self, Z):
        """Reconstructions (ndarray, float32) of codes ``Z`` from ``module.decode``."""
        nonlinearity = self._get_predict_nonlinearity()
        return self._batched(lambda z: nonlinearity(self.module_.decode(z)), Z).numpy()

    def reconstruction_error(self, X):
        """Mean squared reconstruction error of each row of ``X`` (float64 ndarray)."""

        def row_mse(x):
            return torch.mean((self._reconstruct(x) - x) ** 2, dim=1)

        return self._batched(row_mse, X).numpy().astype(np.float64)


class EmbeddingAutoencoderNet(AutoencoderNet):
    """An :class:`AutoencoderNet` whose codes also learn a layout of the rows.

    Trained on batches ``(x, (layout, clean, y))`` (from
    ``skgen._autoencoder._embedding.NeighborBatchIterator``): the loss is the
    loss of reconstructing ``clean`` (``x`` without its noise) from ``x``
    plus ``embedding_weight`` times the mean squared distance between the
    codes of ``x`` and ``layout``, plus the head's loss on ``y`` when there
    is a head.

    Parameters
    ----------
    module : type of torch.nn.Module
    embedding_weight : float, default=1.0
    **kwargs
        As for :class:`AutoencoderNet`.
    """

    def __init__(self, module, *args, embedding_weight=1.0, **kwargs):
        super().__init__(module, *args, **kwargs)
        self.embedding_weight = embedding_weight

    def infer(self, x, **fit_params):
        codes = self.module_.encode(x)
        return self.module_.decode(codes), codes

    def get_loss(self, y_pred, y_true, X=None, training=False):
        reconstruction, codes = y_pred
        layout, clean, targets = y_true
        reconstruction_loss = self.criterion_(reconstruction, clean)
        embedding_loss = torch.nn.functional.mse_loss(codes, layout)
        if training:
            self.history.record_batch("reconstruction_loss", reconstruction_loss.item())
            self.history.record_batch("embedding_loss", embedding_loss.item())
        loss = reconstruction_loss + self.embedding_weight * embedding_loss
        return loss + self._head_loss(codes, targets, training)


def accelerated_autoencoder_net():
    """:class:`AutoencoderNet` with skorch's ``AccelerateMixin`` (needs
    ``accelerate``): modules, optimizer and data loader are prepared by a
    Hugging Face ``Accelerator``, so ``accelerate launch`` trains one model on
    several GPUs (each process takes a shard of every epoch). Built on first
    use, as ``skgen._nets.AcceleratedAutoencoderNet`` (so pickles find it)."""
    cls = globals().get("AcceleratedAutoencoderNet")
    if cls is None:
        from skorch.hf import AccelerateMixin

        def get_dataset(self, X, y=None):
            if is_dataset(X):
                return X
            return InMemoryDataset(as_float32_tensor(X, "cpu"))

        cls = type("AcceleratedAutoencoderNet", (AccelerateMixin, AutoencoderNet), {"get_dataset": get_dataset})
        cls.__module__ = "skgen._nets"  # where pickles look it up (the package re-exports it)
        globals()["AcceleratedAutoencoderNet"] = cls
    return cls
