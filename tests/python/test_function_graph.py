"""ConcreteFunction and its graph: inspection, direct calls, serialization, passes."""

import collections

import numpy as np
import pytest

import loom as tf

Pair = collections.namedtuple("Pair", "a b")


@pytest.fixture
def restore_optimizer():
    saved = tf.config.optimizer.get_experimental_options()
    try:
        yield
    finally:
        tf.config.optimizer.set_experimental_options(saved)


def make_concrete():
    bias = tf.constant([10.0, 20.0])

    @tf.function
    def affine(x, scale):
        return {"y": x * scale + bias, "n": None}

    return affine, affine.get_concrete_function(tf.TensorSpec([None, 2], tf.float32, name="x"), 2.0)


def test_graph_operations_and_graph_def():
    _, concrete = make_concrete()
    ops = concrete.graph.get_operations()
    by_type = {op.type: op for op in ops}
    assert [op.type for op in ops].count("Placeholder") == 2  # x and the captured bias
    mul, add = by_type["Mul"], by_type["AddV2"]
    assert mul.name == "mul" and add.name == "add"
    assert [t.name for t in mul.inputs] == ["x:0", "Const:0"]
    assert [t.name for t in add.inputs] == ["mul:0", "capture:0"]
    assert [t.name for t in add.outputs] == ["add:0"]
    out = add.outputs[0]
    assert out.dtype == tf.float32 and out.shape.as_list() == [None, 2]
    assert out.op is add
    assert repr(out) == 'Tensor("add:0", shape=(None, 2), dtype=float32)'
    nodes = concrete.graph.as_graph_def().node
    assert [n.op for n in nodes] == [op.type for op in ops]
    assert nodes[[n.op for n in nodes].index("AddV2")].input == ["mul:0", "capture:0"]


def test_inputs_outputs_and_structured_signatures():
    _, concrete = make_concrete()
    assert [t.name for t in concrete.inputs] == ["x:0", "capture:0"]
    assert [t.name for t in concrete.outputs] == ["add:0"]
    args, kwargs = concrete.structured_input_signature
    assert args == (tf.TensorSpec([None, 2], tf.float32, name="x"), 2.0) and kwargs == {}
    structured = concrete.structured_outputs
    assert set(structured) == {"y", "n"} and structured["n"] is None
    assert structured["y"].name == "add:0"
    np.testing.assert_array_equal(concrete.captured_inputs[0].numpy(), [10.0, 20.0])


def test_calling_a_concrete_function():
    _, concrete = make_concrete()
    out = concrete(tf.ones([3, 2]), 2.0)
    assert out["n"] is None
    np.testing.assert_array_equal(out["y"].numpy(), np.tile([12.0, 22.0], (3, 1)))
    out = concrete(np.zeros((1, 2), np.float32), scale=2.0)
    np.testing.assert_array_equal(out["y"].numpy(), [[10.0, 20.0]])


def test_concrete_function_rejects_incompatible_arguments():
    _, concrete = make_concrete()
    with pytest.raises(
        TypeError, match=r"argument `x` was expected to be TensorSpec\(shape=\(None, 2\)"
    ):
        concrete(tf.ones([3, 3]), 2.0)
    with pytest.raises(TypeError, match=r"argument `x`.*dtype=loom.int32"):
        concrete(tf.ones([3, 2], tf.int32), 2.0)
    with pytest.raises(
        TypeError, match=r"argument `scale` was traced with Python float 2.0; got 3.0"
    ):
        concrete(tf.ones([3, 2]), 3.0)
    with pytest.raises(TypeError, match=r"affine\(\): missing a required argument: 'scale'"):
        concrete(tf.ones([3, 2]))


def test_concrete_function_checks_structures():
    @tf.function
    def f(p, d):
        return p.a + d["k"]

    concrete = f.get_concrete_function(
        Pair(tf.TensorSpec([], tf.int32), tf.TensorSpec([])), {"k": tf.TensorSpec([], tf.int32)}
    )
    args, _ = concrete.structured_input_signature
    assert isinstance(args[0], Pair) and args[1] == {"k": tf.TensorSpec([], tf.int32)}
    assert concrete(Pair(tf.constant(1), tf.constant(0.0)), {"k": tf.constant(2)}).numpy() == 3
    with pytest.raises(TypeError, match=r"argument `p` was traced as a Pair of 2"):
        concrete((tf.constant(1), tf.constant(0.0)), {"k": tf.constant(2)})
    with pytest.raises(TypeError, match=r"argument `d` is missing key 'k'"):
        concrete(Pair(tf.constant(1), tf.constant(0.0)), {"j": tf.constant(2)})


