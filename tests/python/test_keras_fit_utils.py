"""keras.utils: to_categorical, normalize, set_random_seed and the Progbar text."""

import numpy as np
import pytest
from loom.keras import utils

import loom as tf


class FakeClock:
    def __init__(self, start=100.0):
        self.now = start

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(utils.time, "time", fake)
    return fake


def test_to_categorical_matches_identity_rows():
    labels = np.array([0, 2, 1, 2])
    got = utils.to_categorical(labels)
    np.testing.assert_array_equal(got, np.eye(3, dtype=np.float32)[labels])
    assert got.dtype == np.float32


def test_to_categorical_drops_trailing_unit_dim_and_keeps_batch_shape():
    labels = np.array([[1], [0]])
    assert utils.to_categorical(labels, num_classes=4).shape == (2, 4)
    grid = np.array([[0, 1], [1, 0]])
    got = utils.to_categorical(grid, num_classes=2, dtype="int32")
    assert got.shape == (2, 2, 2) and got.dtype == np.int32
    np.testing.assert_array_equal(got[0, 1], [0, 1])


def test_to_categorical_rejects_labels_outside_num_classes():
    with pytest.raises(ValueError, match=r"\[0, 2\)"):
        utils.to_categorical([0, 3], num_classes=2)


def test_normalize_gives_unit_rows_and_leaves_zero_rows():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(utils.normalize(x), [[0.6, 0.8], [0.0, 0.0]])


def test_set_random_seed_repeats_numpy_and_loom_draws():
    utils.set_random_seed(7)
    first = (np.random.rand(), tf.random.uniform([3]).numpy())
    utils.set_random_seed(7)
    second = (np.random.rand(), tf.random.uniform([3]).numpy())
    assert first[0] == second[0]
    np.testing.assert_array_equal(first[1], second[1])
    with pytest.raises(ValueError, match="integer"):
        utils.set_random_seed(1.5)


def test_progbar_verbose1_redraws_in_place_and_ends_the_line(clock, capsys):
    bar = utils.Progbar(10, verbose=1)
    clock.now = 100.5
    bar.update(5, [("loss", 1.0)])
    clock.now = 101.0
    bar.update(10, [("loss", 0.0)])
    out = capsys.readouterr().out
    assert out == (
        "\r 5/10 [==============>...............] - ETA: 0s - loss: 1.0000"
        "\r10/10 [==============================] - 1s 100ms/step - loss: 0.5000\n"
    )


def test_progbar_stateful_metrics_are_shown_as_given(clock, capsys):
    bar = utils.Progbar(4, verbose=1, stateful_metrics=["accuracy"])
    clock.now = 100.002
    bar.update(4, [("accuracy", 0.25), ("loss", 0.00001)])
    out = capsys.readouterr().out
    assert (
        out
        == "\r4/4 [==============================] - 0s 500us/step - accuracy: 0.2500 - loss: 1.0000e-05\n"
    )


def test_progbar_pads_a_shorter_line_to_cover_the_previous_one(clock, capsys):
    bar = utils.Progbar(None, verbose=1, interval=0)
    bar.update(1, [("a_long_metric_name", 1.0)])
    bar.update(2)
    out = capsys.readouterr().out
    first, second = out.split("\r")[1:]
    assert len(second) >= len(first)


def test_progbar_verbose2_prints_one_summary_line(clock, capsys):
    bar = utils.Progbar(32, verbose=2, stateful_metrics=["loss", "accuracy"])
    for step in range(1, 32):
        bar.update(step, [("loss", 9.0)])
    assert capsys.readouterr().out == ""
    clock.now = 100.064
    bar.update(32, [("loss", 0.1234), ("accuracy", 0.95)])
    assert capsys.readouterr().out == "32/32 - 0s - 2ms/step - loss: 0.1234 - accuracy: 0.9500\n"


def test_progbar_verbose0_is_silent(clock, capsys):
    bar = utils.Progbar(3, verbose=0)
    bar.update(3, [("loss", 1.0)])
    assert capsys.readouterr().out == ""


def test_progbar_eta_uses_minutes_past_a_minute(clock, capsys):
    bar = utils.Progbar(100, verbose=1)
    clock.now = 110.0
    bar.update(10)
    assert "ETA: 1:30" in capsys.readouterr().out
