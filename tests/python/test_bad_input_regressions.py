"""Inputs the bad-input fuzzer (test_bad_input_fuzz.py) found crashing or leaking a
non-loom exception; each must now raise a loom error naming the op."""

import numpy as np
import pytest

import loom as tf
from loom import _C

InvalidArgument = tf.errors.InvalidArgumentError


def test_inputs_to_an_op_without_inputs_are_refused():
    # Converting inputs indexed the (empty) declaration of Const: a segfault.
    with pytest.raises(InvalidArgument, match=r"\[Const\] expected 0 inputs, got 1"):
        _C.execute(_C.op("Const"), [np.zeros(3, np.float32)], {"value": tf.constant(1.0)})


def test_too_many_inputs_are_refused_before_conversion():
    with pytest.raises(InvalidArgument, match=r"\[Neg\] expected 1 inputs, got 3"):
        _C.execute(_C.op("Neg"), [1.0, 2.0, 3.0], None)


def test_split_of_an_empty_axis_into_huge_num_split():
    # 0 % num_split == 0, so a huge num_split set up that many outputs: std::bad_alloc.
    with pytest.raises(InvalidArgument, match=r"\[Split\] num_split must be in \[1, 1048576\]"):
        _C.execute(_C.op("Split"), [-1, np.zeros(0, np.float32)], {"num_split": 2**63 - 1})
    pieces = _C.execute(_C.op("Split"), [0, np.zeros(0, np.float32)], {"num_split": 3})
    assert [p.shape.as_list() for p in pieces] == [[0], [0], [0]]


def test_allocation_failure_names_the_op():
    # 2^40 float32 elements pass the element cap but are 4 TiB.
    with pytest.raises(tf.errors.ResourceExhaustedError, match=r"\[Fill\] a float32 tensor"):
        _C.execute(_C.op("Fill"), [np.array([2**20, 2**20], np.int64), np.float32(1)], None)


def test_split_v_sizes_that_overflow_when_summed():
    # 2 + (2^63 - 1) wrapped negative and slipped past the 2^40 total check (found by UBSan).
    sizes = np.array([2, 2**63 - 1, -1], np.int64)
    with pytest.raises(InvalidArgument, match=r"\[SplitV\] split sizes add up to more than 2\^40"):
        _C.execute(_C.op("SplitV"), [np.zeros((6,), np.float32), sizes, 0], {"num_split": 3})