def test_get_concrete_function_from_values_and_specs():
    @tf.function
    def f(x, n):
        return x * n

    from_values = f.get_concrete_function(tf.constant([1, 2]), 3)
    assert from_values.structured_input_signature == ((tf.TensorSpec([2], tf.int32), 3), {})
    assert f.get_concrete_function(tf.TensorSpec([2], tf.int32), 3) is from_values
    assert f.experimental_get_tracing_count() == 1
    np.testing.assert_array_equal(f(tf.constant([4, 5]), 3).numpy(), [12, 15])
    assert f.experimental_get_tracing_count() == 1
    f.get_concrete_function(tf.TensorSpec([None], tf.float32), 1)
    text = f.pretty_printed_concrete_signatures()
    assert text.split("\n\n") == [
        "f(x: TensorSpec(shape=(2,), dtype=loom.int32, name=None), n: 3)",
        "f(x: TensorSpec(shape=(None,), dtype=loom.float32, name=None), n: 1)",
    ]


def test_get_concrete_function_uses_input_signature():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.int32)])
    def f(x):
        return x + 1

    concrete = f.get_concrete_function()
    assert concrete.structured_input_signature == ((tf.TensorSpec([None], tf.int32),), {})
    np.testing.assert_array_equal(concrete(tf.constant([1, 2, 3])).numpy(), [2, 3, 4])
    assert f.get_concrete_function() is concrete


def test_serialize_round_trip_keeps_text():
    _, concrete = make_concrete()
    data = concrete.graph.serialize()
    assert isinstance(data, bytes) and data[:8] == b"LOOMGRF1"
    restored = tf._C.Graph.deserialize(data)
    assert str(restored) == str(concrete.graph)
    assert "AddV2" in str(restored)
    assert restored.serialize() == data
    # The restored graph runs.
    plan = tf._C.Plan(restored)
    (out,) = plan.run([tf.ones([1, 2]), tf.constant([1.0, 1.0])])
    np.testing.assert_array_equal(out.numpy(), [[3.0, 3.0]])


def test_corrupt_or_truncated_bytes_raise_data_loss():
    c = tf.constant([1.0, 2.0])

    @tf.function
    def f(x, y):
        tf.print("p", x)
        return tf.reshape(x * c + y, [2, 1]), x[0]

    data = f.get_concrete_function(tf.TensorSpec([2]), tf.TensorSpec([])).graph.serialize()
    for bad in (b"", b"LOOMGRF1", b"NOTAGRAPH" + data[9:], data[: len(data) // 2], data + b"\0"):
        with pytest.raises(tf.errors.DataLossError, match="truncated or corrupt"):
            tf._C.Graph.deserialize(bad)
    # Every single-byte corruption or inserted garbage either fails cleanly or gives a
    # graph whose plan runs (or raises a loom error) without crashing.
    inputs = [tf.constant([1.0, 2.0]), tf.constant(1.0), tf.constant([1.0, 2.0])]
    for i in range(len(data)):
        variants = [data[:i] + bytes([data[i] ^ f]) + data[i + 1 :] for f in (0x01, 0xFF)]
        variants.append(data[:i] + b"\x80" * 9 + data[i:])
        for bad in variants:
            try:
                tf._C.Plan(tf._C.Graph.deserialize(bad)).run(inputs)
            except tf.errors.OpError:
                pass


def test_constant_folding_switch_changes_the_graph(restore_optimizer):
    def body(x):
        return x + tf.constant(2.0) * tf.constant(3.0)

    folded = tf.function(body).get_concrete_function(tf.TensorSpec([]))
    assert [op.type for op in folded.graph.get_operations()] == ["Placeholder", "Const", "AddV2"]
    tf.config.optimizer.set_experimental_options({"constant_folding": False})
    assert tf.config.optimizer.get_experimental_options()["constant_folding"] is False
    unfolded = tf.function(body).get_concrete_function(tf.TensorSpec([]))
    assert "Mul" in [op.type for op in unfolded.graph.get_operations()]
    assert unfolded(tf.constant(1.0)).numpy() == folded(tf.constant(1.0)).numpy() == 7.0


def test_cse_and_pruning_switches(restore_optimizer):
    def body(x):
        unused = tf.exp(x) if hasattr(tf, "exp") else x * 5.0  # noqa: F841
        return x * 2.0 + x * 2.0

    def count(op_type):
        concrete = tf.function(body).get_concrete_function(tf.TensorSpec([]))
        return [op.type for op in concrete.graph.get_operations()].count(op_type)

    assert count("Mul") == 1
    tf.config.optimizer.set_experimental_options({"common_subgraph_elimination": False})
    assert count("Mul") == 2
    tf.config.optimizer.set_experimental_options({"pruning": False})
    unpruned = tf.function(body).get_concrete_function(tf.TensorSpec([]))
    assert len(unpruned.graph.get_operations()) > 4
    with pytest.raises(ValueError, match="unknown optimizer option 'fold'"):
        tf.config.optimizer.set_experimental_options({"fold": False})
