"""Loom's benchmark targets, measured in one run against the references installed
(NumPy always; TensorFlow, PyTorch and JAX when importable).

    PYTHONPATH=python python bench/run.py            # prints a table
    PYTHONPATH=python python bench/run.py --markdown # the same as Markdown rows

Figures are medians over repeats; the machine's other load shows up in them, so run
on an idle machine for published numbers.
"""

import argparse
import importlib
import statistics
import subprocess
import sys
import time
import timeit

import numpy as np
from bench_gradients import bench_dynamic_rnn, bench_gradients
from bench_keras import bench_keras

import loom as tf

ROWS = []


def median_time(stmt, number, repeat=7, globals_=None):
    times = timeit.repeat(stmt, number=number, repeat=repeat, globals=globals_)
    return statistics.median(times) / number


def row(name, value, unit, target="", reference=""):
    ROWS.append((name, value, unit, target, reference))


def fmt(value, unit):
    return f"{value:.3g} {unit}"


def optional(module):
    try:
        return importlib.import_module(module)
    except Exception:
        return None


# --- eager ops (foundation issue) --------------------------------------------------------


def bench_eager():
    a, b = tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])
    na, nb = a.numpy().copy(), b.numpy().copy()
    t = median_time("a + b", 200_000, globals_=locals())
    tn = median_time("na + nb", 200_000, globals_=locals())
    refs = [f"NumPy {fmt(tn * 1e6, 'µs')}"]
    torch = optional("torch")
    if torch is not None:
        ta, tb = torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])
        refs.append(
            f"PyTorch {fmt(median_time('ta + tb', 100_000, globals_=locals()) * 1e6, 'µs')}"
        )
    row("2-element add from Python", t * 1e6, "µs", "≤ 1 µs", ", ".join(refs))

    rng = np.random.default_rng(0)
    xn = rng.random(1_000_000, dtype=np.float32)
    yn = rng.random(1_000_000, dtype=np.float32)
    x, y = tf.constant(xn), tf.constant(yn)
    t = median_time("x + y", 300, globals_=locals())
    tn = median_time("xn + yn", 300, globals_=locals())
    row(
        "1e6-element float32 add",
        t * 1e6,
        "µs",
        "≤ 1.5× NumPy",
        f"NumPy {fmt(tn * 1e6, 'µs')} ({t / tn:.2f}×)",
    )

    an = rng.random((1024, 1024), dtype=np.float32)
    bn = rng.random((1024, 1024), dtype=np.float32)
    ma, mb = tf.constant(an), tf.constant(bn)
    tf.matmul(ma, mb)
    t = median_time("tf.matmul(ma, mb)", 10, globals_={"tf": tf, "ma": ma, "mb": mb})
    tn = median_time("an @ bn", 10, globals_=locals())
    flops = 2 * 1024**3
    row(
        "1024² float32 matmul",
        flops / t / 1e9,
        "GFLOP/s",
        "≥ 90% of NumPy",
        f"NumPy {flops / tn / 1e9:.1f} GFLOP/s ({tn / t * 100:.0f}%)",
    )

    code = "import time; t = time.perf_counter(); import {m}; print(time.perf_counter() - t)"

    def import_time(m):
        runs = [
            float(
                subprocess.run(
                    [sys.executable, "-c", code.format(m=m)],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            for _ in range(7)
        ]
        return statistics.median(runs)

    row(
        "import loom",
        import_time("loom") * 1e3,
        "ms",
        "≤ 150 ms",
        f"import numpy alone {import_time('numpy') * 1e3:.0f} ms",
    )


# --- functions (function issue) ----------------------------------------------------------


def lstm_cell_setup():
    rng = np.random.default_rng(1)
    units = 10
    w = tf.constant(rng.normal(size=(units, 4 * units)).astype(np.float32))
    u = tf.constant(rng.normal(size=(units, 4 * units)).astype(np.float32))
    b = tf.constant(np.zeros(4 * units, np.float32))

    def cell(x, h, c):
        z = tf.matmul(x, w) + tf.matmul(h, u) + b
        i, f, g, o = tf.split(z, 4, axis=1)
        c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
        h = tf.sigmoid(o) * tf.tanh(c)
        return h, c

    state = [tf.constant(rng.normal(size=(1, units)).astype(np.float32)) for _ in range(3)]
    return cell, state


def bench_function():
    @tf.function
    def plus_one(x):
        return x + 1

    x = tf.constant(1.0)
    plus_one(x)
    row(
        "cached function call (x + 1)",
        median_time("plus_one(x)", 50_000, globals_=locals()) * 1e6,
        "µs",
        "≤ 3 µs",
        "TF tf.function ~150 µs, jax.jit ~7 µs (DESIGN.md)",
    )

    @tf.function
    def chain(x):
        for _ in range(1000):
            x = x + 1.0
        return x

    chain(x)
    t = median_time("chain(x)", 300, globals_=locals())
    row("executor overhead per node (1000 scalar adds)", t / 1000 * 1e9, "ns", "≤ 50 ns")

    def ten_ops(x):
        y = x * 2.0
        y = y + 1.0
        y = tf.tanh(y)
        y = y - x
        y = y * y
        y = tf.exp(y)
        y = y / 3.0
        y = tf.maximum(y, x)
        y = tf.sqrt(y)
        return y + 0.5

    f = tf.function(ten_ops)
    start = time.perf_counter()
    n = 300
    for i in range(n):
        f(tf.constant(np.zeros(i + 1, np.float32)))  # a new shape each time: a new trace
    t = (time.perf_counter() - start) / n
    assert f.experimental_get_tracing_count() == n
    row("trace of a 10-op function (incl. first call)", t * 1e6, "µs", "≤ 200 µs")

    cell, (xs, h, c) = lstm_cell_setup()
    fcell = tf.function(cell)
    fcell(xs, h, c)
    te = median_time("cell(xs, h, c)", 3000, globals_=locals())
    tg = median_time("fcell(xs, h, c)", 3000, globals_=locals())
    row("LSTM cell (10 units, batch 1): eager", te * 1e6, "µs")
    row(
        "LSTM cell as a function",
        tg * 1e6,
        "µs",
        "≥ 3× faster than eager",
        f"{te / tg:.1f}× faster",
    )


# --- variables (state issue) -------------------------------------------------------------


def bench_variables():
    v = tf.Variable(1.0)
    row(
        "variable read, eager",
        median_time("v.read_value()", 100_000, globals_=locals()) * 1e6,
        "µs",
    )
    row(
        "variable assign_add, eager",
        median_time("v.assign_add(1.0, read_value=False)", 100_000, globals_=locals()) * 1e6,
        "µs",
    )

    @tf.function
    def read():
        return v.read_value()

    @tf.function
    def bump():
        v.assign_add(1.0, read_value=False)

    read()
    bump()
    row(
        "variable read in a function (whole call)",
        median_time("read()", 50_000, globals_=locals()) * 1e6,
        "µs",
    )
    row(
        "assign_add in a function (whole call)",
        median_time("bump()", 50_000, globals_=locals()) * 1e6,
        "µs",
    )


# --- control flow (AutoGraph issue) -------------------------------------------------------


def bench_control_flow():
    @tf.function
    def count(n):
        i = tf.constant(0)
        while i < n:
            i = i + 1
        return i

    n = tf.constant(10_000)
    count(n)
    t = median_time("count(n)", 20, globals_=locals())
    row(
        "graph While, scalar body: per iteration",
        t / 10_000 * 1e6,
        "µs",
        "≤ 1 µs",
        "TF ~40 µs (DESIGN.md)",
    )

    def identity(x):
        return x

    start = time.perf_counter()
    f = tf.function(identity)
    for i in range(1000):
        f(i)
    ints = time.perf_counter() - start
    start = time.perf_counter()
    g = tf.function(identity)
    for i in range(1000):
        g(tf.constant(i))
    tensors = time.perf_counter() - start
    row(
        "1000 calls with Python ints (1000 traces)",
        ints * 1e3,
        "ms",
        "",
        f"{f.experimental_get_tracing_count()} traces",
    )
    row(
        "1000 calls with tensors (1 trace)",
        tensors * 1e3,
        "ms",
        "",
        f"{ints / tensors:.0f}× faster",
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    bench_eager()
    bench_function()
    bench_variables()
    bench_control_flow()
    bench_gradients(median_time, row, optional)
    bench_dynamic_rnn(median_time, row)
    bench_keras(row)
    if args.markdown:
        print("| what | Loom | target | reference |")
        print("|---|---|---|---|")
        for name, value, unit, target, ref in ROWS:
            print(f"| {name} | {fmt(value, unit)} | {target} | {ref} |")
    else:
        for name, value, unit, target, ref in ROWS:
            print(f"{name:48s} {fmt(value, unit):>16s}  {target:24s} {ref}")


if __name__ == "__main__":
    main()
