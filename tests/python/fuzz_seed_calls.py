"""Valid calls for ops whose inputs must agree in ways random generation rarely hits
(conv layouts, einsum equations, index tensors). The fuzzer mutates these, so its
cases reach the kernels instead of stopping at the first shape check."""

import numpy as np

import loom


def f32(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


def i32(*values):
    return np.array(values, np.int32)


def i64(*values):
    return np.array(values, np.int64)


def _calls(rng):
    x23 = f32(rng, 2, 3)
    img = f32(rng, 1, 5, 5, 3)
    return {
        "Conv2D": [
            ([img, f32(rng, 3, 3, 3, 2)], {"strides": [1, 1, 1, 1], "padding": "SAME"}),
            (
                [img, f32(rng, 2, 2, 3, 4)],
                {"strides": [1, 2, 2, 1], "padding": "VALID", "dilations": [1, 1, 1, 1]},
            ),
            (
                [img, f32(rng, 1, 1, 3, 1)],
                {
                    "strides": [1, 1, 1, 1],
                    "padding": "EXPLICIT",
                    "explicit_paddings": [0, 0, 1, 1, 2, 2, 0, 0],
                },
            ),
        ],
        "MaxPool": [([img], {"ksize": [1, 2, 2, 1], "strides": [1, 2, 2, 1], "padding": "VALID"})],
        "AvgPool": [([img], {"ksize": [1, 3, 3, 1], "strides": [1, 1, 1, 1], "padding": "SAME"})],
        "Einsum": [
            ([[x23, f32(rng, 3, 4)]], {"equation": "ij,jk->ik"}),
            ([[f32(rng, 3, 3)]], {"equation": "ii->i"}),
            ([[f32(rng, 2, 2, 3), f32(rng, 2, 3, 2)]], {"equation": "...ij,...jk->...ik"}),
        ],
        "StridedSlice": [
            ([f32(rng, 4, 5), i32(0, 1), i32(3, 5), i32(1, 2)], {}),
            ([f32(rng, 4, 5), i32(-1, 0), i32(0, 0), i32(-1, 1)], {"begin_mask": 2, "end_mask": 3}),
            ([f32(rng, 4, 5, 2), i32(0, 1), i32(1, 2), i32(1, 1)], {"ellipsis_mask": 1}),
            (
                [f32(rng, 4, 5), i32(1, 0), i32(2, 0), i32(1, 1)],
                {"shrink_axis_mask": 1, "new_axis_mask": 2},
            ),
        ],
        "Slice": [([f32(rng, 4, 5), i32(1, 2), i32(2, -1)], {})],
        "GatherV2": [
            ([f32(rng, 4, 3), i32(0, 3, 1), i32(0)], {}),
            ([f32(rng, 2, 4, 3), i64(1, 2), 1], {"batch_dims": 0}),
        ],
        "GatherNd": [([f32(rng, 4, 3), np.array([[0, 1], [3, 2]], np.int32)], {})],
        "ScatterNd": [([np.array([[0], [2]], np.int32), f32(rng, 2, 3), i32(4, 3)], {})],
        "TensorScatterUpdate": [
            ([f32(rng, 4, 3), np.array([[1], [3]], np.int64), f32(rng, 2, 3)], {})
        ],
        "TensorScatterAdd": [([f32(rng, 4, 3), np.array([[1, 2]], np.int32), f32(rng, 1)], {})],
        "TensorScatterSub": [([f32(rng, 4), np.array([[1], [1]], np.int32), f32(rng, 2)], {})],
        "TensorScatterMax": [([f32(rng, 4), np.array([[0], [3]], np.int32), f32(rng, 2)], {})],
        "TensorScatterMin": [([f32(rng, 4), np.array([[0], [3]], np.int32), f32(rng, 2)], {})],
        "OneHot": [([i32(0, 2, -1), np.int32(3), np.float32(1), np.float32(0)], {"axis": -1})],
        "SparseSoftmaxCrossEntropyWithLogits": [([f32(rng, 3, 4), i32(0, 3, 1)], {})],
        "SoftmaxCrossEntropyWithLogits": [([f32(rng, 3, 4), f32(rng, 3, 4)], {})],
        "Split": [([np.int32(1), f32(rng, 2, 6)], {"num_split": 3})],
        "SplitV": [([f32(rng, 2, 6), i32(1, -1, 2), np.int32(1)], {"num_split": 3})],
        "Unpack": [([f32(rng, 3, 2)], {"num": 3, "axis": 0})],
        "Pack": [([[x23, x23]], {"axis": 1})],
        "ConcatV2": [([[x23, f32(rng, 2, 2)], np.int32(1)], {})],
        "AddN": [([[x23, x23, x23]], {})],
        "Multinomial": [([f32(rng, 2, 4), np.int32(5)], {"seed": 1, "seed2": 2})],
        "StatelessMultinomial": [([f32(rng, 2, 4), np.int32(5), i64(1, 2)], {})],
        "StatelessRandomUniform": [([i32(2, 3), i64(1, 2)], {"dtype": loom.float32})],
        "StatelessRandomNormal": [([i32(2, 3), i64(1, 2)], {"dtype": loom.float64})],
        "StatelessTruncatedNormal": [([i32(2, 3), i64(1, 2)], {"dtype": loom.float32})],
        "StatelessRandomUniformInt": [([i32(2, 3), i64(1, 2), np.int32(0), np.int32(10)], {})],
        "RandomUniform": [([i32(2, 3)], {"dtype": loom.float32})],
        "RandomStandardNormal": [([i32(2, 3)], {"dtype": loom.float32})],
        "TruncatedNormal": [([i32(2, 3)], {"dtype": loom.float32})],
        "RandomUniformInt": [([i32(2, 3), np.int32(0), np.int32(10)], {})],
        "RandomShuffle": [([f32(rng, 5, 2)], {})],
        "Eye": [([np.int32(3), np.int32(4), i32(2)], {"dtype": loom.float32})],
        "Range": [
            ([np.int32(0), np.int32(10), np.int32(3)], {}),
            ([np.float32(0), np.float32(1), np.float32(0.25)], {}),
        ],
        "LinSpace": [([np.float32(0), np.float32(1), np.int32(5)], {})],
        "Fill": [([i32(2, 3), np.float32(1)], {})],
        "Pad": [([x23, np.array([[1, 0], [0, 2]], np.int32)], {})],
        "PadV2": [([x23, np.array([[1, 0], [0, 2]], np.int32), np.float32(7)], {})],
        "MirrorPad": [([x23, np.array([[1, 0], [0, 2]], np.int32)], {"mode": "REFLECT"})],
        "Tile": [([x23, i32(2, 1)], {})],
        "Transpose": [([f32(rng, 2, 3, 4), i32(2, 0, 1)], {})],
        "Reshape": [([x23, i32(3, -1)], {})],
        "BroadcastTo": [([f32(rng, 3), i32(2, 3)], {})],
        "ExpandDims": [([x23, np.int32(-1)], {})],
        "Squeeze": [([f32(rng, 1, 3, 1)], {"squeeze_dims": [0]})],
        "ReverseV2": [([x23, i32(1)], {})],
        "Roll": [([x23, i32(1, -2), i32(0, 1)], {})],
        "BooleanMask": [
            (
                [
                    x23,
                    np.array([True, False]),
                ],
                {"axis": 0},
            )
        ],
        "Where": [([np.array([[True, False], [True, True]])], {})],
        "Unique": [([i32(3, 1, 3, 2)], {})],
        "TopKV2": [([f32(rng, 3, 5), np.int32(2)], {})],
        "Sort": [([f32(rng, 3, 5)], {"axis": -1})],
        "MatMul": [([x23, f32(rng, 3, 2)], {}), ([x23, x23], {"transpose_b": True})],
        "BatchMatMulV2": [([f32(rng, 2, 2, 3), f32(rng, 1, 3, 4)], {})],
        "BiasAdd": [
            ([f32(rng, 2, 3, 4), f32(rng, 4)], {}),
            ([f32(rng, 2, 3, 4), f32(rng, 3)], {"data_format": "NCHW"}),
        ],
        "Softmax": [([x23], {"axis": -1})],
        "LogSoftmax": [([x23], {"axis": 0})],
        "SelectV2": [([np.array([True, False, True]), x23, np.float32(0)], {})],
        "ClipByValue": [([x23, np.float32(-1), np.float32(1)], {})],
        "Cumsum": [([x23, np.int32(1)], {"exclusive": True, "reverse": True})],
        "Cumprod": [([x23, np.int32(0)], {})],
        "ArgMax": [([x23, np.int32(1)], {})],
        "ArgMin": [([x23, np.int64(0)], {"output_type": loom.int32})],
        "Sum": [([x23, i32(0, 1)], {"keep_dims": True})],
        "Cast": [([x23], {"DstT": loom.int8})],
        "PrintV2": [
            ([[x23, np.int32(3)]], {"template": "{} and {}", "output_stream": "stdout", "end": ""})
        ],
        "Assert": [([np.array(True), [x23]], {})],
        "CheckNumerics": [([x23], {"message": "m"})],
        "Const": [([], {"value": loom.constant(x23), "dtype": loom.float32})],
        "Shape": [([x23], {"out_type": loom.int64})],
        "Size": [([x23], {})],
        "Rank": [([x23], {})],
    }


MIN64, MAX64 = -(2**63), 2**63 - 1


def _edge_calls(rng):
    """Hand-picked values where size or index arithmetic could overflow."""
    x23 = f32(rng, 2, 3)
    return {
        "Range": [
            ([np.int64(MIN64), np.int64(MAX64), np.int64(1)], {}),
            ([np.int64(MAX64), np.int64(MIN64), np.int64(-1)], {}),
            ([np.int64(0), np.int64(10), np.int64(MIN64)], {}),
            ([np.int32(-(2**31)), np.int32(2**31 - 1), np.int32(2**31 - 1)], {}),
            ([np.float64(-1e308), np.float64(1e308), np.float64(1e-300)], {}),
            ([np.float32(0), np.float32(np.nan), np.float32(1)], {}),
            ([np.float32(0), np.float32(np.inf), np.float32(1)], {}),
            ([np.float32(0), np.float32(1), np.float32(0)], {}),
        ],
        "LinSpace": [([np.float32(0), np.float32(np.nan), np.int64(MAX64)], {})],
        "Slice": [
            ([x23, i64(MAX64, 0), i64(1, 1)], {}),
            ([x23, i64(1, 1), i64(MAX64, 1)], {}),
            ([x23, i64(2**62, 0), i64(2**62, -1)], {}),
            ([x23, i64(-1, 0), i64(-1, -1)], {}),
        ],
        "StridedSlice": [
            ([x23, i64(MIN64, MIN64), i64(MAX64, MAX64), i64(1, MIN64)], {}),
            ([x23, i64(0, 0), i64(2, 3), i64(MIN64, 1)], {}),
            ([x23, i64(0, 0), i64(2, 3), i64(1, 1)], {"ellipsis_mask": 3}),
            (
                [x23, i64(0, 0), i64(2, 3), i64(1, 1)],
                {"new_axis_mask": MAX64, "shrink_axis_mask": MAX64},
            ),
            (
                [x23, i64(0), i64(2), i64(1)],
                {"begin_mask": -1, "end_mask": -1, "ellipsis_mask": -1},
            ),
            ([x23, i64(*[0] * 70), i64(*[1] * 70), i64(*[1] * 70)], {"new_axis_mask": MAX64}),
            ([x23, i64(5, 5), i64(7, 7), i64(1, 1)], {"shrink_axis_mask": 3}),
        ],
        "Pad": [
            ([x23, np.array([[2**62, 2**62], [0, 0]], np.int64)], {}),
            ([x23, np.array([[-2, 0], [0, 0]], np.int64)], {}),
            ([x23, np.array([[MAX64, 1], [0, 0]], np.int64)], {}),
        ],
        "MirrorPad": [
            ([x23, np.array([[2, 2], [0, 0]], np.int32)], {"mode": "REFLECT"}),
            ([x23, np.array([[MAX64, 0], [0, 0]], np.int64)], {"mode": "SYMMETRIC"}),
            (
                [np.zeros((0, 3), np.float32), np.array([[0, 1], [0, 0]], np.int32)],
                {"mode": "SYMMETRIC"},
            ),
        ],
        "Tile": [
            ([x23, i64(2**32, 2**32)], {}),
            ([np.zeros((0, 3), np.float32), i64(MAX64, 2)], {}),
            ([x23, i64(-1, 1)], {}),
        ],
        "Fill": [
            ([i64(2**32, 2**32, 2**32), np.float32(0)], {}),
            ([i64(0, MAX64), np.float32(0)], {}),
        ],
        "Reshape": [
            ([np.zeros((0, 3), np.float32), i64(-1, 0)], {}),
            ([x23, i64(MAX64, -1)], {}),
            ([x23, i64(2**32, 2**32, 0)], {}),
            ([np.zeros((0,), np.float32), i64(MAX64, MAX64, 0)], {}),
        ],
        "BroadcastTo": [([x23, i64(MAX64, 2, 3)], {}), ([x23, i64(0, 3)], {})],
        "Roll": [([x23, i64(MIN64), i64(1)], {}), ([x23, i64(MAX64, MIN64), i64(0, 0)], {})],
        "ReverseV2": [([x23, i64(MIN64)], {}), ([x23, i64(0, 0)], {})],
        "ExpandDims": [([x23, np.int64(MIN64)], {}), ([x23, np.int64(3)], {})],
        "Transpose": [([x23, i64(MIN64, 0)], {}), ([x23, i64(0, 0)], {}), ([x23, i64(1, 2)], {})],
        "ConcatV2": [([[x23, x23], np.int64(MIN64)], {}), ([[x23, x23], np.int32(-3)], {})],
        "Pack": [([[x23, x23]], {"axis": MIN64}), ([[x23, x23]], {"axis": 3})],
        "Unpack": [([x23], {"num": MAX64, "axis": 0}), ([x23], {"num": 2, "axis": MIN64})],
        "GatherV2": [
            ([x23, i64(MIN64), np.int64(0)], {}),
            ([x23, i64(0), np.int64(MIN64)], {}),
            ([x23, np.zeros((2, 1), np.int64), np.int64(1)], {"batch_dims": MIN64}),
            ([x23, np.zeros((2, 1), np.int64), np.int64(1)], {"batch_dims": 2}),
        ],
        "GatherNd": [
            ([x23, np.array([[MIN64, 0]], np.int64)], {}),
            ([x23, np.zeros((2, 5), np.int32)], {}),
            ([x23, np.zeros((2, 0), np.int32)], {}),
            ([x23, np.zeros((2, 1), np.int32)], {"batch_dims": MAX64}),
        ],
        "ScatterNd": [
            ([np.array([[MIN64]], np.int64), f32(rng, 1, 3), i64(4, 3)], {}),
            ([np.array([[0]], np.int64), f32(rng, 1, 3), i64(MAX64, 3)], {}),
            ([np.array([[0]], np.int64), f32(rng, 1, 3), i64(-4, 3)], {}),
            ([np.zeros((1, 3), np.int32), f32(rng, 1), i64(4, 3)], {}),
        ],
        "TensorScatterUpdate": [
            ([x23, np.array([[2]], np.int32), f32(rng, 1, 3)], {}),
            ([x23, np.array([[-1]], np.int32), f32(rng, 1, 3)], {}),
            ([x23, np.zeros((1, 3), np.int32), f32(rng, 1)], {}),
        ],
        "OneHot": [
            ([i64(MIN64, MAX64), np.int32(3), np.float32(1), np.float32(0)], {}),
            ([i32(0), np.int32(-1), np.float32(1), np.float32(0)], {}),
            ([i32(0), np.int32(3), np.float32(1), np.float32(0)], {"axis": -2}),
            ([i32(0), np.int32(3), np.float32(1), np.float32(0)], {"axis": MIN64}),
        ],
        "Cumsum": [([x23, np.int64(MIN64)], {})],
        "ArgMax": [([x23, np.int64(MIN64)], {}), ([np.zeros((0, 3), np.float32), np.int64(0)], {})],
        "Sum": [([x23, i64(MIN64)], {}), ([x23, i64(0, 0, -2)], {})],
        "Softmax": [([x23], {"axis": MIN64})],
        "Sort": [([x23], {"axis": MAX64})],
        "TopKV2": [
            ([x23, np.int32(-1)], {}),
            ([x23, np.int32(2**31 - 1)], {}),
            ([f32(rng, 0), np.int32(0)], {}),
        ],
        "Multinomial": [
            ([f32(rng, 2, 4), np.int32(2**31 - 1)], {}),
            ([f32(rng, 2, 0), np.int32(3)], {}),
            ([np.full((1, 3), np.nan, np.float32), np.int32(3)], {}),
            ([np.full((1, 3), -np.inf, np.float32), np.int32(3)], {}),
        ],
        "SparseSoftmaxCrossEntropyWithLogits": [
            ([f32(rng, 2, 3), i64(MIN64, 5)], {}),
            ([f32(rng, 2, 0), i32(0, 0)], {}),
        ],
        "Eye": [
            ([np.int32(-1), np.int32(3), i32()], {}),
            ([np.int32(3), np.int32(3), i32(-1, 2)], {}),
            ([np.int32(2**31 - 1), np.int32(1), i32(2**31 - 1)], {}),
        ],
        "Conv2D": [
            (
                [f32(rng, 1, 2, 2, 1), f32(rng, 5, 5, 1, 1)],
                {"strides": [1, 1, 1, 1], "padding": "VALID"},
            ),
            (
                [f32(rng, 1, 2, 2, 1), f32(rng, 1, 1, 1, 1)],
                {"strides": [1, 2**40, 2**40, 1], "padding": "SAME"},
            ),
            (
                [f32(rng, 1, 2, 2, 1), f32(rng, 2, 2, 1, 1)],
                {"strides": [1, 1, 1, 1], "padding": "SAME", "dilations": [1, 2**40, 2**40, 1]},
            ),
            (
                [f32(rng, 1, 2, 2, 1), f32(rng, 1, 1, 1, 1)],
                {
                    "strides": [1, 1, 1, 1],
                    "padding": "EXPLICIT",
                    "explicit_paddings": [0, 0, MAX64, MAX64, 0, 0, 0, 0],
                },
            ),
            (
                [f32(rng, 1, 2, 2, 1), f32(rng, 1, 1, 1, 1)],
                {
                    "strides": [1, 1, 1, 1],
                    "padding": "EXPLICIT",
                    "explicit_paddings": [0, 0, -3, 0, 0, 0, 0, 0],
                },
            ),
            (
                [f32(rng, 1, 2, 2, 2), f32(rng, 1, 1, 1, 3)],
                {"strides": [1, 1, 1, 1], "padding": "SAME"},
            ),
            (
                [f32(rng, 1, 2, 2, 0), f32(rng, 1, 1, 0, 3)],
                {"strides": [1, 1, 1, 1], "padding": "SAME"},
            ),
        ],
        "MaxPool": [
            (
                [f32(rng, 1, 2, 2, 1)],
                {"ksize": [1, 5, 5, 1], "strides": [1, 1, 1, 1], "padding": "VALID"},
            ),
            (
                [f32(rng, 1, 2, 2, 1)],
                {"ksize": [1, MAX64, 1, 1], "strides": [1, 1, 1, 1], "padding": "SAME"},
            ),
            (
                [f32(rng, 1, 2, 2, 1)],
                {"ksize": [1, 1, 1, 1], "strides": [1, MAX64, 1, 1], "padding": "SAME"},
            ),
            (
                [f32(rng, 1, 2, 2, 1)],
                {"ksize": [2, 1, 1, 1], "strides": [1, 1, 1, 1], "padding": "SAME"},
            ),
        ],
        "AvgPool": [
            (
                [f32(rng, 1, 2, 2, 1)],
                {"ksize": [1, 0, 0, 1], "strides": [1, 1, 1, 1], "padding": "SAME"},
            ),
            (
                [f32(rng, 1, 0, 2, 1)],
                {"ksize": [1, 1, 1, 1], "strides": [1, 1, 1, 1], "padding": "SAME"},
            ),
        ],
        "Einsum": [
            ([[x23]], {"equation": "ij->ii"}),
            ([[x23]], {"equation": "ij->k"}),
            ([[x23, x23]], {"equation": "ij,ij->ij", "N": 5}),
            ([[x23]], {"equation": "\u00e9j->j"}),
            ([[x23]], {"equation": "......->"}),
            ([[x23] * 9], {"equation": ",".join(["ij"] * 9) + "->"}),
            ([[f32(rng, 2, 2, 2)]], {"equation": "aaa->a"}),
            ([[x23, f32(rng, 3)]], {"equation": "ij,j"}),
        ],
        "PrintV2": [
            ([[x23]], {"template": "{}{}{}"}),
            ([[x23]], {"template": "{", "summarize": -5}),
        ],
        "BiasAdd": [([f32(rng, 2), f32(rng, 2)], {"data_format": "NCHW"})],
        "BooleanMask": [
            ([x23, np.ones((2, 3, 1), bool)], {"axis": 0}),
            ([x23, np.ones(3, bool)], {"axis": MIN64}),
        ],
        "Squeeze": [
            ([f32(rng, 1, 3, 1)], {"squeeze_dims": [MIN64]}),
            ([f32(rng, 1, 3, 1)], {"squeeze_dims": [1]}),
        ],
        "SplitV": [([f32(rng, 2, 6), i64(MAX64, MAX64, -1), np.int32(1)], {"num_split": 3})],
        "Split": [([np.int32(-(2**31)), f32(rng, 2, 6)], {"num_split": 2})],
        "StatelessRandomUniformInt": [([i32(3), i64(1, 2), np.int64(MIN64), np.int64(MAX64)], {})],
        "RandomUniformInt": [
            ([i32(3), np.int64(MIN64), np.int64(MAX64)], {}),
            ([i32(3), np.int32(5), np.int32(5)], {}),
        ],
        "StatelessRandomUniform": [([i32(3), i64(1)], {}), ([i32(3), i64(1, 2, 3)], {})],
    }


def seed_calls(op_name, rng):
    return _calls(rng).get(op_name, []) + _edge_calls(rng).get(op_name, [])
