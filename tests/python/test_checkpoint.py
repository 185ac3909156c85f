"""tf.train.Checkpoint / CheckpointManager: object-path matching, numbering, deferred
restore, and verification of damaged files (each a clear error, nothing changed)."""

import json
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from loom.checkpoint import checkpoint_format as fmt

import loom as tf


class Dense(tf.Module):
    def __init__(self, units=3, name=None):
        super().__init__(name=name)
        self.kernel = tf.Variable(np.zeros((2, units), np.float32), name="kernel")
        self.bias = tf.Variable(np.zeros(units, np.float32), name="bias")


class Lazy(tf.Module):
    """Creates its weight on first call, like a Keras layer's build()."""

    def __call__(self, x):
        if not hasattr(self, "w"):
            self.w = tf.Variable(np.zeros((len(x),), np.float32), name="w")
        return self.w.numpy() * x


def fill(module, seed):
    rng = np.random.default_rng(seed)
    for v in module.variables:
        v.assign(rng.standard_normal(v.shape.as_list()).astype(v.dtype.as_numpy_dtype))


def values(module):
    return [v.numpy() for v in module.variables]


def assert_same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def model_with_layers():
    m = tf.Module(name="model")
    m.layers = [Dense(), Dense(units=4)]
    m.head = {"out": Dense(units=1)}
    return m


def test_write_read_round_trip_all_dtypes(tmp_path):
    m = tf.Module()
    m.vars = {
        name: tf.Variable(np.arange(6).reshape(2, 3).astype(np.dtype(t)), dtype=name)
        for name, t in [
            ("bool", "bool"),
            ("int8", "int8"),
            ("uint16", "uint16"),
            ("int32", "int32"),
            ("int64", "int64"),
            ("uint64", "uint64"),
            ("float16", "float16"),
            ("float32", "float32"),
            ("float64", "float64"),
        ]
    }
    m.bf = tf.Variable(np.array([1.5, -2.0, 3.0], np.float32), dtype="bfloat16")
    m.scalar = tf.Variable(np.float32(7.5))
    m.empty = tf.Variable(np.zeros((0, 3), np.float32))
    saved = values(m)
    path = tf.train.Checkpoint(m=m).write(str(tmp_path / "one"))
    assert path == str(tmp_path / "one")
    for v in m.variables:
        v.assign(np.zeros(v.shape.as_list(), v.dtype.as_numpy_dtype))
    status = tf.train.Checkpoint(m=m).read(path)
    status.assert_consumed()
    assert_same(values(m), saved)


def test_data_file_is_safetensors_layout(tmp_path):
    m = Dense()
    fill(m, 1)
    prefix = tf.train.Checkpoint(layer=m).write(str(tmp_path / "x"))
    manifest = json.loads(open(prefix + ".index").read())
    blob = open(tmp_path / manifest["data_file"], "rb").read()
    n = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8 : 8 + n])
    entry = header["layer/kernel"]
    assert entry["dtype"] == "F32" and entry["shape"] == [2, 3]
    begin, end = entry["data_offsets"]
    data = np.frombuffer(blob[8 + n + begin : 8 + n + end], "<f4").reshape(2, 3)
    np.testing.assert_array_equal(data, m.kernel.numpy())
    assert manifest["objects"] == {"layer/bias": "layer/bias", "layer/kernel": "layer/kernel"}
    assert manifest["version"] == 1 and len(manifest["data_sha256"]) == 64


def test_save_numbers_checkpoints_and_records_latest(tmp_path):
    m = Dense()
    ckpt = tf.train.Checkpoint(model=m)
    prefix = str(tmp_path / "ckpt")
    paths = []
    for seed in range(3):
        fill(m, seed)
        paths.append(ckpt.save(prefix))
    assert paths == [f"{prefix}-1", f"{prefix}-2", f"{prefix}-3"]
    assert int(ckpt.save_counter.numpy()) == 3
    assert tf.train.latest_checkpoint(str(tmp_path)) == f"{prefix}-3"
    expected = values(m)
    fill(m, 99)
    ckpt.restore(f"{prefix}-3").assert_consumed()
    assert_same(values(m), expected)
    # The counter is restored too: a fresh Checkpoint continues the numbering.
    other = tf.train.Checkpoint(model=Dense())
    other.restore(f"{prefix}-2").assert_consumed()
    assert other.save(prefix) == f"{prefix}-3"


