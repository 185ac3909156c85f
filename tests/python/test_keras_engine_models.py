"""Models: functional graphs, Sequential, subclassing, summary, weights saving, configs."""

import numpy as np
import pytest
from loom.keras import layers

import loom as tf

RNG = np.random.default_rng(1)


def _np(t):
    return np.asarray(t.numpy())


def _dense_ref(layer, x, activation=lambda v: v):
    return activation(x @ _np(layer.kernel) + _np(layer.bias))


def _relu(v):
    return np.maximum(v, 0)


# --- Sequential --------------------------------------------------------------------


def test_sequential_acceptance_four_trainable_variables():
    model = tf.keras.Sequential([layers.Dense(8, activation="relu"), layers.Dense(1)])
    y = model(tf.ones([1, 4]))
    assert y.shape == (1, 1)
    assert len(model.trainable_variables) == 4
    first, second = model.layers
    np.testing.assert_allclose(
        _np(y), _dense_ref(second, _dense_ref(first, np.ones((1, 4)), _relu)), rtol=1e-5
    )


def test_sequential_with_input_builds_immediately_and_exposes_graph():
    model = tf.keras.Sequential([tf.keras.Input((3,)), layers.Dense(2), layers.Dense(5)])
    assert model.built and len(model.weights) == 4
    assert len(model.layers) == 2 and all(isinstance(x, layers.Dense) for x in model.layers)
    assert model.outputs[0].shape == tf.TensorShape([None, 5])
    assert model.compute_output_shape((None, 3)) == tf.TensorShape([None, 5])
    model2 = tf.keras.Sequential([layers.Dense(2, input_shape=(7,))])
    assert model2.built and model2.weights[0].shape == (7, 2)


def test_sequential_add_pop_and_errors():
    model = tf.keras.Sequential()
    model.add(layers.Dense(4, input_shape=(3,)))
    model.add(layers.Dense(2, name="head"))
    assert model.outputs[0].shape == tf.TensorShape([None, 2])
    model.pop()
    assert [layer.name for layer in model.layers] == [model.layers[0].name]
    assert model.outputs[0].shape == tf.TensorShape([None, 4])
    with pytest.raises(TypeError, match="must be an instance of class Layer"):
        model.add("dense")
    with pytest.raises(ValueError, match="unique names"):
        model.add(layers.Dense(1, name=model.layers[0].name))
    model.pop()
    with pytest.raises(TypeError, match="no layers"):
        model.pop()


def test_sequential_build_with_input_shape():
    model = tf.keras.Sequential([layers.Dense(3), layers.Dense(1)])
    assert not model.built and model.weights == []
    model.build((None, 6))
    assert model.built and [w.shape for w in model.weights][0] == (6, 3)
    with pytest.raises(ValueError, match="input_shape"):
        tf.keras.Sequential([layers.Dense(3)]).build()


def test_sequential_training_reaches_dropout():
    model = tf.keras.Sequential([layers.Dropout(0.5, seed=1)])
    x = tf.ones([100, 10])
    assert (_np(model(x)) == 1.0).all()
    dropped = _np(model(x, training=True))
    assert 0.3 < (dropped == 0).mean() < 0.7


def test_sequential_config_round_trip():
    model = tf.keras.Sequential(
        [tf.keras.Input((4,)), layers.Dense(3, activation="relu"), layers.Dropout(0.2)],
        name="seq",
    )
    config = model.get_config()
    assert config["name"] == "seq"
    assert [c["class_name"] for c in config["layers"]] == ["InputLayer", "Dense", "Dropout"]
    clone = tf.keras.Sequential.from_config(config)
    assert clone.built and [w.shape for w in clone.weights] == [(4, 3), (3,)]
    assert clone.get_config() == config


# --- functional -------------------------------------------------------------------


def test_functional_model_matches_numpy_and_lists_layers():
    inputs = tf.keras.Input(shape=(4,), name="features")
    hidden = layers.Dense(5, activation="relu", name="hidden")(inputs)
    outputs = layers.Dense(2, name="out")(hidden)
    model = tf.keras.Model(inputs, outputs)
    assert type(model).__name__ == "Functional" and isinstance(model, tf.keras.Model)
    assert [layer.name for layer in model.layers] == ["features", "hidden", "out"]
    x = RNG.standard_normal((3, 4)).astype(np.float32)
    expected = _dense_ref(model.get_layer("out"), _dense_ref(model.get_layer("hidden"), x, _relu))
    np.testing.assert_allclose(_np(model(x)), expected, rtol=1e-5, atol=1e-6)
    assert model.get_layer(index=1).name == "hidden"
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")
    assert len(model.trainable_variables) == 4
    assert model.output_names == ["out"] and model.input_names == ["features"]


