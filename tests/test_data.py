"""In-memory batching and device resolution (skgen._data)."""

import numpy as np
import pytest
import torch

from skgen._core._context import resolve_device
from skgen._data import InMemoryDataset, SliceBatchIterator, as_float32_tensor


def test_iterator_covers_every_row_once_per_epoch():
    X = torch.arange(10, dtype=torch.float32).reshape(10, 1)
    it = SliceBatchIterator(InMemoryDataset(X), batch_size=4, shuffle=True)
    assert len(it) == 3
    for _ in range(3):
        batches = [xb for xb, yb in it]
        assert [len(b) for b in batches] == [4, 4, 2]
        assert sorted(torch.cat(batches).flatten().tolist()) == list(range(10))


def test_iterator_shuffles_between_epochs_and_not_without_shuffle():
    X = torch.arange(100, dtype=torch.float32).reshape(100, 1)
    torch.manual_seed(0)
    shuffled = SliceBatchIterator(InMemoryDataset(X), batch_size=100, shuffle=True)
    first, second = next(iter(shuffled))[0], next(iter(shuffled))[0]
    assert not torch.equal(first, second)
    ordered = SliceBatchIterator(InMemoryDataset(X), batch_size=30)
    assert torch.equal(torch.cat([xb for xb, _ in ordered]), X)


def test_iterator_keeps_labels_aligned():
    X = torch.arange(20, dtype=torch.float32).reshape(20, 1)
    y = torch.arange(20) * 10
    for xb, yb in SliceBatchIterator(InMemoryDataset(X, y), batch_size=6, shuffle=True):
        assert torch.equal(xb.flatten().long() * 10, yb)


def test_dataset_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="X has 3 rows but y has 2"):
        InMemoryDataset(torch.zeros(3, 1), torch.zeros(2))


def test_as_float32_tensor_copies_read_only_and_other_dtypes():
    X = np.arange(6, dtype=np.float64).reshape(3, 2)
    t = as_float32_tensor(X)
    assert t.dtype == torch.float32
    t[0, 0] = 99
    assert X[0, 0] == 0
    ro = np.zeros((2, 2), dtype=np.float32)
    ro.flags.writeable = False
    t = as_float32_tensor(ro)
    t[0, 0] = 1
    assert ro[0, 0] == 0


@pytest.mark.parametrize("device", ["cpu", torch.device("cpu")])
def test_resolve_cpu(device):
    assert resolve_device(device) == "cpu"


def test_resolve_auto_matches_availability():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto") == expected


@pytest.mark.parametrize("device", ["tpu", "gpu", "", 3, None])
def test_resolve_unknown_device(device):
    with pytest.raises(ValueError, match="device"):
        resolve_device(device)


def _space_and_data():
    from skgen._data import ConditionalDataset, ConditionSpace

    rng = np.random.RandomState(0)
    codes = np.stack([rng.choice(3, 5000, p=[0.9, 0.09, 0.01]), rng.choice(2, 5000)], axis=1)
    counts = [np.bincount(codes[:, j], minlength=k) for j, k in enumerate((3, 2))]
    space = ConditionSpace(counts)
    X = torch.arange(5000, dtype=torch.float32).reshape(-1, 1)
    return space, ConditionalDataset(X, torch.from_numpy(codes), space), codes


def test_condition_space_frequencies():
    space, _, codes = _space_and_data()
    assert space.n_conditions == 5
    torch.manual_seed(0)
    drawn = space.sample(200_000, space.data_probs)
    share = torch.bincount(drawn, minlength=5).double() / len(drawn)
    # column chosen uniformly (1/2), then the level by its frequency
    np.testing.assert_allclose(share[:3].numpy(), 0.5 * np.array([0.9, 0.09, 0.01]), atol=0.01)
    train = torch.bincount(space.sample(200_000, space.train_probs), minlength=5).double() / 200_000
    assert train[2] > 5 * share[2]  # log-frequency oversamples the rare level


def test_rows_for_returns_rows_with_the_condition():
    space, data, codes = _space_and_data()
    conditions = torch.tensor([0, 1, 2, 3, 4] * 200)
    rows = data.rows_for(conditions).numpy()
    column = np.where(conditions.numpy() < 3, 0, 1)
    level = np.where(conditions.numpy() < 3, conditions.numpy(), conditions.numpy() - 3)
    assert np.all(codes[rows, column] == level)


def test_drop_last():
    X = torch.zeros(10, 1)
    it = SliceBatchIterator(InMemoryDataset(X), batch_size=4, drop_last=True)
    assert [len(xb) for xb, _ in it] == [4, 4] and len(it) == 2




def test_large_data_are_gathered_batch_by_batch_in_the_same_order(monkeypatch):
    X = torch.arange(40, dtype=torch.float32).reshape(20, 2)
    y = torch.arange(20)
    torch.manual_seed(0)
    whole = [(xb.clone(), yb.clone()) for xb, yb in SliceBatchIterator(InMemoryDataset(X, y), 6, shuffle=True)]
    monkeypatch.setattr(SliceBatchIterator, "WHOLE_GATHER_BYTES", 0)
    torch.manual_seed(0)
    batched = list(SliceBatchIterator(InMemoryDataset(X, y), 6, shuffle=True))
    for (xa, ya), (xb, yb) in zip(whole, batched):
        assert torch.equal(xa, xb) and torch.equal(ya, yb)
