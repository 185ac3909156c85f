"""Feeds every registered op generated bad and edge-case inputs through _C.execute.

Run as a worker process by test_bad_input_fuzz.py (so a segfault cannot take pytest down):

    python bad_input_fuzzer.py --progress FILE --cases N Op1 Op2 ...

Before each case the worker appends "op<TAB>case<TAB>description" to FILE, so the parent
names the op and input that killed it. At the end it prints one JSON line: the cases
that raised an exception other than loom.errors.OpError, TypeError or ValueError.
Run with one op name and --verbose to replay that op's cases (they depend only on the
op name and the case budget).
"""

import argparse
import json
import os
import resource
import signal
import sys
import time
import zlib

import numpy as np

import loom
from loom import _C, errors

ALLOWED = (errors.OpError, TypeError, ValueError)
DTYPE_NAMES = list(_C.dtype_names())
INT32_EXTREMES = [-(2**31), 2**31 - 1, 2**30, -5, -1]
INT64_EXTREMES = [-(2**63), 2**63 - 1, 2**62, 2**40, 2**32, -(2**40), -5, -1]
SMALL_INTS = [-3, -2, -1, 0, 0, 1, 1, 2, 2, 3, 4]
FLOAT_SPECIALS = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e38, -1e38, 5e-324, 1e308]
DATA_SHAPES = [
    (),
    (0,),
    (1,),
    (3,),
    (2, 3),
    (3, 0),
    (1, 3, 1),
    (2, 3, 4),
    (2, 2, 2, 2),
    (1, 4, 4, 3),
    (2, 1, 3, 1, 2),
    (0, 2, 0, 3),
    (6,),
]
# Input names whose values are shapes, axes, sizes or indices (TF's argument names).
SHAPE_VECTOR_INPUTS = {
    "shape",
    "dims",
    "multiples",
    "begin",
    "end",
    "strides",
    "size",
    "perm",
    "size_splits",
    "batch_shape",
    "seed",
}
SCALAR_INT_INPUTS = {
    "axis",
    "dim",
    "dimension",
    "split_dim",
    "k",
    "num_samples",
    "depth",
    "num",
    "num_rows",
    "num_columns",
    "reduction_indices",
    "shift",
}
INDEX_INPUTS = {"indices", "labels"}
BOOL_INPUTS = {"condition", "mask"}
STRING_ATTRS = {
    "padding": ["SAME", "VALID", "EXPLICIT", "same", "", "FULL"],
    "data_format": ["NHWC", "NCHW", "NCW", "NC", "", "NHWCX"],
    "mode": ["REFLECT", "SYMMETRIC", "CONSTANT", "reflect", ""],
    "equation": [
        "ij,jk->ik",
        "ii->i",
        "ij->ji",
        "...ij,...jk->...ik",
        "ij->",
        "i,i,i->i",
        "ij,jk->il",
        "->",
        "",
        "i...j...->",
        "ij,jk",
        "aa,aa->a",
        "IJ,JK->IK",
        "ij-->",
        "i j->j",
        "ab...,b...->a",
    ],
    "template": ["{}", "{} {}", "{", "}", "%s%s%n", "", "{}{}{}{}{}"],
    "output_stream": ["stderr", "stdout", "log(info)", "bogus", ""],
    "approximate": [],
    "message": ["", "%s%n", "x" * 1000],
    "end": ["\n", "", "\0"],
}
DTYPE_ATTRS = {"DstT", "dtype", "out_type", "output_type", "out_idx", "output_dtype", "T"}


def pick(rng, options):
    return options[int(rng.integers(len(options)))]


def make_array(rng, dtype, shape):
    """Random values of `dtype`, salted with the dtype's extremes and float specials."""
    shape = tuple(shape)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    np_dt = np.dtype("float32" if dtype == "bfloat16" else dtype)
    if np_dt.kind in "iu":
        info = np.iinfo(np_dt)
        arr = rng.integers(max(info.min, -4), min(info.max, 5), size=shape, endpoint=True)
        arr = arr.astype(np_dt)
        if arr.size and rng.random() < 0.3:
            arr.flat[rng.integers(arr.size)] = rng.choice([info.min, info.max])
        return arr
    arr = (rng.standard_normal(shape) * 3).astype(np_dt)
    if arr.size and rng.random() < 0.3:
        with np.errstate(over="ignore"):
            arr.flat[rng.integers(arr.size)] = rng.choice(FLOAT_SPECIALS)
    return arr


def as_input(arr, dtype):
    """NumPy arrays convert directly; bfloat16 (no NumPy type) goes through loom.constant."""
    if dtype == "bfloat16":
        return loom.constant(arr.astype(np.float32), dtype=loom.bfloat16)
    return arr