def test_functional_multiple_inputs_and_outputs_with_shared_layer():
    a, b = tf.keras.Input((3,)), tf.keras.Input((3,))
    shared = layers.Dense(2)
    sa, sb = shared(a), shared(b)
    total = sa + sb
    model = tf.keras.Model(inputs=[a, b], outputs=[total, sa])
    xa = RNG.standard_normal((2, 3)).astype(np.float32)
    xb = RNG.standard_normal((2, 3)).astype(np.float32)
    out_total, out_a = model([xa, xb])
    np.testing.assert_allclose(_np(out_a), _dense_ref(shared, xa), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        _np(out_total), _dense_ref(shared, xa) + _dense_ref(shared, xb), rtol=1e-5
    )
    assert len(model.weights) == 2
    with pytest.raises(ValueError, match="expects 2 input"):
        model(xa)


def test_functional_dict_inputs_and_outputs():
    a, b = tf.keras.Input((2,), name="a"), tf.keras.Input((1,), name="b")
    joined = layers.Dense(1, kernel_initializer="ones", bias_initializer="zeros")(a) * b
    model = tf.keras.Model({"a": a, "b": b}, {"y": joined})
    out = model({"a": np.array([[1.0, 2.0]]), "b": np.array([[3.0]])})
    np.testing.assert_allclose(_np(out["y"]), [[9.0]])


def test_functional_disconnected_graph_error():
    a, b = tf.keras.Input((2,), name="in_a"), tf.keras.Input((2,), name="in_b")
    out = layers.Dense(1)(a) + layers.Dense(1)(b)
    with pytest.raises(ValueError, match='Graph disconnected.*"in_b"'):
        tf.keras.Model(a, out)
    with pytest.raises(ValueError, match="KerasTensors"):
        tf.keras.Model(a, tf.ones([1]))


def test_functional_inputs_are_cast_to_the_input_dtype():
    ids = tf.keras.Input((3,), dtype="int32")
    embedded = layers.Embedding(5, 2)(ids)
    model = tf.keras.Model(ids, layers.Flatten()(embedded))
    out = model(np.array([[0, 1, 4]], dtype=np.int64))
    table = _np(model.layers[1].embeddings)
    np.testing.assert_allclose(_np(out), table[[0, 1, 4]].reshape(1, 6))


def test_nested_models_and_functional_config_round_trip():
    inner = tf.keras.Sequential([layers.Dense(3, input_shape=(2,))])
    x = tf.keras.Input((2,))
    outer = tf.keras.Model(x, layers.Dense(1)(inner(x)))
    assert len(outer.trainable_variables) == 4
    assert outer(np.ones((4, 2), np.float32)).shape == (4, 1)

    i = tf.keras.Input((4,), name="x")
    o = layers.Dense(1, name="o")(layers.Dropout(0.1)(layers.Dense(5, name="h")(i)))
    model = tf.keras.Model(i, o, name="net")
    config = model.get_config()
    assert config["input_layers"] == [["x", 0, 0]] and config["output_layers"] == [["o", 0, 0]]
    clone = tf.keras.Model.from_config(config)
    assert clone.name == "net" and [layer.name for layer in clone.layers] == [
        layer.name for layer in model.layers
    ]
    assert clone(np.ones((2, 4))).shape == (2, 1)


def test_functional_model_inside_a_function():
    x = tf.keras.Input((3,))
    model = tf.keras.Model(x, layers.Dense(2, activation="relu")(x))

    @tf.function
    def run(v):
        return model(v, training=False)

    data = RNG.standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(_np(run(data)), _np(model(data)), rtol=1e-6, atol=1e-6)


# --- subclassing ------------------------------------------------------------------


