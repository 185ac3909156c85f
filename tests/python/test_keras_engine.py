"""The Layer base class: building, weights, tracking, training flag, losses, configs,
and behaviour inside loom.function."""

import numpy as np
import pytest
from loom.keras import layers

import loom as tf


def _np(t):
    return np.asarray(t.numpy())


class Scale(layers.Layer):
    """y = x * w (w per feature), counting how often build runs."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.builds = 0

    def build(self, input_shape):
        self.builds += 1
        self.w = self.add_weight("w", shape=(input_shape[-1],), initializer="ones")
        self.steps = self.add_weight("steps", shape=(), dtype="int32", trainable=False)

    def call(self, inputs):
        return inputs * self.w

    def get_config(self):
        return super().get_config()


def test_layer_builds_once_from_the_first_input_shape():
    layer = Scale()
    assert not layer.built
    out = layer(np.array([[1.0, 2.0, 3.0]], np.float32))
    np.testing.assert_array_equal(_np(out), [[1.0, 2.0, 3.0]])
    layer(tf.ones([4, 3]))
    assert layer.built and layer.builds == 1
    assert [v.name for v in layer.trainable_weights] == [f"{layer.name}/w:0"]
    assert [v.name for v in layer.non_trainable_weights] == [f"{layer.name}/steps:0"]
    assert layer.non_trainable_weights[0].dtype == tf.int32
    assert layer.count_params() == 4


def test_unique_default_names_and_clear_session():
    tf.keras.backend.clear_session()
    assert [Scale().name, Scale().name, layers.Dense(1).name] == ["scale", "scale_1", "dense"]
    tf.keras.backend.clear_session()
    assert Scale().name == "scale"


def test_trainable_flag_moves_weights_to_non_trainable():
    layer = Scale()
    layer(tf.ones([1, 2]))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    layer.trainable = True
    assert len(layer.trainable_weights) == 1


class Block(layers.Layer):
    def __init__(self):
        super().__init__()
        # Ones kernels: a random ReLU layer can be all dead on constant input, and then
        # dropout would have nothing to drop (the test below would flake).
        self.first = layers.Dense(4, activation="relu", kernel_initializer="ones")
        self.stack = [layers.Dense(3, kernel_initializer="ones"), layers.Dropout(0.5)]
        self.offset = tf.Variable(1.0, trainable=False)

    def call(self, x, training=None):
        self.seen_training = training
        return self.stack[1](self.stack[0](self.first(x))) + self.offset


def test_nested_layers_are_tracked_in_assignment_order():
    block = Block()
    block(tf.ones([2, 5]))
    assert [v.name for v in block.trainable_weights] == [
        f"{block.first.name}/kernel:0",
        f"{block.first.name}/bias:0",
        f"{block.stack[0].name}/kernel:0",
        f"{block.stack[0].name}/bias:0",
    ]
    assert len(block.non_trainable_weights) == 1  # the attribute variable
    assert block.trainable_variables == block.trainable_weights
    assert len(block.variables) == 5
    block.trainable = False
    assert block.first.trainable is False and block.trainable_weights == []


def test_training_is_passed_to_call_and_to_inner_layers():
    block = Block()
    x = tf.ones([200, 5])
    block(x)
    assert block.seen_training is None
    out = _np(block(x, training=True))
    assert block.seen_training is True
    # The inner Dropout got training=True from the outer call: about half dropped.
    assert 0.3 < (out == 1.0).mean() < 0.7
    inference = _np(block(x))
    assert (inference == 1.0).mean() < 0.3


def test_training_positional_argument():
    class Flag(layers.Layer):
        def call(self, x, training=None):
            return x * (2.0 if training else 1.0)

    assert float(Flag()(tf.constant(3.0), True)) == 6.0
    # Layers whose call has no `training` ignore the argument.
    assert float(layers.Activation("linear")(tf.constant(3.0), training=True)) == 3.0


def test_weights_are_created_on_the_first_traced_call_only():
    layer = layers.Dense(2)

    @tf.function
    def run(x):
        return layer(x)

    a = run(tf.ones([1, 3]))
    b = run(tf.ones([4, 3]))  # a second trace reuses the weights
    assert len(layer.weights) == 2 and a.shape == (1, 2) and b.shape == (4, 2)
    np.testing.assert_allclose(_np(a), _np(layer(tf.ones([1, 3]))), rtol=1e-6, atol=1e-6)
    assert run.experimental_get_tracing_count() == 2


def test_get_and_set_weights():
    layer = layers.Dense(2)
    layer(tf.ones([1, 3]))
    kernel, bias = np.arange(6.0).reshape(3, 2), np.array([1.0, -1.0])
    layer.set_weights([kernel, bias])
    got = layer.get_weights()
    np.testing.assert_array_equal(got[0], kernel)
    np.testing.assert_array_equal(_np(layer(np.ones((1, 3), np.float32))), [[7.0, 8.0]])
    with pytest.raises(ValueError, match="expecting 2 weights"):
        layer.set_weights([kernel])
    with pytest.raises(ValueError, match="not compatible"):
        layer.set_weights([kernel.T, bias])


def test_weights_argument_sets_initial_values():
    layer = layers.Dense(1, weights=[np.full((2, 1), 2.0), np.array([0.5])])
    np.testing.assert_array_equal(_np(layer(tf.ones([1, 2]))), [[4.5]])


def test_add_loss_tensor_and_callable():
    class Penalized(layers.Layer):
        def build(self, input_shape):
            self.v = self.add_weight("v", shape=(), initializer="ones")
            self.add_loss(lambda: 3.0 * self.v)

        def call(self, x):
            self.add_loss(tf.reduce_sum(x))
            return x

    layer = Penalized()
    layer(tf.ones([2, 2]))
    assert sorted(float(v) for v in layer.losses) == [3.0, 4.0]
    layer(tf.ones([1, 1]))
    assert sorted(float(v) for v in layer.losses) == [1.0, 3.0]


def test_count_params_before_build_and_missing_inputs():
    with pytest.raises(ValueError, match="isn't built"):
        layers.Dense(2).count_params()
    with pytest.raises(TypeError, match="without inputs"):
        layers.Dense(2)()


def test_get_config_requires_override_for_new_init_arguments():
    class Custom(layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

    with pytest.raises(NotImplementedError, match=r"\['units'\].*must override `get_config\(\)`"):
        Custom(3).get_config()
    config = Scale(name="s", trainable=False).get_config()
    assert config == {"name": "s", "trainable": False, "dtype": "float32"}
    assert Scale.from_config(config).name == "s"


def test_layer_dtype_float64():
    layer = layers.Dense(2, dtype="float64")
    y = layer(np.ones((1, 3), np.float32))
    assert layer.dtype == "float64" and y.dtype == tf.float64
    assert layer.kernel.dtype == tf.float64


def test_input_spec_checks_rank():
    class Needs3D(layers.Layer):
        def __init__(self):
            super().__init__()
            self.input_spec = layers.InputSpec(ndim=3)

    with pytest.raises(ValueError, match=r'layer "needs3d.*expected ndim=3, found ndim=2'):
        Needs3D()(tf.ones([2, 2]))


def test_layers_are_modules_so_checkpoints_include_their_weights(tmp_path):
    layer = layers.Dense(2)
    layer(tf.ones([1, 3]))
    path = tf.train.Checkpoint(layer=layer).write(str(tmp_path / "ckpt"))
    original = layer.get_weights()
    layer.set_weights([np.zeros((3, 2)), np.zeros(2)])
    tf.train.Checkpoint(layer=layer).read(path)
    np.testing.assert_array_equal(layer.get_weights()[0], original[0])


def test_compute_output_shape_default_traces_call():
    class Double(layers.Layer):
        def call(self, x):
            return tf.concat([x, x], axis=-1)

    assert Double().compute_output_shape((None, 3)) == tf.TensorShape([None, 6])
