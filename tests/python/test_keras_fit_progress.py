"""What fit/evaluate/predict print for verbose 0, 1, 2 and "auto"."""

import re

import numpy as np

from loom import keras

NUMBER = r"\d+\.\d{4}(e-\d+)?"
TIME = r"\d+s"
PER_STEP = r"\d+(s|ms|us)/step"


def fitted_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3)])
    model.compile(
        optimizer=keras.optimizers.SGD(0.1),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4)).astype(np.float32)
    y = rng.integers(0, 3, size=40)
    return model, x, y


def test_verbose_2_prints_one_line_per_epoch(capsys):
    model, x, y = fitted_model()
    model.fit(x, y, batch_size=10, epochs=2, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    pattern = rf"4/4 - {TIME} - {PER_STEP} - loss: {NUMBER} - accuracy: {NUMBER}"
    assert re.fullmatch(pattern, lines[1]) and re.fullmatch(pattern, lines[3])


def test_verbose_2_epoch_line_includes_validation_metrics(capsys):
    model, x, y = fitted_model()
    model.fit(x, y, batch_size=10, epochs=1, verbose=2, validation_data=(x, y))
    line = capsys.readouterr().out
    assert "Epoch 1/1" not in line  # a single epoch has no header
    assert re.fullmatch(
        rf"4/4 - {TIME} - {PER_STEP} - loss: {NUMBER} - accuracy: {NUMBER} - val_loss: {NUMBER}"
        rf" - val_accuracy: {NUMBER}\n",
        line,
    )


def test_verbose_1_redraws_a_bar_and_ends_each_epoch_line(capsys):
    model, x, y = fitted_model()
    history = model.fit(x, y, batch_size=10, epochs=2, verbose=1)
    out = capsys.readouterr().out
    epochs = out.split("Epoch ")[1:]
    assert [e.split("\n", 1)[0] for e in epochs] == ["1/2", "2/2"]
    final_lines = [e.split("\n")[1].split("\r")[-1] for e in epochs]
    for line, loss in zip(final_lines, history.history["loss"]):
        assert re.fullmatch(
            rf"4/4 \[={{30}}\] - {TIME} {PER_STEP} - loss: {NUMBER} - accuracy: {NUMBER}\s*", line
        )
        assert f"loss: {loss:.4f}" in line
    assert out.endswith("\n")


def test_auto_verbosity_is_the_bar(capsys):
    model, x, y = fitted_model()
    model.fit(x, y, batch_size=40, epochs=1)
    assert re.search(r"\r1/1 \[={30}\]", capsys.readouterr().out)


def test_verbose_0_prints_nothing(capsys):
    model, x, y = fitted_model()
    model.fit(x, y, epochs=2, verbose=0, validation_split=0.25)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""


def test_evaluate_and_predict_show_their_own_bar(capsys):
    model, x, y = fitted_model()
    model.evaluate(x, y, batch_size=20, verbose=1)
    out = capsys.readouterr().out
    assert re.fullmatch(
        rf"(\r.*)*\r2/2 \[={{30}}\] - {TIME} {PER_STEP} - loss: {NUMBER} - accuracy: {NUMBER}\s*\n",
        out,
    )
    model.predict(x, batch_size=8, verbose=1)
    out = capsys.readouterr().out
    assert re.search(rf"\r5/5 \[={{30}}\] - {TIME} {PER_STEP}\s*\n$", out)


def test_fit_validation_does_not_print_an_evaluation_bar(capsys):
    model, x, y = fitted_model()
    model.fit(x, y, batch_size=10, epochs=1, verbose=1, validation_data=(x, y))
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "val_loss" in out
