"""A tour of Loom: the problem of the talk's slides 6-8 solved eagerly, the same code
as a traced function, and timings of a few ops against NumPy.

    make demo
"""

import timeit

import numpy as np

import loom as tf


def section(title):
    print(f"\n=== {title} ===")


def best_of(stmt, number, **names):
    return min(timeit.repeat(stmt, number=number, repeat=5, globals=names)) / number


section("Eager by default (slides 6-8: y = A x + b)")
a = tf.constant([[10, 10], [11.0, 1.0]])
x = tf.constant([[1.0, 0.0], [0.0, 1.0]])
b = tf.constant(12.0)
y = tf.matmul(a, x) + b
print("y =", y)
tf.print("tf.print(y):", y)
print("y.numpy() shares memory with y:", np.shares_memory(y.numpy(), y.numpy()))

section("Errors surface at your line")
try:
    tf.matmul(a, tf.ones([3, 3]))
except tf.errors.InvalidArgumentError as e:
    print(type(e).__name__ + ":", e)

section("The same computation as a traced function")


@tf.function
def affine(a, x, b):
    print("  (Python runs only while tracing:", a, ")")
    return tf.matmul(a, x) + b


print("first call:", affine(a, x, b).numpy().tolist())
print("second call:", affine(a, x, b * 2).numpy().tolist())
print("traces:", affine.experimental_get_tracing_count())
print(affine.get_concrete_function(a, x, b).graph)

section("Timings against NumPy (best of 5)")
na, nb = np.ones(2, np.float32), np.ones(2, np.float32)
ta, tb = tf.constant(na), tf.constant(nb)
print(
    f"2-element add   loom {best_of('ta + tb', 100000, ta=ta, tb=tb) * 1e9:7.0f} ns"
    f"   numpy {best_of('na + nb', 100000, na=na, nb=nb) * 1e9:7.0f} ns"
)
big_n = np.random.default_rng(0).random(1_000_000, dtype=np.float32)
big = tf.constant(big_n)
print(
    f"1e6 tanh        loom {best_of('tf.tanh(big)', 50, tf=tf, big=big) * 1e6:7.0f} µs"
    f"   numpy {best_of('np.tanh(big_n)', 50, np=np, big_n=big_n) * 1e6:7.0f} µs"
)
m_n = np.random.default_rng(1).random((512, 512), dtype=np.float32)
m = tf.constant(m_n)
print(
    f"512² matmul     loom {best_of('tf.matmul(m, m)', 20, tf=tf, m=m) * 1e3:7.2f} ms"
    f"   numpy {best_of('m_n @ m_n', 20, m_n=m_n) * 1e3:7.2f} ms"
)
call = best_of("affine(a, x, b)", 10000, affine=affine, a=a, x=x, b=b)
eager = best_of("tf.matmul(a, x) + b", 10000, tf=tf, a=a, x=x, b=b)
print(f"y = A x + b     eager {eager * 1e6:6.2f} µs   as a cached function {call * 1e6:6.2f} µs")

section("Keras: an MLP trained with fit on the 8x8 digits")
import digits  # noqa: E402  (examples/digits.py)

digits.main()