def test_restore_matches_object_paths_not_variable_names(tmp_path):
    src = model_with_layers()
    fill(src, 3)
    path = tf.train.Checkpoint(model=src).write(str(tmp_path / "p"))

    class RenamedDense(tf.Module):
        def __init__(self, units, tag):
            super().__init__(name=f"layer_{tag}")
            self.kernel = tf.Variable(np.zeros((2, units), np.float32), name=f"k_{tag}")
            self.bias = tf.Variable(np.zeros(units, np.float32), name=f"b_{tag}")

    dst = tf.Module(name="something_else")
    dst.layers = [RenamedDense(3, "x"), RenamedDense(4, "y")]
    dst.head = {"out": RenamedDense(1, "z")}
    assert dst.layers[0].kernel.name == "k_x:0"
    tf.train.Checkpoint(model=dst).read(path).assert_consumed()
    assert_same(values(dst), values(src))
    np.testing.assert_array_equal(dst.head["out"].kernel.numpy(), src.head["out"].kernel.numpy())


def test_shared_variable_stored_once_and_restored_through_any_path(tmp_path):
    shared = tf.Variable(np.array([1.0, 2.0], np.float32))
    a, b = tf.Module(name="a"), tf.Module(name="b")
    a.w, b.w = shared, shared
    path = tf.train.Checkpoint(a=a, b=b).write(str(tmp_path / "s"))
    manifest = json.loads(open(path + ".index").read())
    assert manifest["objects"] == {"a/w": "a/w", "b/w": "a/w"}
    # Only "b" exists now: the value is found through the alias path.
    fresh = tf.Module(name="b")
    fresh.w = tf.Variable(np.zeros(2, np.float32))
    tf.train.Checkpoint(b=fresh).read(path).expect_partial()
    np.testing.assert_array_equal(fresh.w.numpy(), [1.0, 2.0])


def test_manager_keeps_last_n_and_deletes_older_files(tmp_path):
    m = Dense()
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(model=m), str(tmp_path), max_to_keep=2)
    assert manager.latest_checkpoint is None
    for seed in range(5):
        fill(m, seed)
        manager.save()
    prefix = str(tmp_path / "ckpt")
    assert manager.checkpoints == [f"{prefix}-4", f"{prefix}-5"]
    assert manager.latest_checkpoint == f"{prefix}-5"
    assert tf.train.latest_checkpoint(str(tmp_path)) == f"{prefix}-5"
    left = sorted(n for n in os.listdir(tmp_path) if n != "checkpoint")
    assert [n.split(".")[0] for n in left] == ["ckpt-4", "ckpt-4", "ckpt-5", "ckpt-5"]
    # A new manager over the same directory picks the state up again.
    again = tf.train.CheckpointManager(
        tf.train.Checkpoint(model=Dense()), str(tmp_path), max_to_keep=2
    )
    assert again.checkpoints == manager.checkpoints
    assert again.restore_or_initialize() == f"{prefix}-5"
    assert_same(values(again.checkpoint.model), values(m))


def test_deferred_restore_into_lazily_built_layer_and_late_attribute(tmp_path):
    src = tf.Module(name="net")
    src.lazy = Lazy()
    src.lazy(np.ones(3, np.float32))
    src.lazy.w.assign(np.array([4.0, 5.0, 6.0], np.float32))
    src.late = Dense()
    fill(src.late, 8)
    path = tf.train.Checkpoint(net=src).write(str(tmp_path / "d"))

    dst = tf.Module(name="net")
    dst.lazy = Lazy()
    ckpt = tf.train.Checkpoint(net=dst)
    status = ckpt.restore(path)  # neither the weight nor "late" exists yet
    with pytest.raises(AssertionError, match="net/lazy/w"):
        status.assert_consumed()
    np.testing.assert_array_equal(dst.lazy(np.ones(3, np.float32)), [4.0, 5.0, 6.0])
    dst.late = Dense()  # created and attached after the restore
    np.testing.assert_array_equal(dst.late.kernel.numpy(), src.late.kernel.numpy())
    status.assert_consumed()


def test_deferred_restore_through_run_restore_ops_for_container_appends(tmp_path):
    src = tf.Module()
    src.items = [tf.Variable(np.array([1.0], np.float32)), tf.Variable(np.array([2.0], np.float32))]
    path = tf.train.Checkpoint(m=src).write(str(tmp_path / "c"))
    dst = tf.Module()
    dst.items = []
    status = tf.train.Checkpoint(m=dst).restore(path)
    dst.items.append(tf.Variable(np.zeros(1, np.float32)))
    dst.items.append(tf.Variable(np.zeros(1, np.float32)))
    status.run_restore_ops()
    assert [float(v.numpy()[0]) for v in dst.items] == [1.0, 2.0]
    status.assert_consumed()


