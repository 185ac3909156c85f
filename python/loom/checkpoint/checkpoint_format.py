"""The on-disk checkpoint format (docs/CHECKPOINT_FORMAT.md): a safetensors-layout data
file plus a JSON manifest, written atomically and verified completely before use."""

import hashlib
import json
import os
import tempfile

import numpy as np

from loom import errors

FORMAT_NAME = "loom-checkpoint"
FORMAT_VERSION = 1
INDEX_SUFFIX = ".index"
DATA_INFIX = ".data-"
_MAX_HEADER_BYTES = 100 * 1024 * 1024

# loom dtype name -> (safetensors dtype tag, NumPy storage dtype, little endian).
_DTYPES = {
    "bool": ("BOOL", np.dtype("bool")),
    "int8": ("I8", np.dtype("int8")),
    "int16": ("I16", np.dtype("<i2")),
    "int32": ("I32", np.dtype("<i4")),
    "int64": ("I64", np.dtype("<i8")),
    "uint8": ("U8", np.dtype("uint8")),
    "uint16": ("U16", np.dtype("<u2")),
    "uint32": ("U32", np.dtype("<u4")),
    "uint64": ("U64", np.dtype("<u8")),
    "float16": ("F16", np.dtype("<f2")),
    "bfloat16": ("BF16", np.dtype("<u2")),  # stored as raw 16-bit patterns
    "float32": ("F32", np.dtype("<f4")),
    "float64": ("F64", np.dtype("<f8")),
}
_BY_TAG = {tag: (name, storage) for name, (tag, storage) in _DTYPES.items()}


def _data_loss(path, what):
    return errors.DataLossError(f"Checkpoint {path!r} is corrupted or incomplete: {what}")


# ---------------------------------------------------------------- atomic writes


def fsync_directory(directory):
    # The rename itself is only durable once the directory entry is flushed.
    try:
        fd = os.open(directory or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse fsync on directories
    finally:
        os.close(fd)


def write_atomically(path, chunks):
    """Writes `chunks` (bytes-like) to `path` so a reader sees the old file or the whole
    new one: temp file in the same directory, fsync, rename, fsync the directory."""
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would make checkpoints private to the writer
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_directory(directory)


# ---------------------------------------------------------------- encoding


def _bfloat16_bits(values):
    """float32 values -> bfloat16 bit patterns, rounding to nearest even."""
    bits = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32)
    rounded = bits + (np.uint32(0x7FFF) + ((bits >> 16) & np.uint32(1)))
    out = (rounded >> 16).astype(np.uint16)
    nan = np.isnan(values)
    out[nan] = (bits[nan] >> 16).astype(np.uint16) | np.uint16(0x40)  # stay a NaN
    return out