def int_values(rng, dtype, shape, nasty):
    """Shape/axis/index values: mostly small, sometimes negative or near the type's limits."""
    extremes = INT32_EXTREMES if dtype == "int32" else INT64_EXTREMES
    pool = SMALL_INTS + (extremes if nasty else [])
    values = rng.choice(pool, size=shape)
    return values.astype(dtype)


def random_int_tensor(rng, shape, nasty_p=0.25):
    dtype = rng.choice(["int32", "int64", "int32", "int64", "int8", "uint8", "float32", "bool"])
    if dtype in ("int32", "int64"):
        return int_values(rng, dtype, shape, rng.random() < nasty_p)
    return make_array(rng, dtype, shape)


def random_data(rng):
    """Any dtype, any shape; float32 is most common so inputs agree more often."""
    kind = rng.random()
    if kind < 0.08:
        return pick(rng, [0, 1, -1, 2**31, 2**63 - 1, 2**70, -(2**70)])
    if kind < 0.14:
        return pick(rng, [0.5, -1.0, np.nan, np.inf, 1e300])
    if kind < 0.17:
        return bool(rng.random() < 0.5)
    dtype = "float32" if rng.random() < 0.45 else rng.choice(DTYPE_NAMES)
    shape = DATA_SHAPES[rng.integers(len(DATA_SHAPES))]
    return as_input(make_array(rng, dtype, shape), dtype)


def random_input(rng, name):
    """An input fitting the role its name suggests, or (sometimes) anything at all."""
    if rng.random() < 0.2:
        return random_data(rng)
    if name in SHAPE_VECTOR_INPUTS:
        n = int(rng.choice([0, 1, 2, 3, 4, 5]))
        shape = (n,) if rng.random() < 0.85 else pick(rng, [(), (n, 2)])
        return random_int_tensor(rng, shape)
    if name == "paddings":
        r = int(rng.choice([0, 1, 2, 3, 4]))
        return random_int_tensor(rng, (r, 2) if rng.random() < 0.8 else (r, 3))
    if name in SCALAR_INT_INPUTS:
        shape = () if rng.random() < 0.75 else (int(rng.choice([0, 1, 2])),)
        return random_int_tensor(rng, shape, nasty_p=0.35)
    if name in INDEX_INPUTS:
        shape = DATA_SHAPES[rng.integers(len(DATA_SHAPES))]
        return random_int_tensor(rng, shape, nasty_p=0.35)
    if name in BOOL_INPUTS and rng.random() < 0.7:
        return make_array(rng, "bool", DATA_SHAPES[rng.integers(len(DATA_SHAPES))])
    return random_data(rng)


def random_variadic(rng, name):
    n = int(rng.choice([0, 1, 2, 2, 3, 5]))
    if rng.random() < 0.5:  # same dtype and shape, so the op gets past the checks
        dtype = "float32" if rng.random() < 0.6 else rng.choice(DTYPE_NAMES)
        shape = DATA_SHAPES[rng.integers(len(DATA_SHAPES))]
        return [as_input(make_array(rng, dtype, shape), dtype) for _ in range(n)]
    return [random_input(rng, name) for _ in range(n)]


def random_attr(rng, name):
    r = rng.random()
    if name in STRING_ATTRS and STRING_ATTRS[name] and r < 0.6:
        return str(rng.choice(STRING_ATTRS[name]))
    if name in DTYPE_ATTRS and r < 0.6:
        return loom.as_dtype(str(rng.choice(DTYPE_NAMES)))
    if name in ("ksize", "strides", "dilations", "explicit_paddings", "squeeze_dims") and r < 0.6:
        options = [
            [1, 1, 1, 1],
            [1, 2, 2, 1],
            [1, 3, 3, 1],
            [1, 1],
            [],
            [0, 0, 0, 0],
            [-1, 1, 1, 1],
            [1, 2**40, 2**40, 1],
            [0, 0, 1, 1, 1, 1, 0, 0],
            [0, 0, -3, 2**40, 0, 0, 0, 0],
            [0, -1],
            [5],
        ]
        return options[rng.integers(len(options))]
    pool = [
        None,
        0,
        1,
        -1,
        2,
        3,
        -(2**63),
        2**63 - 1,
        2**40,
        True,
        False,
        0.5,
        float("nan"),
        float("inf"),
        -1.0,
        "",
        "bogus",
        "SAME",
        [],
        [1, 2],
        [-1, 2**40],
        [0.5, 1.5],
        loom.float32,
        loom.int64,
        loom.bool,
    ]
    return pool[rng.integers(len(pool))]


def is_data_input(name):
    return name not in SHAPE_VECTOR_INPUTS | SCALAR_INT_INPUTS | INDEX_INPUTS | {"paddings"}


