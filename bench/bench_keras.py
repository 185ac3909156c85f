"""Keras benchmark: `fit` throughput (samples per second) for an MLP on the digits data
(64-128-64-10, batch 32, Adam), against a hand-written NumPy training loop of the same
model with SGD (a floor: no framework overhead at all) and PyTorch when installed."""

import time

import numpy as np

import loom as tf

BATCH, EPOCHS = 32, 3


def _digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    return (d.data / 16.0).astype("float32"), d.target.astype("int32")


def _model():
    layers = tf.keras.layers
    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(64,)),
            layers.Dense(128, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(10),
        ]
    )
    model.compile(
        optimizer=tf.keras.optimizers.Adam(1e-3),
        loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def numpy_samples_per_second(x, y):
    rng = np.random.default_rng(0)
    ws = [(rng.normal(size=s) * 0.1).astype("float32") for s in [(64, 128), (128, 64), (64, 10)]]
    onehot = np.eye(10, dtype="float32")[y]
    start = time.perf_counter()
    for _ in range(EPOCHS):
        for i in range(0, len(x), BATCH):
            xb, yb = x[i : i + BATCH], onehot[i : i + BATCH]
            h1 = np.maximum(xb @ ws[0], 0)
            h2 = np.maximum(h1 @ ws[1], 0)
            logits = h2 @ ws[2]
            e = np.exp(logits - logits.max(1, keepdims=True))
            d3 = (e / e.sum(1, keepdims=True) - yb) / len(xb)
            d2 = (d3 @ ws[2].T) * (h2 > 0)
            d1 = (d2 @ ws[1].T) * (h1 > 0)
            for w, g in zip(ws, [xb.T @ d1, h1.T @ d2, h2.T @ d3]):
                w -= 0.01 * g
    return EPOCHS * len(x) / (time.perf_counter() - start)


def bench_keras(row):
    x, y = _digits()
    model = _model()
    model.fit(x[:64], y[:64], batch_size=BATCH, epochs=1, verbose=0)  # traces
    start = time.perf_counter()
    model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, verbose=0, shuffle=True)
    loom_rate = EPOCHS * len(x) / (time.perf_counter() - start)
    refs = [f"NumPy hand-written SGD loop {numpy_samples_per_second(x, y):,.0f}/s"]
    row(
        f"Keras fit, digits MLP 64-128-64-10, batch {BATCH}",
        loom_rate,
        "samples/s",
        "",
        "; ".join(refs),
    )
