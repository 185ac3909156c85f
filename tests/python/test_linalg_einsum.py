"""Einsum (tf.einsum) against np.einsum: patterns, dtypes, broadcasting, bad input."""

import numpy as np
import pytest
from op_testing import assert_matches, np_dtype, random_array
from op_testing import to_loom as _to_loom

import loom as tf

EINSUM_DTYPES = ["float16", "bfloat16", "float32", "float64", "int32", "int64"]


def to_loom(arr, dtype):
    # 0-d arrays go in as Python scalars: the binding reads them as shape (1,) today.
    t = _to_loom(arr.item() if np.ndim(arr) == 0 else arr, dtype)
    if t.dtype != tf.as_dtype(dtype):  # the C++ tests cover kernels for such dtypes
        pytest.skip(f"the Python binding cannot build {dtype} tensors from NumPy yet")
    return t


def reference(equation, arrays, dtype):
    wide = np.int64 if dtype.startswith("int") else np.float64
    return np.einsum(equation, *[a.astype(wide) for a in arrays]).astype(np_dtype(dtype))


def check(equation, shapes, dtype="float64", seed=0):
    rng = np.random.default_rng(seed)
    arrays = [random_array(rng, s, dtype, low=-3, high=3) for s in shapes]
    got = tf.einsum(equation, *[to_loom(a, dtype) for a in arrays])
    assert_matches(got, reference(equation, arrays, dtype), dtype)


