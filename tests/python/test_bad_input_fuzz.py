"""Every registered op, fed generated bad and edge-case inputs, must return a result or
raise loom.errors.OpError / TypeError / ValueError: never crash, never leak another
exception (see bad_input_fuzzer.py for the generator). Workers run in subprocesses so a
segfault fails the test with the op and input that caused it."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import loom as tf
from loom import _C

HERE = Path(__file__).resolve().parent
CASES_PER_OP = int(os.environ.get("LOOM_FUZZ_CASES", "150"))
NUM_BATCHES = 4
OPS = sorted(n for n in _C.op_names() if n != "Placeholder")


def run_worker(ops, tmp_path):
    """Runs the fuzzer over `ops`; returns (failures, crash) where crash is the progress
    line of the case that killed the worker, and the ops it never reached."""
    progress = tmp_path / "progress"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE)] + sys.path)
    cmd = [sys.executable, str(HERE / "bad_input_fuzzer.py"), "--cases", str(CASES_PER_OP)]
    proc = subprocess.run(
        cmd + ["--progress", str(progress)] + ops,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=300,
    )
    result = Path(str(progress) + ".json")
    if proc.returncode == 0 and result.exists():
        return json.loads(result.read_text())["failures"], None, []
    lines = progress.read_text().splitlines() if progress.exists() else []
    last = lines[-1] if lines else "(before the first case)"
    crashed_op = last.split("\t")[0]
    rest = ops[ops.index(crashed_op) + 1 :] if crashed_op in ops else []
    stderr = proc.stderr.decode(errors="replace")[-1500:]
    return [], f"exit status {proc.returncode} at {last}\n{stderr}", rest


@pytest.mark.parametrize("batch", range(NUM_BATCHES))
def test_ops_survive_bad_input(batch, tmp_path):
    ops = OPS[batch::NUM_BATCHES]
    failures, crashes = [], []
    # After a crash, carry on with the ops after the crashing one, to report them all.
    while ops:
        found, crash, ops = run_worker(ops, tmp_path)
        failures += found
        if crash:
            crashes.append(crash)
    report = [f"CRASH {c}" for c in crashes]
    report += [f"{f['op']} case {f['case']}: {f['error']}\n    {f['input']}" for f in failures]
    assert not report, f"{len(report)} bad outcomes:\n" + "\n".join(report[:40])


def test_registry_covers_ops():
    # The fuzzer iterates the registry: a new op is fuzzed without touching this file.
    assert len(OPS) > 100 and "AddV2" in OPS and "Placeholder" not in OPS


def test_state_intact_after_bad_input():
    bad = [
        ("Reshape", [np.zeros((2, 3), np.float32), np.array([-1, -1], np.int32)], {}),
        ("GatherV2", [np.zeros(3, np.float32), np.array([7], np.int32), np.int32(0)], {}),
        ("Fill", [np.array([2**40, 2**40], np.int64), np.float32(0)], {}),
    ]
    for name, inputs, attrs in bad:
        with pytest.raises(tf.errors.OpError, match=rf"\[{name}\]"):
            _C.execute(_C.op(name), inputs, attrs)
    np.testing.assert_array_equal(tf.add([1, 2], [3, 4]).numpy(), [4, 6])
    assert tf.reduce_sum(tf.ones([3, 4])).numpy() == 12


# Requests whose output would be enormous: rejected up front, not attempted.
HUGE_REQUESTS = [
    ("Fill", [np.array([2**20, 2**20], np.int64), np.float32(1)], {}),
    ("Fill", [np.array([2**40, 2**40], np.int64), np.float32(1)], {}),
    ("Tile", [np.ones((2, 2), np.float32), np.array([2**31 - 1, 2**31 - 1], np.int32)], {}),
    ("Range", [np.float32(0), np.float32(1e6), np.float32(1e-30)], {}),
    ("Range", [np.int64(-(2**62)), np.int64(2**62), np.int64(1)], {}),
    ("OneHot", [np.arange(4, dtype=np.int32), np.int32(2**31 - 1), 1.0, 0.0], {}),
    ("RandomUniform", [np.array([2**30, 2**30], np.int64)], {"dtype": tf.float32}),
    ("RandomStandardNormal", [np.array([2**62], np.int64)], {"dtype": tf.float64}),
    ("StatelessRandomUniform", [np.array([2**25, 2**25], np.int32), np.array([1, 2])], {}),
    ("LinSpace", [np.float32(0), np.float32(1), np.int64(2**62)], {}),
    ("Eye", [np.int32(2**31 - 1), np.int32(2**31 - 1), np.array([], np.int32)], {}),
    ("BroadcastTo", [np.float32(1), np.array([2**21, 2**21], np.int64)], {}),
    ("Pad", [np.ones(2, np.float32), np.array([[2**40, 2**40]], np.int64)], {}),
    (
        "ScatterNd",
        [np.zeros((1, 2), np.int32), np.ones(1, np.float32), np.array([2**31 - 1] * 2)],
        {},
    ),
]


@pytest.mark.parametrize("name,inputs,attrs", HUGE_REQUESTS, ids=lambda v: str(v)[:20])
def test_huge_outputs_rejected_quickly(name, inputs, attrs):
    start = time.perf_counter()
    with pytest.raises((tf.errors.ResourceExhaustedError, tf.errors.InvalidArgumentError)) as e:
        _C.execute(_C.op(name), inputs, attrs)
    assert f"[{name}]" in str(e.value)
    assert time.perf_counter() - start < 1.0
