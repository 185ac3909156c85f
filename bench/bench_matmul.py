"""Quick throughput check: loom MatMul vs NumPy (both OpenBLAS) in one process.

    PYTHONPATH=python python bench/bench_matmul.py [size] [repeats]

Runs are interleaved and the best time of each side is kept, which filters out noise
from other processes sharing the machine."""

import sys
import time

import numpy as np

import loom as tf


def best_time(fn, repeats):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    ta, tb = tf.constant(a), tf.constant(b)
    np.testing.assert_allclose(tf.matmul(ta, tb).numpy(), a @ b, rtol=1e-3, atol=1e-3)
    flops = 2.0 * n**3
    np_best = loom_best = float("inf")
    for _ in range(5):  # interleave rounds so both sides see the same machine load
        np_best = min(np_best, best_time(lambda: a @ b, repeats))
        loom_best = min(loom_best, best_time(lambda: tf.matmul(ta, tb), repeats))
    np_gflops, loom_gflops = flops / np_best / 1e9, flops / loom_best / 1e9
    print(f"float32 {n}x{n} matmul")
    print(f"  numpy: {np_best * 1e3:8.2f} ms  {np_gflops:7.1f} GFLOP/s")
    print(f"  loom:  {loom_best * 1e3:8.2f} ms  {loom_gflops:7.1f} GFLOP/s")
    print(f"  loom / numpy throughput: {loom_gflops / np_gflops:.1%}")


if __name__ == "__main__":
    main()
