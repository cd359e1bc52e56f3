"""Default modules (skgen._modules)."""

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA

from skgen._modules import (
    BlockActivation,
    ClassConditionalBatchNorm,
    ConvDiscriminator,
    ConvGenerator,
    EncoderDecoder,
    ResidualAutoencoder,
    TabularDiscriminator,
    TabularGenerator,
    UniformMaskDropout,
    linear_solution,
    make_mlp,
    sample_blocks,
)


def test_linear_solution_reproduces_pca(digits):
    X = digits[0]
    module = ResidualAutoencoder(64, 5).init_linear_(linear_solution(X, 5))
    with torch.no_grad():
        x = torch.as_tensor(X, dtype=torch.float32)
        codes = module.encode(x).numpy()
        rec = module(x).numpy()
    pca = PCA(5).fit(X)
    np.testing.assert_allclose(rec, pca.inverse_transform(pca.transform(X)), atol=1e-4)
    np.testing.assert_allclose(codes.std(axis=0, ddof=1), 1, atol=1e-3)
    np.testing.assert_allclose(codes.mean(axis=0), 0, atol=1e-4)


def test_linear_solution_with_more_codes_than_rank():
    rng = np.random.RandomState(0)
    X = rng.randn(3, 6)  # rank 2 after centring
    sol = linear_solution(X, 4, random_state=rng)
    assert all(np.all(np.isfinite(v)) for v in sol.values())
    module = ResidualAutoencoder(6, 4).init_linear_(sol)
    with torch.no_grad():
        rec = module(torch.as_tensor(X, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(rec, X, atol=1e-4)


def test_constant_features_do_not_divide_by_zero():
    X = np.zeros((10, 3))
    X[:, 0] = np.arange(10)
    sol = linear_solution(X, 2)
    assert all(np.all(np.isfinite(v)) for v in sol.values())


def test_make_mlp_layout():
    mlp = make_mlp(5, (7, 3), 2, activation="tanh", dropout=0.5)
    kinds = [type(m).__name__ for m in mlp]
    assert kinds == ["Linear", "Tanh", "Dropout", "Linear", "Tanh", "Dropout", "Linear"]


def test_encoder_decoder_routes_parameters():
    class Enc(torch.nn.Module):
        def __init__(self, n_features, n_components, width=2):
            super().__init__()
            self.width = width
            self.lin = torch.nn.Linear(n_features, n_components)

        def forward(self, x):
            return self.lin(x)

    class Dec(torch.nn.Module):
        def __init__(self, n_components, n_features):
            super().__init__()
            self.lin = torch.nn.Linear(n_components, n_features)

        def forward(self, z):
            return self.lin(z)

    module = EncoderDecoder(Enc, Dec, n_features=4, n_components=2, encoder__width=9)
    assert module.encoder.width == 9
    assert module(torch.zeros(3, 4)).shape == (3, 4)


def test_sample_blocks_draws_from_each_softmax():
    logits = torch.zeros(1, 7)
    logits[0, :4] = torch.tensor([0.0, 1.0, 2.0, -60.0])  # the last level has probability ~1e-27
    logits[0, 4:] = torch.tensor([3.0, -1.0, 0.5])
    logits = logits.expand(200_000, -1).contiguous()
    generator = torch.Generator().manual_seed(0)
    choices = sample_blocks(logits, [(0, 4), (4, 3)], generator)
    assert choices.shape == (200_000, 2)
    for b, (start, width) in enumerate([(0, 4), (4, 3)]):
        observed = torch.bincount(choices[:, b], minlength=width).double() / len(choices)
        expected = torch.softmax(logits[0, start : start + width].double(), 0)
        # 200k draws: the standard error of each share is at most 0.0012.
        np.testing.assert_allclose(observed.numpy(), expected.numpy(), atol=0.005)
    assert not (choices[:, 0] == 3).any()


def test_sample_blocks_takes_the_first_level_whose_cumulative_weight_reaches_the_threshold():
    # The inverse CDF, level by level: the same levels for the same uniforms, ties and levels of no
    # weight (an underflowed exp) included.
    logits = torch.randn(5000, 9)
    logits[:, 2] = -200.0  # no weight: never drawn, and the cumulative weight repeats across it
    logits[::7, 5:] = 1.0  # equal weights
    blocks = [(0, 4), (4, 5)]
    choices = sample_blocks(logits, blocks, torch.Generator().manual_seed(3))
    uniform = torch.rand(len(logits), len(blocks), generator=torch.Generator().manual_seed(3))
    for b, (start, width) in enumerate(blocks):
        block = logits[:, start : start + width]
        cumulative = (block - block.amax(1, keepdim=True)).exp().cumsum(1)
        expected = (cumulative < uniform[:, b : b + 1] * cumulative[:, -1:]).sum(1).clamp_max(width - 1)
        assert torch.equal(choices[:, b], expected)
    assert not (choices[:, 0] == 2).any()


def test_sample_blocks_is_reproducible_with_a_seed():
    logits = torch.randn(1000, 10)
    first = sample_blocks(logits, [(0, 3), (3, 7)], torch.Generator().manual_seed(1))
    second = sample_blocks(logits, [(0, 3), (3, 7)], torch.Generator().manual_seed(1))
    assert torch.equal(first, second)


def test_class_conditional_batch_norm_scales_each_class():
    norm = ClassConditionalBatchNorm(3, n_classes=2)
    with torch.no_grad():
        norm.gain.weight[1] = 2.0
        norm.bias.weight[1] = 5.0
    x = torch.randn(64, 3, 4, 4)
    labels = torch.tensor([0, 1]).repeat(32)
    out = norm(x, labels)
    plain = torch.nn.functional.batch_norm(x, None, None, training=True)
    torch.testing.assert_close(out[labels == 0], plain[labels == 0])
    torch.testing.assert_close(out[labels == 1], 2 * plain[labels == 1] + 5)


def test_conditional_generator_uses_the_label_beyond_its_input():
    torch.manual_seed(0)
    generator = ConvGenerator(latent_dim=8, n_classes=3, channels=1, height=28, width=28)
    norms = [m for m in generator.modules() if isinstance(m, ClassConditionalBatchNorm)]
    assert len(norms) == 3  # the projection and the 8x8 and 16x16 grids (4 -> 8 -> 16 -> 32, cropped)
    generator.eval()
    noise = torch.randn(1, 8).expand(2, -1)
    labels = torch.tensor([0, 2])
    with torch.no_grad():
        generator.embed.weight.zero_()  # the label now acts only through the norms
        images = generator(noise, labels)
        torch.testing.assert_close(images[0], images[1])
        norms[-1].bias.weight[2] += 1.0
        images = generator(noise, labels)
    assert images.shape == (2, 1, 28, 28)
    assert not torch.allclose(images[0], images[1])


def test_uniform_mask_dropout_matches_nn_dropout():
    torch.manual_seed(0)
    dropout = UniformMaskDropout(0.3)
    x = torch.ones(400, 500)
    out = dropout(x)
    kept = out != 0
    assert abs(kept.float().mean().item() - 0.7) < 0.01
    torch.testing.assert_close(out[kept], torch.full_like(out[kept], 1 / 0.7))
    assert abs(out.mean().item() - 1.0) < 0.02  # unbiased, as nn.Dropout
    dropout.eval()
    assert torch.equal(dropout(x), x)
    assert torch.equal(UniformMaskDropout(0.0)(x), x)
    assert torch.equal(UniformMaskDropout(1.0)(x), torch.zeros_like(x))


def test_tabular_generator_takes_condition_indices():
    torch.manual_seed(0)
    generator = TabularGenerator(latent_dim=4, cond_dim=6, output_dim=5, hidden_dims=(8,)).eval()
    noise = torch.randn(10, 4)
    index = torch.randint(0, 6, (10,))
    one_hot = torch.nn.functional.one_hot(index, 6).float()
    with torch.no_grad():
        torch.testing.assert_close(generator(noise, cond_index=index), generator(noise, one_hot))



@pytest.mark.parametrize("cond_dim", [0, 6])
def test_an_output_layer_that_reads_only_the_condition_skips_the_hidden_layers(cond_dim):
    # The judged training's zero-started state: sampling computes the output layer's condition part
    # alone. Hidden layers of NaN show they are not run; the rows are those of the whole network.
    torch.manual_seed(0)
    generator = TabularGenerator(latent_dim=4, cond_dim=cond_dim, output_dim=5, hidden_dims=(8, 8)).eval()
    with torch.no_grad():
        generator.out.weight[:, : generator.out.weight.shape[1] - cond_dim] = 0.0
    noise, index = torch.randn(10, 4), torch.randint(0, 6, (10,))
    cond = torch.nn.functional.one_hot(index, 6).float() if cond_dim else None
    with torch.inference_mode():
        whole = generator(noise, cond)
        for block in generator.blocks:
            block[0].weight.fill_(float("nan"))
        torch.testing.assert_close(generator(noise, cond), whole, rtol=0, atol=0)
        if cond_dim:
            torch.testing.assert_close(generator(noise, cond_index=index), whole, rtol=0, atol=0)
        generator.out.weight[0, 0] = 1.0  # an output layer that reads the hidden layers runs them
        assert generator(noise, cond).isnan().all(1).any()
    generator.train()  # and training always runs them (its gradients reach the hidden layers)
    assert generator(noise, cond).isnan().any()

@pytest.mark.parametrize("hot_per_row", [1, 2])
def test_tabular_critic_takes_condition_indices(hot_per_row):
    # Each pack's rows read their own part of the first layer's condition weights.
    torch.manual_seed(0)
    critic = TabularDiscriminator(input_dim=3, cond_dim=7, pac=4, hidden_dims=(8,)).eval()
    rows = torch.randn(12, 3)
    index = torch.stack([torch.randint(0, 4, (12,)), torch.randint(4, 7, (12,))], 1)[:, :hot_per_row]
    one_hot = torch.zeros(12, 7).scatter_(1, index, 1.0)
    with torch.no_grad():
        torch.testing.assert_close(critic(rows, cond_index=index.squeeze(1) if hot_per_row == 1 else index),
                                   critic(rows, one_hot))


def test_block_activation_is_a_softmax_per_block_whatever_the_padding():
    # Blocks narrower than the padded width (16) and one wider; the numeric columns pass unchanged.
    torch.manual_seed(0)
    blocks = [(0, 3), (4, 20), (24, 1)]
    activation = BlockActivation(26, blocks)
    out = torch.randn(5, 26)
    probs = activation(out, tau=0.5, gumbel=False)
    for start, width in blocks:
        torch.testing.assert_close(probs[:, start : start + width], torch.softmax(out[:, start : start + width] / 0.5, 1))
    torch.testing.assert_close(probs[:, [3, 25]], out[:, [3, 25]])


@pytest.mark.parametrize("shape", [(8, 8), (28, 28), (5, 3), (13, 20), (1, 1)])
@pytest.mark.parametrize("refine", ["auto", True, False])
def test_image_modules_fit_any_size_with_and_without_refining(shape, refine):
    height, width = shape
    generator = ConvGenerator(16, 3, 2, height, width, base_width=8, refine=refine)
    critic = ConvDiscriminator(2, height, width, 3, base_width=8, refine=refine)
    labels = torch.tensor([0, 1, 2, 0])
    images = generator(torch.randn(4, 16), labels)
    assert images.shape == (4, 2, height, width)
    assert critic(images, labels).shape == (4,)


def test_small_images_get_refining_convolutions_by_default():
    def n_convolutions(module):
        return sum(isinstance(m, torch.nn.modules.conv._ConvNd) for m in module.modules())

    # 8x8: one up-sampling step, so "auto" adds a 3x3 convolution on each side of it.
    assert n_convolutions(ConvGenerator(16, 10, 1, 8, 8)) == 3
    assert n_convolutions(ConvGenerator(16, 10, 1, 8, 8, refine=False)) == 1
    assert n_convolutions(ConvDiscriminator(1, 8, 8, 10)) == 3
    assert n_convolutions(ConvDiscriminator(1, 8, 8, 10, refine=False)) == 1
    # 28x28 keeps the plain DCGAN stack.
    assert n_convolutions(ConvGenerator(16, 10, 1, 28, 28)) == 3
    assert n_convolutions(ConvDiscriminator(1, 28, 28, 10)) == 3
    with pytest.raises(ValueError, match="refine"):
        ConvGenerator(16, 10, 1, 8, 8, refine="yes")