class TwoLayer(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(4, activation="relu")
        self.drop = layers.Dropout(0.5)
        self.out = layers.Dense(1)

    def call(self, x, training=False):
        return self.out(self.drop(self.hidden(x), training=training))


def test_subclassed_model_tracks_layers_and_runs():
    model = TwoLayer()
    assert model.name.startswith("two_layer")
    x = RNG.standard_normal((3, 2)).astype(np.float32)
    y = model(x)
    assert [layer.name for layer in model.layers] == [
        model.hidden.name,
        model.drop.name,
        model.out.name,
    ]
    assert len(model.trainable_variables) == 4
    expected = _dense_ref(model.out, _dense_ref(model.hidden, x, _relu))
    np.testing.assert_allclose(_np(y), expected, rtol=1e-5, atol=1e-6)


def test_subclassed_model_build_and_missing_call():
    model = TwoLayer()
    model.build((None, 5))
    assert model.built and model.hidden.kernel.shape == (5, 4)
    assert np.abs(_np(model.hidden.kernel)).sum() > 0  # initialized, not left empty

    class NoCall(tf.keras.Model):
        pass

    with pytest.raises(NotImplementedError, match="call"):
        NoCall()(tf.ones([1, 1]))


def test_subclassed_model_with_functional_init():
    class Wrapped(tf.keras.Model):
        def __init__(self):
            x = tf.keras.Input((2,))
            super().__init__(x, layers.Dense(3)(x))

    model = Wrapped()
    assert model(np.ones((1, 2))).shape == (1, 3)
    assert len(model.layers) == 2


# --- summary ----------------------------------------------------------------------


def _summary_lines(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return lines


def test_summary_of_sequential_model():
    tf.keras.backend.clear_session()
    model = tf.keras.Sequential([tf.keras.Input((4,)), layers.Dense(8), layers.Dense(1)])
    lines = _summary_lines(model)
    assert lines[0] == 'Model: "sequential"'
    assert lines[2].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#"]
    assert lines[4].startswith(" dense (Dense)") and "(None, 8)" in lines[4]
    assert lines[4].index("(None, 8)") == 29 and lines[4].rstrip().endswith("40")
    assert lines[6].split() == ["dense_1", "(Dense)", "(None,", "1)", "9"]
    assert lines[-4:] == [
        "Total params: 49",
        "Trainable params: 49",
        "Non-trainable params: 0",
        "_" * 65,
    ]
    assert all(len(line) <= 65 for line in lines)


def test_summary_of_functional_model_shows_connections_and_non_trainable():
    a, b = tf.keras.Input((2,), name="a"), tf.keras.Input((3,), name="b")
    da = layers.Dense(4, name="da")
    da.trainable = False
    merged = da(a) + layers.Dense(4, name="db")(b)
    model = tf.keras.Model([a, b], merged, name="two")
    text = "\n".join(_summary_lines(model))
    assert "Connected to" in text
    assert "a (InputLayer)" in text and "[(None, 2)]" in text
    assert "da[0][0]" in text and "db[0][0]" in text
    assert "Total params: 28" in text
    assert "Trainable params: 16" in text and "Non-trainable params: 12" in text


def test_summary_of_subclassed_model_and_unbuilt_error():
    model = TwoLayer()
    with pytest.raises(ValueError, match="not yet been built"):
        model.summary()
    model(tf.ones([1, 3]))
    text = "\n".join(_summary_lines(model))
    assert "multiple" in text and "Total params: 21" in text


# --- saving -----------------------------------------------------------------------


def test_save_and_load_weights_round_trip(tmp_path):
    model = tf.keras.Sequential([tf.keras.Input((3,)), layers.Dense(4), layers.Dense(2)])
    x = RNG.standard_normal((2, 3)).astype(np.float32)
    expected = _np(model(x))
    path = str(tmp_path / "weights" / "ckpt")
    model.save_weights(path)
    other = tf.keras.Sequential([tf.keras.Input((3,)), layers.Dense(4), layers.Dense(2)])
    assert not np.allclose(_np(other(x)), expected)
    other.load_weights(path)
    np.testing.assert_allclose(_np(other(x)), expected, rtol=1e-6, atol=1e-6)
    # A model built after load_weights gets the values when its weights are created.
    lazy = tf.keras.Sequential([layers.Dense(4), layers.Dense(2)])
    lazy.load_weights(path)
    np.testing.assert_allclose(_np(lazy(x)), expected, rtol=1e-6, atol=1e-6)


def test_save_weights_of_subclassed_model_and_format_errors(tmp_path):
    model = TwoLayer()
    x = tf.ones([1, 2])
    expected = _np(model(x))
    model.save_weights(str(tmp_path / "sub"))
    clone = TwoLayer()
    clone(x)
    clone.load_weights(str(tmp_path / "sub"))
    np.testing.assert_allclose(_np(clone(x)), expected, rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="checkpoint format"):
        model.save_weights(str(tmp_path / "w.h5"))


def test_model_is_a_trainer():
    from loom.keras.engine.trainer import Trainer

    model = tf.keras.Sequential([layers.Dense(1)])
    assert isinstance(model, Trainer) and isinstance(model, layers.Layer)
    assert hasattr(model, "compile") and hasattr(model, "fit")


def test_sequential_records_one_call_per_layer():
    model = tf.keras.Sequential([tf.keras.Input((4,)), layers.Dense(3), layers.Dense(2)])
    model.add(layers.Dense(1))
    assert [len(layer._inbound_nodes) for layer in model.layers] == [1, 1, 1]
    assert model.layers[1].output.shape == tf.TensorShape([None, 2])
    assert model.layers[0].input_shape == (None, 4)


def test_functional_model_reports_its_input_and_output_shapes():
    a, b = tf.keras.Input(shape=(3,)), tf.keras.Input(shape=(4,))
    out = tf.keras.layers.Dense(2)(tf.keras.layers.Concatenate()([a, b]))
    model = tf.keras.Model([a, b], out)
    assert model.input_shape == [(None, 3), (None, 4)]
    assert model.output_shape == (None, 2)
    assert model.output is out and model.input == [a, b]
