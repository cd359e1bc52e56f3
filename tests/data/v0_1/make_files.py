"""Writes tests/data/v0_1: models saved and pickled by skgen 0.1 (commit 66f7478), with their outputs."""
import sys




def main(out):
    sys.modules["pyarrow"] = None  # strings in Python storage: the files must load where pyarrow is missing
    import pickle
    import warnings

    import numpy as np
    import pandas as pd
    from sklearn.datasets import load_digits

    from skgen import AutoencoderTransformer, GANSampler

    warnings.filterwarnings("ignore")
    rng = np.random.RandomState(0)
    n = 120
    table = pd.DataFrame({"x": rng.normal(size=n), "k": rng.randint(0, 5, size=n),
                          "c": pd.Categorical(rng.choice(["a", "b", "c"], size=n)), "flag": rng.rand(n) > 0.3})
    gan = GANSampler(max_epochs=2, batch_size=40, pac=4, latent_dim=8, generator_dims=(16,), discriminator_dims=(16,),
                     random_state=0, n_threads=1).fit(table)
    X = load_digits().data[:200] / 16.0
    ae = AutoencoderTransformer(n_components=3, max_epochs=3, hidden_dims=(8,), random_state=0, n_threads=1).fit(X)
    images = X.reshape(-1, 8, 8); y = load_digits().target[:200]
    img = GANSampler(max_epochs=2, batch_size=32, latent_dim=8, random_state=0, n_threads=1, generator__base_width=4, discriminator__base_width=4).fit(images, y)
    gan.save(f"{out}/gan_table.skgen"); ae.save(f"{out}/autoencoder.skgen"); img.save(f"{out}/gan_image.skgen")
    with open(f"{out}/gan_table.pkl", "wb") as f: pickle.dump(gan, f)
    with open(f"{out}/autoencoder.pkl", "wb") as f: pickle.dump(ae, f)
    gan.sample(20, random_state=3).to_pickle(f"{out}/gan_table_sample.pkl")
    np.save(f"{out}/autoencoder_codes.npy", ae.transform(X[:20]))
    np.save(f"{out}/gan_image_sample.npy", img.sample(4, y=2, random_state=3))


if __name__ == "__main__":
    main(sys.argv[1])  # PYTHONPATH=<skgen 0.1 checkout> python make_files.py tests/data/v0_1