PATTERNS = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,kj->ik", [(3, 4), (5, 4)]),
    ("ji,jk->ik", [(4, 3), (4, 5)]),
    ("ji,kj->ik", [(4, 3), (5, 4)]),
    ("ij,jk->ki", [(3, 4), (4, 5)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("bij,bkj->bki", [(2, 3, 4), (2, 5, 4)]),
    ("ibj,jbk->bik", [(3, 2, 4), (4, 2, 5)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 5)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),
    ("...ij,jk->...ik", [(3, 4), (4, 5)]),
    ("i...j,j...->...i", [(3, 2, 4), (4, 2)]),
    ("ij->ji", [(3, 4)]),
    ("ijk->kij", [(2, 3, 4)]),
    ("ii->i", [(4, 4)]),
    ("ii->", [(4, 4)]),
    ("iji->j", [(3, 2, 3)]),
    ("bii->bi", [(2, 3, 3)]),
    ("...ii->...i", [(2, 5, 3, 3)]),
    ("ij->", [(3, 4)]),
    ("ij->i", [(3, 4)]),
    ("ij->j", [(3, 4)]),
    ("ijk->j", [(2, 3, 4)]),
    ("i,j->ij", [(3,), (4,)]),
    ("i,j,k->ijk", [(2,), (3,), (4,)]),
    ("i,i->", [(5,), (5,)]),
    ("i,i->i", [(5,), (5,)]),
    ("bi,bi->b", [(4, 5), (4, 5)]),
    ("ij,ij->ij", [(3, 4), (3, 4)]),
    ("ij,ij->", [(3, 4), (3, 4)]),
    ("bi,ij,bj->b", [(4, 3), (3, 5), (4, 5)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("ij,jk,kl,lm->im", [(2, 3), (3, 4), (4, 5), (5, 2)]),
    ("ab,cd->abcd", [(2, 3), (4, 5)]),
    ("ijk,jkl->il", [(2, 3, 4), (3, 4, 5)]),
    ("ij,j->i", [(3, 4), (4,)]),
    ("ii,i->i", [(3, 3), (3,)]),
    ("ij,jk", [(3, 4), (4, 5)]),
    ("ba", [(3, 4)]),
    ("ii", [(4, 4)]),
    ("i,i", [(5,), (5,)]),
    ("...ij,...jk", [(2, 3, 4), (4, 5)]),
    ("Ab,bC->AC", [(3, 4), (4, 2)]),
    (",->", [(), ()]),
    ("i,->i", [(3,), ()]),
    ("->", [()]),
]


@pytest.mark.parametrize("equation,shapes", PATTERNS)
def test_einsum_patterns_match_numpy(equation, shapes):
    check(equation, shapes)


@pytest.mark.parametrize("dtype", EINSUM_DTYPES)
@pytest.mark.parametrize(
    "equation,shapes",
    [
        ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
        ("ij,jk->ik", [(20, 30), (30, 25)]),
        ("ii->i", [(4, 4)]),
        ("ij->", [(3, 4)]),
        ("bi,ij,bj->b", [(4, 3), (3, 5), (4, 5)]),
    ],
)
def test_einsum_dtypes(dtype, equation, shapes):
    check(equation, shapes, dtype)


@pytest.mark.parametrize(
    "equation,shapes",
    [
        ("ij,jk->ik", [(3, 0), (0, 4)]),
        ("ij,jk->ik", [(0, 3), (3, 4)]),
        ("ij->", [(0, 4)]),
        ("ij->j", [(0, 4)]),
        ("ii->i", [(0, 0)]),
        ("i,j->ij", [(0,), (4,)]),
        ("bij,bjk->bik", [(0, 3, 4), (0, 4, 5)]),
        ("...ij,...jk->...ik", [(2, 0, 3, 4), (1, 4, 5)]),
    ],
)
def test_einsum_empty_dims(equation, shapes):
    for dtype in ("float32", "int64"):
        check(equation, shapes, dtype)


def test_einsum_big_shapes():
    check("bij,bjk->bik", [(4, 64, 96), (4, 96, 48)], "float64")
    check("bij,jk->bik", [(3, 50, 70), (70, 40)], "float64")
    check("ijk,ikl->jl", [(5, 30, 20), (5, 20, 25)], "float64")
    check("ij->ji", [(200, 300)], "float32")


def test_einsum_spaces_and_python_values():
    got = tf.einsum("ij, jk -> ik", [[1.0, 2.0]], [[3.0], [4.0]])
    assert_matches(got, np.array([[11.0]], np.float32), "float32")
    got = tf.linalg.einsum("i,i->", tf.constant([1, 2, 3]), [4, 5, 6])
    assert_matches(got, np.array(32, np.int32), "int32")


def test_einsum_keyword_arguments():
    x = np.ones((2, 2))
    assert_matches(tf.einsum("ij->", x, name="sum", optimize="greedy"), np.array(4.0), "float64")
    with pytest.raises(TypeError, match="Invalid keyword arguments"):
        tf.einsum("ij->", x, bogus=True)


def expect_error(match, equation, *arrays):
    with pytest.raises(tf.errors.InvalidArgumentError, match=match):
        tf.einsum(equation, *arrays)


def test_einsum_dimension_mismatch_message():
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.einsum("ij,jk->ik", np.ones((2, 3)), np.ones((4, 5)))
    assert "[Einsum] Expected dimension 3 for label 'j' but got 4" in str(e.value)
    expect_error(
        r"\[Einsum\] Expected dimension 2 for label 'i' but got 3", "ii->i", np.ones((2, 3))
    )


def test_einsum_operand_and_rank_errors():
    expect_error(
        r"\[Einsum\].*2 input subscripts but 3 operands", "ij,jk->ik", *[np.ones((2, 2))] * 3
    )
    expect_error(r"\[Einsum\].*2 input subscripts but 1 operands", "ij,jk->ik", np.ones((2, 2)))
    expect_error(
        r"\[Einsum\] input 0 has shape \[2,3\] of rank 2 .* needs 3 dims", "ijk->i", np.ones((2, 3))
    )
    expect_error(r"\[Einsum\] input 0 .* needs at least 3 dims", "...ijk->...", np.ones((2, 3)))


def test_einsum_equation_errors():
    x = np.ones((2, 2))
    expect_error(r"\[Einsum\] output label 'k' does not appear", "ij->ik", x)
    expect_error(r"\[Einsum\] output label 'i' appears more than once", "ij->ii", x)
    expect_error(r"\[Einsum\] invalid character '1'", "i1->i", x)
    expect_error(r"\[Einsum\] '\.' must be part of an ellipsis", "i.j->ij", x)
    expect_error(r"\[Einsum\].*more than one ellipsis", "......->", x)
    expect_error(r"\[Einsum\].*more than one '->'", "ij->ij->ij", x)
    expect_error(r"\[Einsum\].*needs '\.\.\.'", "...ij->ij", np.ones((3, 2, 2)))


def test_einsum_broadcast_errors():
    expect_error(
        r"\[Einsum\] the '\.\.\.' dims of the inputs do not broadcast",
        "...ij,...jk->...ik",
        np.ones((2, 3, 4)),
        np.ones((3, 4, 5)),
    )


def test_einsum_dtype_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Einsum\].*same dtype"):
        tf.einsum("i,i->", np.ones(2, np.float32), np.ones(2, np.float64))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Einsum\].*unsupported dtype"):
        tf.einsum("i->", np.ones(2, bool))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Einsum\]"):
        tf.einsum("->")


def test_einsum_huge_results_are_resource_exhausted():
    v = np.ones(1 << 21, np.float32)
    with pytest.raises(tf.errors.ResourceExhaustedError, match=r"\[Einsum\]"):
        tf.einsum("i,j->ij", v, v)  # the output itself is too large
    m = np.ones((1100, 1100), np.float32)
    with pytest.raises(tf.errors.ResourceExhaustedError, match=r"\[Einsum\]"):
        tf.einsum("ab,cd,ac,bd->", m, m, m, m)  # only the intermediate [a,b,c,d] is
