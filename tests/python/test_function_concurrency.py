"""Many threads calling one loom.function at once, first traces racing."""

import threading

import numpy as np

import loom as tf

THREADS = 8


def run_threads(target):
    barrier = threading.Barrier(THREADS)
    errors, results = [], [None] * THREADS

    def worker(i):
        try:
            barrier.wait()
            results[i] = target(i)
        except Exception as e:  # reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert errors == []
    return results


def test_racing_first_trace_traces_once():
    traces = []

    @tf.function
    def f(x):
        traces.append(threading.get_ident())
        return x * 2 + 1

    results = run_threads(lambda i: [f(tf.constant([i, i + 1])).numpy() for _ in range(20)])
    for i, outs in enumerate(results):
        for out in outs:
            np.testing.assert_array_equal(out, [2 * i + 1, 2 * i + 3])
    assert len(traces) == 1
    assert f.experimental_get_tracing_count() == 1


def test_racing_traces_one_per_signature():
    traces = []

    @tf.function
    def f(x, k):
        traces.append(k)
        return tf.reshape(x, [-1]) * k

    def call(i):
        k = i % 2  # two Python values
        shape = [2, 2] if i % 4 < 2 else [4]  # two shapes
        x = tf.ones(shape) * i
        return [f(x, k).numpy() for _ in range(10)]

    results = run_threads(call)
    for i, outs in enumerate(results):
        for out in outs:
            np.testing.assert_array_equal(out, np.full(4, float(i * (i % 2)), np.float32))
    assert len(traces) == 4
    assert sorted(traces) == [0, 0, 1, 1]
    assert f.experimental_get_tracing_count() == 4


def test_concurrent_calls_with_captures_and_nested_functions():
    offset = tf.constant(100)

    @tf.function
    def inner(x):
        return x + offset

    @tf.function
    def outer(x):
        return inner(x) * 2

    results = run_threads(lambda i: [outer(tf.constant(i)).numpy() for _ in range(20)])
    for i, outs in enumerate(results):
        assert outs == [2 * (i + 100)] * 20
    assert outer.experimental_get_tracing_count() == 1
    assert inner.experimental_get_tracing_count() == 0
