"""Helpers for the Module and checkpoint tests: `ensure_variable()` makes `loom.Variable`
available (a NumPy-backed stand-in with TF's interface until the real one exists)."""

import numpy as np

import loom as tf


class StandInVariable:
    """tf.Variable's interface over a NumPy array."""

    _count = 0

    def __init__(self, initial_value, trainable=True, name=None, dtype=None, shape=None):
        dtype = tf.as_dtype(dtype) if dtype is not None else None
        value = np.asarray(
            initial_value.numpy() if hasattr(initial_value, "numpy") else initial_value
        )
        if dtype is None:  # NumPy values keep their dtype; Python floats become float32
            numpy_input = isinstance(initial_value, (np.ndarray, np.generic))
            dtype = tf.as_dtype(
                value.dtype if numpy_input or value.dtype != np.float64 else "float32"
            )
        self._value = np.array(value, dtype=dtype.as_numpy_dtype)
        self._dtype = dtype
        self.trainable = trainable
        StandInVariable._count += 1
        self._name = f"{name or 'Variable'}:0"
        self._shape = tf.TensorShape(self._value.shape if shape is None else shape)

    name = property(lambda self: self._name)
    dtype = property(lambda self: self._dtype)
    shape = property(lambda self: self._shape)

    def numpy(self):
        return self._value.copy()

    def read_value(self):
        return tf.constant(self._value, dtype=self._dtype)

    def assign(self, value):
        value = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
        if value.shape != self._value.shape:
            raise tf.errors.InvalidArgumentError(
                f"Cannot assign shape {value.shape} to a variable of shape {self._value.shape}"
            )
        if tf.as_dtype(value.dtype) != self._dtype and not (
            self._dtype.name == "bfloat16" and value.dtype == np.float32
        ):
            raise tf.errors.InvalidArgumentError(
                f"Cannot assign {value.dtype} to a variable of dtype {self._dtype.name}"
            )
        self._value = value.astype(self._dtype.as_numpy_dtype, copy=True)
        return self


def ensure_variable():
    if getattr(tf, "Variable", None) is None:
        tf.Variable = StandInVariable
    return tf.Variable