def fresh_case(rng, op):
    names = op.input_names
    inputs = []
    for i, name in enumerate(names):
        inputs.append(
            random_variadic(rng, name) if i == variadic_index(op) else random_input(rng, name)
        )
    if rng.random() < 0.4:  # data inputs sharing one dtype and shape get past type binding
        dtype = str(pick(rng, DTYPE_NAMES))
        shape = DATA_SHAPES[rng.integers(len(DATA_SHAPES))]
        for i, name in enumerate(names):
            if is_data_input(name) and i != variadic_index(op):
                inputs[i] = as_input(make_array(rng, dtype, shape), dtype)
    attrs = {}
    for name in op.attr_names:
        if rng.random() < 0.5:
            attrs[name] = random_attr(rng, name)
    return inputs, attrs


def variadic_index(op):
    # The registry marks the variadic argument only in C++; TF names it values/inputs/data.
    for i, name in enumerate(op.input_names):
        if name in ("values", "inputs", "data"):
            return i
    return -1


def mutate(rng, op, case):
    inputs, attrs = list(case[0]), dict(case[1])
    names = op.input_names
    choice = rng.integers(9)
    if choice <= 2 and inputs:  # replace one input
        i = int(rng.integers(len(inputs)))
        name = names[i] if i < len(names) else "x"
        inputs[i] = (
            random_variadic(rng, name) if i == variadic_index(op) else random_input(rng, name)
        )
    elif choice == 3 and inputs:  # poke an extreme value into one input
        i = int(rng.integers(len(inputs)))
        x = inputs[i]
        if isinstance(x, np.ndarray) and x.size:
            x = x.copy()
            if x.dtype.kind in "iu":
                info = np.iinfo(x.dtype)
                x.flat[rng.integers(x.size)] = rng.choice([info.min, info.max, -1, -5])
            elif x.dtype.kind == "f":
                x.flat[rng.integers(x.size)] = rng.choice(FLOAT_SPECIALS[:3])
            inputs[i] = x
    elif choice == 4 and inputs:  # reshape one input: add, drop or empty a dimension
        i = int(rng.integers(len(inputs)))
        x = inputs[i]
        if isinstance(x, np.ndarray):
            shape = list(x.shape)
            how = rng.integers(3)
            if how == 0 and len(shape) < 6:
                shape.insert(int(rng.integers(len(shape) + 1)), int(rng.choice([0, 1, 2, 3])))
            elif how == 1 and shape:
                shape.pop(int(rng.integers(len(shape))))
            elif shape:
                shape[int(rng.integers(len(shape)))] = 0
            dtype = x.dtype.name
            inputs[i] = (
                make_array(rng, dtype, shape) if dtype != "bool" else rng.random(shape) < 0.5
            )
    elif choice == 5 and inputs:  # change one input's dtype
        i = int(rng.integers(len(inputs)))
        x = inputs[i]
        if isinstance(x, np.ndarray):
            dtype = str(rng.choice(DTYPE_NAMES))
            with np.errstate(all="ignore"):
                inputs[i] = as_input(x.astype("float32" if dtype == "bfloat16" else dtype), dtype)
    elif choice == 6:  # wrong arity
        if inputs and rng.random() < 0.5:
            inputs.pop()
        else:
            inputs.append(random_data(rng))
    elif choice == 7 and op.attr_names:
        attrs[str(rng.choice(op.attr_names))] = random_attr(rng, str(rng.choice(op.attr_names)))
    else:
        name = str(rng.choice(op.attr_names)) if op.attr_names and rng.random() < 0.8 else "bogus"
        attrs[name] = random_attr(rng, name)
    return inputs, attrs


def describe_value(x):
    if isinstance(x, list):
        return "[" + ", ".join(describe_value(v) for v in x) + "]"
    if isinstance(x, np.ndarray):
        body = np.array2string(x.ravel()[:8], threshold=8, separator=",").replace("\n", "")
        return f"{x.dtype.name}{list(x.shape)}{body if x.size else ''}"
    if isinstance(x, loom.Tensor):
        vals = x.numpy().ravel()[:8].tolist() if x.shape.num_elements() else ""
        return f"{x.dtype.name}{list(x.shape)}{vals}"
    return repr(x)


def describe(case):
    inputs, attrs = case
    attr_text = ", ".join(
        f"{k}: {v.name if isinstance(v, loom.DType) else describe_value(v)}"
        for k, v in attrs.items()
    )
    return f"inputs=[{', '.join(describe_value(x) for x in inputs)}] attrs={{{attr_text}}}"


def op_seed(name):
    return zlib.crc32(name.encode())