def _from_bfloat16_bits(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def encode_tensors(tensors):
    """{key: (dtype_name, ndarray)} -> list of byte chunks in the safetensors layout."""
    header = {}
    payloads = []
    offset = 0
    for key in sorted(tensors):
        dtype_name, array = tensors[key]
        if dtype_name not in _DTYPES:
            raise errors.InvalidArgumentError(
                f"Cannot checkpoint {key!r}: dtype {dtype_name} is not supported."
            )
        tag, storage = _DTYPES[dtype_name]
        array = np.asarray(array)
        if dtype_name == "bfloat16":
            data = _bfloat16_bits(array)
        else:
            data = np.ascontiguousarray(array, dtype=storage)
        raw = data.tobytes()
        header[key] = {
            "dtype": tag,
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        payloads.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": FORMAT_NAME}
    text = json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")
    text += b" " * (-len(text) % 8)  # keeps the data 8-byte aligned, as safetensors does
    return [len(text).to_bytes(8, "little"), text, *payloads]


def decode_tensors(path, blob):
    """Verifies a safetensors-layout blob and returns {key: (dtype_name, ndarray)}."""
    if len(blob) < 8:
        raise _data_loss(path, f"data file has {len(blob)} bytes, fewer than its 8-byte header")
    header_len = int.from_bytes(blob[:8], "little")
    if header_len > _MAX_HEADER_BYTES or 8 + header_len > len(blob):
        raise _data_loss(
            path, f"header length {header_len} runs past the end of the {len(blob)}-byte file"
        )
    try:
        header = json.loads(bytes(blob[8 : 8 + header_len]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise _data_loss(path, f"header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise _data_loss(path, "header is not a JSON object")
    header.pop("__metadata__", None)
    data = memoryview(blob)[8 + header_len :]
    spans = []
    parsed = {}
    for key, entry in header.items():
        parsed[key] = _check_entry(path, key, entry, len(data))
        spans.append((parsed[key][2], parsed[key][3], key))
    spans.sort()
    end = 0
    for begin, stop, key in spans:
        if begin != end:
            kind = "overlaps the previous tensor" if begin < end else "leaves a gap"
            raise _data_loss(path, f"tensor {key!r} at bytes [{begin}, {stop}) {kind}")
        end = stop
    if end != len(data):
        raise _data_loss(path, f"tensors cover {end} of {len(data)} data bytes")
    tensors = {}
    for key, (dtype_name, shape, begin, stop) in parsed.items():
        storage = _DTYPES[dtype_name][1]
        array = np.frombuffer(data[begin:stop], dtype=storage).reshape(shape)
        if dtype_name == "bfloat16":
            array = _from_bfloat16_bits(array)
        else:
            array = array.astype(storage.newbyteorder("="), copy=True)
        tensors[key] = (dtype_name, array)
    return tensors


def _check_entry(path, key, entry, data_len):
    if not isinstance(entry, dict):
        raise _data_loss(path, f"entry for {key!r} is not an object")
    tag, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if tag not in _BY_TAG:
        raise _data_loss(path, f"tensor {key!r} has unknown dtype {tag!r}")
    if not isinstance(shape, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape
    ):
        raise _data_loss(path, f"tensor {key!r} has invalid shape {shape!r}")
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)
    ):
        raise _data_loss(path, f"tensor {key!r} has invalid data_offsets {offsets!r}")
    begin, stop = offsets
    if not 0 <= begin <= stop <= data_len:
        raise _data_loss(
            path,
            f"tensor {key!r} points at bytes [{begin}, {stop}) outside the {data_len}-byte data",
        )
    dtype_name, storage = _BY_TAG[tag]
    count = 1
    for d in shape:
        count *= d
    if count * storage.itemsize != stop - begin:
        raise _data_loss(
            path,
            f"tensor {key!r} of dtype {dtype_name} and shape {shape} needs "
            f"{count * storage.itemsize} bytes but spans {stop - begin}",
        )
    return dtype_name, tuple(shape), begin, stop


# ---------------------------------------------------------------- manifest


def _manifest_digest(body):
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(canonical).hexdigest()


def write_checkpoint(prefix, tensors, objects, metadata):
    """Writes `tensors` ({key: (dtype_name, ndarray)}) and a manifest mapping object
    paths to keys. The data file is named by its hash and the manifest is renamed into
    place last, so a crash at any point leaves the previous checkpoint at `prefix` whole."""
    directory = os.path.dirname(prefix)
    if directory:
        os.makedirs(directory, exist_ok=True)
    chunks = encode_tensors(tensors)
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    sha = digest.hexdigest()
    data_name = os.path.basename(prefix) + DATA_INFIX + sha[:16]
    write_atomically(os.path.join(directory, data_name), chunks)
    body = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "data_file": data_name,
        "data_size": size,
        "data_sha256": sha,
        "objects": dict(sorted(objects.items())),
        "metadata": metadata,
    }
    manifest = dict(body, manifest_sha256=_manifest_digest(body))
    text = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
    write_atomically(prefix + INDEX_SUFFIX, [text])
    remove_stale_data_files(prefix, keep=data_name)
    return prefix


def remove_stale_data_files(prefix, keep=None):
    """Deletes data files of `prefix` other than `keep` (left by an overwrite or a crash)
    and temp files of `prefix` a killed writer left behind."""
    directory = os.path.dirname(prefix) or "."
    stem = os.path.basename(prefix) + DATA_INFIX
    try:
        names = os.listdir(directory)
    except OSError:
        return
    temp_stem = "." + os.path.basename(prefix) + "."  # temp files a killed writer left
    for name in names:
        stale_data = name.startswith(stem) and name != keep and "." not in name[len(stem) :]
        stale_temp = name.startswith(temp_stem) and name.endswith(".tmp")
        if stale_data or stale_temp:
            try:
                os.unlink(os.path.join(directory, name))
            except OSError:
                pass


def checkpoint_exists(prefix):
    return os.path.isfile(prefix + INDEX_SUFFIX)


def read_checkpoint(prefix):
    """Reads and verifies the checkpoint at `prefix`: returns (objects, tensors, metadata).
    NotFoundError when there is none; DataLossError for anything inconsistent."""
    index_path = prefix + INDEX_SUFFIX
    try:
        with open(index_path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise errors.NotFoundError(
            f"No checkpoint found at {prefix!r} (missing {index_path!r})."
        ) from None
    except IsADirectoryError:
        raise errors.NotFoundError(f"No checkpoint found at {prefix!r}.") from None
    manifest = _parse_manifest(prefix, raw)
    data_path = os.path.join(os.path.dirname(prefix), manifest["data_file"])
    try:
        with open(data_path, "rb") as f:
            blob = f.read()
    except FileNotFoundError:
        raise _data_loss(prefix, f"data file {data_path!r} is missing") from None
    if len(blob) != manifest["data_size"]:
        raise _data_loss(
            prefix, f"data file has {len(blob)} bytes, the manifest records {manifest['data_size']}"
        )
    if hashlib.sha256(blob).hexdigest() != manifest["data_sha256"]:
        raise _data_loss(prefix, "SHA-256 of the data file does not match the manifest")
    tensors = decode_tensors(prefix, blob)
    for path, key in manifest["objects"].items():
        if key not in tensors:
            raise _data_loss(prefix, f"object {path!r} names tensor {key!r}, absent from the data")
    return manifest["objects"], tensors, manifest["metadata"]


def _parse_manifest(prefix, raw):
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise _data_loss(prefix, f"manifest is not valid JSON ({e})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise _data_loss(prefix, "manifest is not a loom checkpoint manifest")
    if manifest.get("version") != FORMAT_VERSION:
        raise _data_loss(
            prefix,
            f"manifest version {manifest.get('version')!r} is not {FORMAT_VERSION}",
        )
    claimed = manifest.pop("manifest_sha256", None)
    if claimed != _manifest_digest(manifest):
        raise _data_loss(prefix, "manifest checksum does not match its contents")
    data_file, objects = manifest.get("data_file"), manifest.get("objects")
    if (
        not isinstance(data_file, str)
        or os.path.basename(data_file) != data_file
        or data_file in ("", ".", "..")
    ):
        raise _data_loss(prefix, f"manifest names an invalid data file {data_file!r}")
    if not isinstance(objects, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in objects.items()
    ):
        raise _data_loss(prefix, "manifest object table is malformed")
    if not isinstance(manifest.get("data_size"), int) or not isinstance(
        manifest.get("data_sha256"), str
    ):
        raise _data_loss(prefix, "manifest lacks the data file size or checksum")
    if not isinstance(manifest.get("metadata"), dict):
        manifest["metadata"] = {}
    return manifest
