"""tf.linalg products: matmul, einsum, tensordot, matvec, trace and diag_part.

tensordot, matvec, trace and diag_part build Einsum equations, so the whole family runs
on three kernels (MatMul, BatchMatMulV2, Einsum)."""

import string

import numpy as np

from loom import _C
from loom._api import export
from loom.dtypes import as_dtype
from loom.ops.constant_op import convert_to_tensor

_MATMUL = _C.op("MatMul")
_BATCH_MATMUL = _C.op("BatchMatMulV2")
_EINSUM = _C.op("Einsum")

# Einsum subscripts, in the order tensordot hands them out.
_LETTERS = string.ascii_lowercase + string.ascii_uppercase


def _tensor(x, dtype_hint=None):
    if isinstance(x, _C.Tensor):
        return x
    return convert_to_tensor(x, dtype_hint=dtype_hint)


def _einsum(equation, tensors):
    return _C.execute(_EINSUM, (list(tensors),), {"equation": equation})


@export("linalg.matmul", "matmul")
def matmul(
    a,
    b,
    transpose_a=False,
    transpose_b=False,
    adjoint_a=False,
    adjoint_b=False,
    a_is_sparse=False,
    b_is_sparse=False,
    output_type=None,
    grad_a=False,
    grad_b=False,
    name=None,
):
    """a x b: MatMul for matrices, BatchMatMulV2 (broadcast batch dims) above rank 2.

    Adjoints equal transposes for the real dtypes loom supports; the sparsity hints
    only pick algorithms in TF and are accepted for compatibility."""
    if transpose_a and adjoint_a:
        raise ValueError("Only one of transpose_a and adjoint_a can be True.")
    if transpose_b and adjoint_b:
        raise ValueError("Only one of transpose_b and adjoint_b can be True.")
    a = _tensor(a)
    b = _tensor(b, dtype_hint=a.dtype)
    if output_type is not None and as_dtype(output_type) != a.dtype:
        raise TypeError(
            f"matmul: output_type {as_dtype(output_type).name} differs from the input dtype "
            f"{a.dtype.name}; loom computes products in the input dtype (use tf.cast)."
        )
    ta, tb = bool(transpose_a or adjoint_a), bool(transpose_b or adjoint_b)
    if a.ndim > 2 or b.ndim > 2:
        return _C.execute(_BATCH_MATMUL, (a, b), {"adj_x": ta, "adj_y": tb})
    return _C.execute(_MATMUL, (a, b), {"transpose_a": ta, "transpose_b": tb})


@export("einsum", "linalg.einsum")
def einsum(equation, *inputs, **kwargs):
    """Einstein summation, e.g. einsum("ij,jk->ik", a, b). Accepts `name` and TF's
    `optimize` (contraction order is always left to right here)."""
    unknown = set(kwargs) - {"name", "optimize"}
    if unknown:
        raise TypeError(f"Invalid keyword arguments for this function: {sorted(unknown)}")
    return _einsum(equation, inputs)


def _normalize_axes(axes, rank, which):
    out = []
    for axis in axes:
        axis = int(axis)
        if not -rank <= axis < rank:
            raise ValueError(
                f"tensordot: axis {axis} is out of range for tensor '{which}' of rank {rank}."
            )
        out.append(axis % rank)
    if len(set(out)) != len(out):
        raise ValueError(f"tensordot: repeated contraction axes {axes} for tensor '{which}'.")
    return out