def nasty_inputs():
    """Replacements tried in every input position of calls that ran."""
    return [
        np.int32(-1),
        np.int64(2**62),
        np.int64(-(2**63)),
        np.int64(2**63 - 1),
        np.int32(2**31 - 1),
        np.array([-1, -5], np.int64),
        np.array([2**40, 2**40], np.int64),
        np.array([2**31 - 1, 2**31 - 1, 2**31 - 1], np.int32),
        np.array([0, -(2**63)], np.int64),
        np.array([], np.int32),
        np.zeros((1, 1, 1, 1, 1), np.float32),
        np.zeros((2, 0), np.float32),
        np.array([[1, 2], [3, 4]], np.int64),
        np.float32(np.nan),
        np.array([np.inf, -np.inf, np.nan], np.float64),
        np.array(True),
        np.uint64(2**64 - 1),
        [],
    ]


NASTY_ATTRS = [
    -1,
    2**40,
    -(2**63),
    0,
    "bogus",
    [],
    [2**40] * 4,
    [-1] * 4,
    [0] * 8,
    True,
    float("nan"),
]


def systematic_mutations(op, case):
    inputs, attrs = case
    for i in range(len(inputs)):
        for value in nasty_inputs():
            yield inputs[:i] + [value] + inputs[i + 1 :], attrs
    for name in op.attr_names:
        for value in NASTY_ATTRS:
            yield inputs, {**attrs, name: value}


def cases_for(op, budget, seeds):
    """Yields `budget` cases: the op's seed calls; every nasty value in every input and
    attr position of the first calls that ran; then mutations of calls that ran mixed
    with fresh random calls. `ran` is filled in by the caller."""
    rng = np.random.default_rng(op_seed(op.name))
    ran = []
    pending = list(seeds)
    expanded = 0
    for _ in range(budget):
        if expanded < len(ran) and expanded < 2:
            pending[:0] = list(systematic_mutations(op, ran[expanded]))
            expanded += 1
        if pending:
            case = pending.pop(0)
        elif ran and rng.random() < 0.6:
            case = mutate(rng, op, ran[int(rng.integers(len(ran)))])
        else:
            case = fresh_case(rng, op)
        yield case, ran


def limit_memory():
    """Caps the address space, so an unchecked huge allocation fails fast instead of
    swapping the machine. AddressSanitizer reserves terabytes of address space: skip."""
    if "asan" in os.environ.get("LD_PRELOAD", ""):
        return
    with open("/proc/self/statm") as f:
        current = int(f.read().split()[0]) * resource.getpagesize()
    cap = current + (1 << 30)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def run_ops(op_names, budget, progress_path, verbose=False):
    from fuzz_seed_calls import seed_calls

    limit_memory()
    failures = []
    ran_counts = {}
    slow = []
    fd = os.open(progress_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC) if progress_path else None
    for name in op_names:
        op = _C.op(name)
        seeds = seed_calls(name, np.random.default_rng(op_seed(name) + 1))
        for index, (case, ran) in enumerate(cases_for(op, budget, seeds)):
            text = describe(case)
            if fd is not None:
                os.write(fd, f"{name}\t{index}\t{text}\n".encode())
            signal.alarm(20)  # default action kills the worker: reported as a hang
            start = time.perf_counter()
            try:
                _C.execute(op, case[0], case[1])
                outcome = "ok"
                if time.perf_counter() - start < 0.1:  # mutating big valid requests is slow
                    ran.append(case)
            except ALLOWED as e:
                outcome = f"{type(e).__name__}: {str(e)[:200]}"
            except Exception as e:  # noqa: BLE001 - every other exception is the finding
                outcome = f"{type(e).__module__}.{type(e).__name__}: {str(e)[:300]}"
                failures.append({"op": name, "case": index, "input": text, "error": outcome})
            signal.alarm(0)
            seconds = time.perf_counter() - start
            if seconds > 0.5:
                slow.append({"op": name, "case": index, "input": text, "seconds": seconds})
            ran_counts[name] = len(ran)
            if verbose:
                print(f"{index}: {text}\n    -> {outcome}", flush=True)
    # The registry and the random state must still work after all of that.
    z = _C.execute(_C.op("AddV2"), [np.array([1.0, 2.0], np.float32), 3.0], None).numpy()
    if z.tolist() != [4.0, 5.0]:
        failures.append({"op": "AddV2", "case": -1, "input": "sanity", "error": str(z)})
    # Ops like PrintV2 write to stdout too: the verdict goes to its own file.
    if progress_path:
        with open(progress_path + ".json", "w") as f:
            json.dump({"failures": failures, "ran": ran_counts, "slow": slow}, f)
    else:
        print(json.dumps({"failures": failures}, indent=1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("ops", nargs="+")
    parser.add_argument("--cases", type=int, default=150)
    parser.add_argument("--progress", default=None)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    run_ops(args.ops, args.cases, args.progress, args.verbose)


if __name__ == "__main__":
    main()
