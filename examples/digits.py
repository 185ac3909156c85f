"""Keras on Loom: an MLP trained with `fit` on scikit-learn's 8x8 digits (shipped inside
the package, so nothing is downloaded), then the same training step timed eagerly and
as a loom.function.

    PYTHONPATH=python python examples/digits.py
"""

import time

import numpy as np
from sklearn.datasets import load_digits

import loom as tf


def load(seed=0):
    digits = load_digits()
    x = (digits.data / 16.0).astype("float32")
    y = digits.target.astype("int32")
    order = np.random.default_rng(seed).permutation(len(x))
    cut = int(0.8 * len(x))
    return (x[order[:cut]], y[order[:cut]]), (x[order[cut:]], y[order[cut:]])


def build_model():
    layers = tf.keras.layers
    return tf.keras.Sequential(
        [
            tf.keras.Input(shape=(64,)),
            layers.Dense(128, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(10),
        ]
    )


def time_per_step(step, x, y, repeat=50):
    step(x, y)  # warm up (and trace)
    start = time.perf_counter()
    for _ in range(repeat):
        step(x, y)
    return (time.perf_counter() - start) / repeat


def main():
    tf.keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = load()
    model = build_model()
    model.compile(
        optimizer=tf.keras.optimizers.Adam(1e-3),
        loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.summary()
    model.fit(x_train, y_train, batch_size=32, epochs=12, validation_split=0.1, verbose=1)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.1%} on {len(x_test)} held-out digits")

    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = tf.keras.optimizers.SGD(1e-2)

    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    xb, yb = tf.constant(x_train[:32]), tf.constant(y_train[:32])
    eager = time_per_step(train_step, xb, yb)
    traced = time_per_step(tf.function(train_step), xb, yb)
    print(
        f"one training step (batch 32): eager {eager * 1e3:.3f} ms, "
        f"as a loom.function {traced * 1e3:.3f} ms ({eager / traced:.1f}x faster)"
    )
    return accuracy


if __name__ == "__main__":
    main()
