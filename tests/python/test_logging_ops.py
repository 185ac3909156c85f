import numpy as np
import pytest

import loom as tf


def err_lines(capfd):
    return capfd.readouterr().err.splitlines()


def test_print_formats_like_tf(capfd):
    tf.print("TF-PRINT: ", tf.constant([[22.0, 22.0], [23.0, 13.0]]))
    assert err_lines(capfd) == ["TF-PRINT:  [[22 22]", " [23 13]]"]
    tf.print("value", tf.constant(1.1))
    assert err_lines(capfd) == ["value 1.1"]


def test_print_summarizes_long_dimensions(capfd):
    tf.print(tf.constant(np.arange(10)))
    assert err_lines(capfd) == ["[0 1 2 ... 7 8 9]"]
    tf.print(tf.constant(np.arange(10)), summarize=-1)
    assert err_lines(capfd) == ["[0 1 2 3 4 5 6 7 8 9]"]
    tf.print(tf.constant(np.arange(49).reshape(7, 7)), summarize=1)
    assert err_lines(capfd) == ["[[0 ... 6]", " ...", " [42 ... 48]]"]


def test_print_handles_structures_dtypes_and_separators(capfd):
    tf.print({"a": tf.constant(True)}, [tf.constant(1), 2], sep="|", end="!\n")
    assert err_lines(capfd) == ["{'a': True}|[1, 2]!"]
    tf.print("{braces} stay", tf.constant([1.5, -2.0], dtype=tf.float64))
    assert err_lines(capfd) == ["{braces} stay [1.5 -2]"]


def test_print_to_stdout_and_bad_stream(capfd):
    import sys

    tf.print("to stdout", output_stream=sys.stdout)
    assert capfd.readouterr().out == "to stdout\n"
    with pytest.raises(ValueError, match="Unsupported output stream"):
        tf.print("x", output_stream=object())


def test_assert_raises_with_data():
    tf.debugging.Assert(tf.constant(True), ["never shown"])
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.debugging.Assert(tf.constant(False), ["x must be positive, got", tf.constant(-2)])
    assert str(e.value) == "assertion failed: [x must be positive, got] [-2]"
    with pytest.raises(tf.errors.InvalidArgumentError, match="Assert"):
        tf.debugging.Assert(tf.constant(1.0), ["not a bool"])


def test_check_numerics():
    x = tf.constant([1.0, 2.0])
    assert tf.debugging.check_numerics(x, "fine") is not None
    with pytest.raises(tf.errors.InvalidArgumentError, match="bad : Tensor had NaN values"):
        tf.debugging.check_numerics(tf.constant([1.0, np.nan]), "bad")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Inf"):
        tf.debugging.check_numerics(tf.constant([np.inf], dtype=tf.float64), "bad")


def test_print_with_summarize_zero_elides_everything(capfd):
    # summarize=0 jumped to index n and printed the element past the end (found by ASan).
    tf.print(tf.constant(np.arange(3)), summarize=0)
    assert err_lines(capfd) == ["[...]"]
    tf.print(tf.constant(np.arange(6).reshape(2, 3)), summarize=0)
    assert err_lines(capfd) == ["[...]"]