def _tensordot_axes(axes, rank_a, rank_b):
    """(a_axes, b_axes) from an int n (last n of a with first n of b) or a pair."""
    if isinstance(axes, _C.Tensor):
        axes = axes.numpy()
    if isinstance(axes, np.ndarray):
        axes = axes.tolist()
    if isinstance(axes, (int, np.integer)) and not isinstance(axes, bool):
        n = int(axes)
        if n < 0:
            raise ValueError(f"'axes' must be at least 0, but got {n}.")
        if n > rank_a or n > rank_b:
            raise ValueError(
                f"'axes' must not be larger than the number of dimensions of tensor; "
                f"received {n}, vs tensor dimensions {rank_a} and {rank_b}."
            )
        return list(range(rank_a - n, rank_a)), list(range(n))
    if not isinstance(axes, (list, tuple)) or len(axes) != 2:
        raise ValueError(f"'axes' must be an integer or have length 2. Received {axes}.")
    a_axes, b_axes = axes
    if isinstance(a_axes, (int, np.integer)):
        a_axes = [a_axes]
    if isinstance(b_axes, (int, np.integer)):
        b_axes = [b_axes]
    a_axes, b_axes = list(a_axes), list(b_axes)
    if len(a_axes) != len(b_axes):
        raise ValueError(
            f"Different number of contraction axes 'a' and 'b', {len(a_axes)} != {len(b_axes)}."
        )
    return _normalize_axes(a_axes, rank_a, "a"), _normalize_axes(b_axes, rank_b, "b")


@export("tensordot", "linalg.tensordot")
def tensordot(a, b, axes, name=None):
    """Sums a * b over `axes`; the result has a's free dims then b's free dims."""
    a = _tensor(a)
    b = _tensor(b, dtype_hint=a.dtype)
    a_axes, b_axes = _tensordot_axes(axes, a.ndim, b.ndim)
    if a.ndim + b.ndim - len(a_axes) > len(_LETTERS):
        raise ValueError(f"tensordot: ranks {a.ndim} and {b.ndim} are too large.")
    a_labels = list(_LETTERS[: a.ndim])
    fresh = iter(_LETTERS[a.ndim :])
    b_labels = []
    for axis in range(b.ndim):
        if axis in b_axes:
            b_labels.append(a_labels[a_axes[b_axes.index(axis)]])
        else:
            b_labels.append(next(fresh))
    out = [lab for i, lab in enumerate(a_labels) if i not in a_axes]
    out += [lab for i, lab in enumerate(b_labels) if i not in b_axes]
    equation = f"{''.join(a_labels)},{''.join(b_labels)}->{''.join(out)}"
    return _einsum(equation, (a, b))


@export("linalg.matvec")
def matvec(
    a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False, name=None
):
    """a x b for matrices a [..., M, N] and vectors b [..., N], batch dims broadcast."""
    if transpose_a and adjoint_a:
        raise ValueError("Only one of transpose_a and adjoint_a can be True.")
    a = _tensor(a)
    b = _tensor(b, dtype_hint=a.dtype)
    matrix = "...ji" if (transpose_a or adjoint_a) else "...ij"
    return _einsum(f"{matrix},...j->...i", (a, b))


def _is_square(x):
    if x.ndim < 2:
        raise ValueError(
            f"Input must have rank >= 2 (a batch of matrices), but got shape {tuple(x.shape)}."
        )
    rows, cols = x.shape[-2], x.shape[-1]
    return rows is None or cols is None or rows == cols


def _eye_mask(x):
    """An identity-like [M, N] mask selecting the main diagonal of non-square matrices."""
    rows, cols = x.shape[-2], x.shape[-1]
    return convert_to_tensor(np.eye(rows, cols), dtype=x.dtype)


@export("linalg.trace")
def trace(x, name=None):
    """Sum of the main diagonal of each innermost matrix of x [..., M, N]."""
    x = _tensor(x)
    if _is_square(x):
        return _einsum("...ii->...", (x,))
    return _einsum("...ij,ij->...", (x, _eye_mask(x)))


@export("linalg.diag_part")
def diag_part(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT"):
    """The main diagonal of each innermost matrix: [..., min(M, N)]. Only k=0."""
    if not (isinstance(k, (int, np.integer)) and int(k) == 0):
        raise ValueError(f"diag_part: only the main diagonal (k=0) is supported, got k={k}.")
    x = _tensor(input)
    if _is_square(x):
        return _einsum("...ii->...i", (x,))
    rows, cols = x.shape[-2], x.shape[-1]
    kept = "i" if rows <= cols else "j"
    return _einsum(f"...ij,ij->...{kept}", (x, _eye_mask(x)))
