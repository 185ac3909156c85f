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


def seed_calls(op_name, rng):
    return _calls(rng).get(op_name, [])
