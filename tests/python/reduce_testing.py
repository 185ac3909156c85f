"""Helpers shared by the reduce family's tests."""

import numpy as np
import pytest
from op_testing import random_array, to_loom

import loom as tf


def make(rng, shape, dtype, low=-5, high=5):
    """A random NumPy array and the same values as a loom tensor of `dtype`."""
    arr = np.asarray(random_array(rng, shape, dtype, low, high))
    # 0-d arrays go in as Python scalars: tf.constant(0-d array) currently gives shape (1,).
    try:
        t = to_loom(arr.item() if arr.ndim == 0 else arr, dtype)
        t.numpy()
    except RuntimeError:  # bfloat16 conversions are incomplete in the bindings
        t = None
    if t is None or t.dtype != tf.as_dtype(dtype):
        pytest.skip(f"tf.constant cannot make {dtype} tensors yet")
    return arr, t


def normalize_axes(axis, rank):
    """NumPy's axis tuple for a TF axis argument: None = all, negatives and repeats allowed."""
    if axis is None:
        return tuple(range(rank))
    if isinstance(axis, int):
        axis = [axis]
    return tuple(sorted({a % rank for a in axis}))


def is_float(dtype):
    return tf.as_dtype(dtype).is_floating