def test_deferred_mismatch_reported_by_run_restore_ops(tmp_path):
    src = tf.Module()
    src.w = tf.Variable(np.ones(3, np.float32))
    path = tf.train.Checkpoint(m=src).write(str(tmp_path / "dm"))
    dst = tf.Module()
    status = tf.train.Checkpoint(m=dst).restore(path)
    dst.w = tf.Variable(np.zeros(2, np.float32))  # wrong shape, created after the restore
    np.testing.assert_array_equal(dst.w.numpy(), [0.0, 0.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"'m/w'.*\[3\].*\[2\]"):
        status.run_restore_ops()


def test_checkpoint_rejects_untrackable_objects_and_reserved_name():
    with pytest.raises(ValueError, match="trackable"):
        tf.train.Checkpoint(model=object())
    with pytest.raises(ValueError, match="reserved"):
        tf.train.Checkpoint(save_counter=tf.Module())


def test_mismatched_shape_or_dtype_names_path_and_changes_nothing(tmp_path):
    src = model_with_layers()
    fill(src, 1)
    path = tf.train.Checkpoint(model=src).write(str(tmp_path / "m"))
    dst = model_with_layers()
    dst.layers[1].bias = tf.Variable(np.zeros(5, np.float32))  # was 4
    fill(dst, 2)
    before = values(dst)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"model/layers/1/bias.*\[4\].*\[5\]"):
        tf.train.Checkpoint(model=dst).read(path)
    assert_same(values(dst), before)

    dst2 = model_with_layers()
    dst2.head["out"].kernel = tf.Variable(np.zeros((2, 1), np.float64), dtype="float64")
    before = values(dst2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="model/head/out/kernel.*float32"):
        tf.train.Checkpoint(model=dst2).read(path)
    assert_same(values(dst2), before)


def test_missing_checkpoint_is_not_found(tmp_path):
    ckpt = tf.train.Checkpoint(model=Dense())
    with pytest.raises(tf.errors.NotFoundError, match="No checkpoint found"):
        ckpt.restore(str(tmp_path / "nope"))
    assert tf.train.latest_checkpoint(str(tmp_path)) is None
    with pytest.raises(AssertionError, match="save_path=None"):
        ckpt.restore(None).assert_consumed()


# ---------------------------------------------------------------- damaged files


@pytest.fixture
def saved(tmp_path):
    src = model_with_layers()
    fill(src, 5)
    prefix = tf.train.Checkpoint(model=src).write(str(tmp_path / "dmg"))
    manifest = json.loads(open(prefix + ".index").read())
    dst = model_with_layers()
    fill(dst, 6)
    return prefix, str(tmp_path / manifest["data_file"]), dst


def expect_data_loss(prefix, dst, pattern):
    before = values(dst)
    with pytest.raises(tf.errors.DataLossError, match=pattern):
        tf.train.Checkpoint(model=dst).restore(prefix)
    assert_same(values(dst), before)


def rewrite_data(data_path, blob):
    os.chmod(data_path, 0o644)
    with open(data_path, "wb") as f:
        f.write(blob)


def reseal(prefix, data_path):
    """Recomputes the manifest's checksums so only the data file's structure is wrong."""
    blob = open(data_path, "rb").read()
    import hashlib

    manifest = json.loads(open(prefix + ".index").read())
    manifest.pop("manifest_sha256")
    manifest["data_size"] = len(blob)
    manifest["data_sha256"] = hashlib.sha256(blob).hexdigest()
    manifest["manifest_sha256"] = fmt._manifest_digest(manifest)
    open(prefix + ".index", "w").write(json.dumps(manifest))


def test_truncated_data_file(saved):
    prefix, data_path, dst = saved
    blob = open(data_path, "rb").read()
    rewrite_data(data_path, blob[: len(blob) - 10])
    expect_data_loss(prefix, dst, "has .* bytes, the manifest records")


def test_flipped_byte_fails_checksum(saved):
    prefix, data_path, dst = saved
    blob = bytearray(open(data_path, "rb").read())
    blob[-5] ^= 0x01
    rewrite_data(data_path, bytes(blob))
    expect_data_loss(prefix, dst, "SHA-256 of the data file does not match")


def test_flipped_byte_in_manifest(saved):
    prefix, _, dst = saved
    text = open(prefix + ".index").read().replace("layers/1/bias", "layers/1/bia5", 1)
    open(prefix + ".index", "w").write(text)
    expect_data_loss(prefix, dst, "manifest checksum")


def test_header_offsets_outside_file(saved):
    prefix, data_path, dst = saved
    blob = open(data_path, "rb").read()
    n = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8 : 8 + n])
    header["model/head/out/bias"]["data_offsets"] = [0, 10**9]
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    rewrite_data(data_path, len(text).to_bytes(8, "little") + text + blob[8 + n :])
    reseal(prefix, data_path)
    expect_data_loss(prefix, dst, "model/head/out/bias.*outside")


