"""tf.Module: naming, and variable/submodule tracking through attributes and containers."""

import pytest

import loom as tf

Variable = tf.Variable


def var(value=0.0, trainable=True, name=None):
    return tf.Variable([value], trainable=trainable, name=name)


class Dense(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.w = var(1.0, name="w")
        self.b = var(2.0, name="b")


class MLPModel(tf.Module):
    def __init__(self):
        super().__init__()
        self.layers = [Dense(name="first"), Dense(name="second")]
        self.steps = var(0.0, trainable=False)


def test_default_name_is_snake_case_class_name_and_scope_ends_with_slash():
    assert MLPModel().name == "mlp_model"
    assert tf.Module().name == "module"
    m = Dense(name="my_dense")
    assert m.name == "my_dense"
    assert m.name_scope.name == "my_dense/"
    with m.name_scope as scope:
        assert scope == "my_dense/"


def test_invalid_name_raises_value_error():
    with pytest.raises(ValueError, match="valid module name"):
        tf.Module(name="has space")
    with pytest.raises(ValueError, match="valid module name"):
        tf.Module(name="0abc")


def test_variables_sorted_by_attribute_then_submodules_breadth_first():
    m = MLPModel()
    first, second = m.layers
    # Own attributes first ("layers" holds modules, no variables; then "steps"),
    # then submodules in the order they were found.
    assert [v for v in m.variables] == [m.steps, first.b, first.w, second.b, second.w]
    assert m.trainable_variables == (first.b, first.w, second.b, second.w)
    assert m.non_trainable_variables == (m.steps,)
    assert m.submodules == (first, second)
    assert isinstance(m.variables, tuple)


def test_submodules_breadth_first_across_levels():
    root, a, b, a1, b1 = (tf.Module(name=n) for n in ("root", "a", "b", "a1", "b1"))
    root.a, root.b = a, b
    a.child, b.child = a1, b1
    assert root.submodules == (a, b, a1, b1)
    assert a.submodules == (a1,)


def test_nested_lists_tuples_dicts_flatten_in_order_with_sorted_dict_keys():
    m = tf.Module()
    v = [var(float(i)) for i in range(6)]
    m.nest = {"z": v[0], "a": [v[1], (v[2], {"y": v[3], "b": v[4]})]}
    m.other = v[5]
    # "nest" < "other"; inside the dict key "a" comes before "z".
    assert m.variables == (v[1], v[2], v[4], v[3], v[0], v[5])


def test_shared_objects_count_once():
    m = tf.Module()
    shared = var(3.0)
    layer = Dense()
    m.x, m.y, m.pair = shared, shared, [layer, layer]
    m.alias = layer
    assert m.variables.count(shared) == 1
    assert m.submodules == (layer,)
    assert len(m.variables) == 3


def test_cycles_terminate():
    a, b = tf.Module(name="a"), tf.Module(name="b")
    a.peer, b.peer = b, a
    a.v, b.v = var(1.0), var(2.0)
    loop = [a]
    loop.append(loop)
    a.loop = loop
    a.me = a
    assert a.variables == (a.v, b.v)
    assert a.submodules == (b,)
    assert b.submodules == (a,)


def test_flatten_with_path_and_non_recursive():
    m = MLPModel()
    paths = dict(m._flatten(predicate=lambda x: isinstance(x, Variable), with_path=True))
    assert paths[("layers", "0", "w")] is m.layers[0].w
    assert paths[("steps",)] is m.steps
    shallow = list(m._flatten(recursive=False, predicate=lambda x: isinstance(x, Variable)))
    assert shallow == [m.steps]


def test_non_variable_leaves_ignored_and_mixed_dict_keys_sorted():
    m = tf.Module()
    m.config = {"lr": 0.1, 3: "x", "name": "n"}
    m.array = [1, 2, "three", None]
    assert m.variables == ()
    assert m.submodules == ()


def test_with_name_scope_passes_through():
    class Scaled(tf.Module):
        @tf.Module.with_name_scope
        def __call__(self, x):
            """Doubles x."""
            return 2 * x

    s = Scaled()
    assert s(3) == 6
    assert Scaled.__call__.__doc__ == "Doubles x."