def test_header_length_past_end_and_overlap_and_byte_count(saved):
    prefix, data_path, dst = saved
    blob = open(data_path, "rb").read()
    n = int.from_bytes(blob[:8], "little")
    rewrite_data(data_path, (len(blob) * 2).to_bytes(8, "little") + blob[8:])
    reseal(prefix, data_path)
    expect_data_loss(prefix, dst, "header length .* runs past the end")

    header = json.loads(blob[8 : 8 + n])
    header["model/head/out/bias"]["data_offsets"] = header["model/head/out/kernel"]["data_offsets"]
    header["model/head/out/bias"]["shape"] = [2]
    text = json.dumps(header).encode()
    rewrite_data(data_path, len(text).to_bytes(8, "little") + text + blob[8 + n :])
    reseal(prefix, data_path)
    expect_data_loss(prefix, dst, "overlaps|gap")

    header = json.loads(blob[8 : 8 + n])
    header["model/head/out/kernel"]["shape"] = [3, 1]
    text = json.dumps(header).encode()
    rewrite_data(data_path, len(text).to_bytes(8, "little") + text + blob[8 + n :])
    reseal(prefix, data_path)
    expect_data_loss(prefix, dst, r"needs 12 bytes but spans 8")


def test_tiny_and_garbage_files(saved):
    prefix, data_path, dst = saved
    rewrite_data(data_path, b"\x01\x02")
    reseal(prefix, data_path)
    expect_data_loss(prefix, dst, "fewer than its 8-byte header")
    rewrite_data(data_path, (4).to_bytes(8, "little") + b"nope")
    reseal(prefix, data_path)
    expect_data_loss(prefix, dst, "not valid JSON")
    open(prefix + ".index", "w").write("{trunc")
    expect_data_loss(prefix, dst, "manifest is not valid JSON")


def test_missing_data_file(saved):
    prefix, data_path, dst = saved
    os.unlink(data_path)
    expect_data_loss(prefix, dst, "is missing")


# ---------------------------------------------------------------- crash safety


def test_sigkill_during_saves_leaves_latest_checkpoint_loadable(tmp_path):
    worker = os.path.join(os.path.dirname(__file__), "checkpoint_kill_worker.py")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    rng = random.Random(1234)
    directory = str(tmp_path)
    last_step = 0
    for _ in range(4):
        proc = subprocess.Popen(
            [sys.executable, worker, directory], stdout=subprocess.PIPE, env=env, text=True
        )
        proc.stdout.readline()  # one save finished: the process is in its save loop
        time.sleep(rng.uniform(0.0, 0.15))
        proc.send_signal(signal.SIGKILL)
        assert proc.wait() == -signal.SIGKILL  # it was still saving, not crashed
        proc.stdout.close()

        latest = tf.train.latest_checkpoint(directory)
        assert latest is not None
        model = tf.Module()
        model.big = tf.Variable(np.zeros((256, 256), np.float32))
        model.small = [tf.Variable(np.zeros(7, np.int64)), tf.Variable(np.zeros((), np.float64))]
        tf.train.Checkpoint(model=model).restore(latest).assert_consumed()
        step = int(model.small[1].numpy())
        assert latest.endswith(f"-{step}")
        assert step >= 1
        np.testing.assert_array_equal(model.big.numpy(), np.full((256, 256), step, np.float32))
        np.testing.assert_array_equal(model.small[0].numpy(), np.full(7, step, np.int64))
        # Every checkpoint the manager still lists verifies too.
        manager = tf.train.CheckpointManager(
            tf.train.Checkpoint(model=model), directory, max_to_keep=2
        )
        for path in manager.checkpoints:
            fmt.read_checkpoint(path)
        assert not [n for n in os.listdir(directory) if n.endswith(".tmp")]  # swept
        last_step = step
    assert last_step >= 1


def test_root_children_are_top_level_and_overwrite_keeps_one_data_file(tmp_path):
    m = Dense()
    ckpt = tf.train.Checkpoint(root=m, extra=tf.Variable(np.float32(1.0)))
    prefix = str(tmp_path / "r")
    ckpt.write(prefix)
    fill(m, 4)
    ckpt.write(prefix)  # same prefix again: the old data file is replaced, not kept
    manifest = json.loads(open(prefix + ".index").read())
    assert sorted(manifest["objects"]) == ["bias", "extra", "kernel"]
    assert sorted(os.listdir(tmp_path)) == sorted(["r.index", manifest["data_file"]])
    fresh = Dense()
    tf.train.Checkpoint(root=fresh).read(prefix).expect_partial()
    assert_same(values(fresh), values(m))
