"""Tests for sknn.datasets: the offline Fashion-MNIST loader and its IDX reader."""

import gzip
import os
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from sknn import datasets
from sknn.datasets import FASHION_MNIST_CLASSES, _read_idx, load_fashion_mnist

REAL_DATA_DIR = Path("/usr/share/datasets/fashion-mnist")

_TYPE_CODES = {
    np.dtype(np.uint8): 0x08,
    np.dtype(np.int8): 0x09,
    np.dtype(np.int16): 0x0B,
    np.dtype(np.int32): 0x0C,
    np.dtype(np.float32): 0x0D,
    np.dtype(np.float64): 0x0E,
}


def _idx_bytes(array):
    array = np.asarray(array)
    header = bytes([0, 0, _TYPE_CODES[array.dtype], array.ndim])
    header += np.asarray(array.shape, dtype=">u4").tobytes()
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def _write(filename, payload):
    filename = Path(filename)
    if filename.suffix == ".gz":
        with gzip.open(filename, "wb") as f:
            f.write(payload)
    else:
        filename.write_bytes(payload)
    return filename


def _make_split(n, seed):
    rng = np.random.RandomState(seed)
    images = rng.randint(0, 256, size=(n, 28, 28)).astype(np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    rng.shuffle(labels)
    return images, labels


def _write_fashion_mnist(directory, *, gz=False, n_train=7, n_test=4, seed=0):
    """Write a small, valid Fashion-MNIST look-alike; return the arrays."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gz else ""
    X_train, y_train = _make_split(n_train, seed)
    X_test, y_test = _make_split(n_test, seed + 1)
    for name, array in [
        ("train-images-idx3-ubyte", X_train),
        ("train-labels-idx1-ubyte", y_train),
        ("t10k-images-idx3-ubyte", X_test),
        ("t10k-labels-idx1-ubyte", y_test),
    ]:
        _write(directory / f"{name}{suffix}", _idx_bytes(array))
    return X_train, y_train, X_test, y_test


@pytest.fixture(autouse=True)
def _no_sknn_data(monkeypatch):
    # The user's own SKNN_DATA must not leak into these tests.
    monkeypatch.delenv("SKNN_DATA", raising=False)


# --- the IDX reader ------------------------------------------------------------


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize(
    "array",
    [
        np.arange(24, dtype=np.uint8).reshape(2, 3, 4),
        np.array([-128, -1, 0, 1, 127], dtype=np.int8),
        np.array([[-32768, 258], [7, 32767]], dtype=np.int16),
        np.array([-(2**31), 1, 2**24 + 3, 2**31 - 1], dtype=np.int32),
        np.array([[0.5, -1.25e-3, np.inf]], dtype=np.float32),
        np.array([np.pi, -(2.0**-60), 1e300], dtype=np.float64),
    ],
    ids=lambda a: str(a.dtype),
)
def test_read_idx_round_trip(tmp_path, array, gz):
    filename = _write(
        tmp_path / ("data.idx.gz" if gz else "data.idx"), _idx_bytes(array)
    )
    result = _read_idx(filename)
    assert result.dtype == array.dtype
    assert result.dtype.isnative
    assert result.shape == array.shape
    assert result.flags.writeable
    assert_array_equal(result, array)


def test_read_idx_exact_bytes(tmp_path):
    # Hand-written file, independent of the helper above: 2x3 uint8 array.
    payload = bytes([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 250, 251, 252])
    result = _read_idx(_write(tmp_path / "x-idx2-ubyte", payload))
    assert_array_equal(result, np.array([[1, 2, 3], [250, 251, 252]], dtype=np.uint8))


@pytest.mark.parametrize(
    "magic",
    [b"\x01\x00\x08\x01", b"\x00\x00\x07\x01", b"\x00\x00\x08\x00", b"PK\x03\x04"],
)
def test_read_idx_bad_magic(tmp_path, magic):
    filename = _write(tmp_path / "bad", magic + b"\x00\x00\x00\x01\x05")
    with pytest.raises(ValueError, match="bad magic number"):
        _read_idx(filename)


def test_read_idx_shorter_than_magic(tmp_path):
    with pytest.raises(ValueError, match="shorter than the 4-byte magic"):
        _read_idx(_write(tmp_path / "short", b"\x00\x00"))


def test_read_idx_truncated_header(tmp_path):
    # Claims 3 dimensions but stops after the first one.
    with pytest.raises(ValueError, match="truncated IDX header"):
        _read_idx(_write(tmp_path / "hdr", bytes([0, 0, 8, 3, 0, 0, 0, 2])))


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_read_idx_truncated_data(tmp_path, gz):
    payload = _idx_bytes(np.arange(100, dtype=np.int32))[:-3]
    filename = _write(tmp_path / ("t.gz" if gz else "t"), payload)
    with pytest.raises(ValueError, match="truncated"):
        _read_idx(filename)


def test_read_idx_trailing_bytes(tmp_path):
    payload = _idx_bytes(np.arange(10, dtype=np.uint8)) + b"\x00"
    with pytest.raises(ValueError, match="trailing bytes"):
        _read_idx(_write(tmp_path / "long", payload))


def test_read_idx_truncated_gzip_stream(tmp_path):
    compressed = gzip.compress(_idx_bytes(np.arange(1000, dtype=np.int32)))
    filename = tmp_path / "cut.gz"
    filename.write_bytes(compressed[: len(compressed) // 2])
    with pytest.raises(ValueError, match="corrupt or truncated gzip"):
        _read_idx(filename)


def test_read_idx_not_gzip(tmp_path):
    # A plain IDX file wrongly named .gz.
    filename = tmp_path / "plain.gz"
    filename.write_bytes(_idx_bytes(np.arange(10, dtype=np.uint8)))
    with pytest.raises(ValueError, match="corrupt or truncated gzip"):
        _read_idx(filename)


# --- load_fashion_mnist on synthetic files -------------------------------------


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_load_fashion_mnist_float(tmp_path, gz):
    X_train, y_train, X_test, y_test = _write_fashion_mnist(tmp_path, gz=gz)
    data = load_fashion_mnist(tmp_path)

    assert data.X_train.shape == (7, 784)
    assert data.X_test.shape == (4, 784)
    for X, images in [(data.X_train, X_train), (data.X_test, X_test)]:
        assert X.dtype == np.float32
        assert X.flags.c_contiguous and X.flags.writeable
        assert_array_equal(X, images.reshape(len(images), 784) / np.float32(255))
        assert 0.0 <= X.min() and X.max() <= 1.0
    for y, labels in [(data.y_train, y_train), (data.y_test, y_test)]:
        assert y.dtype == np.int64
        assert_array_equal(y, labels)

    assert data.target_names == FASHION_MNIST_CLASSES
    assert len(data.target_names) == 10
    assert data.target_names[9] == "Ankle boot"
    assert data.data_dir == str(tmp_path)
    assert "Fashion-MNIST" in data.DESCR


def test_load_fashion_mnist_uint8_and_return_X_y(tmp_path):
    X_train, y_train, X_test, y_test = _write_fashion_mnist(tmp_path)
    result = load_fashion_mnist(str(tmp_path), as_float=False, return_X_y=True)

    assert isinstance(result, tuple) and len(result) == 4
    X_train_, X_test_, y_train_, y_test_ = result
    assert X_train_.dtype == np.uint8 and X_test_.dtype == np.uint8
    assert_array_equal(X_train_, X_train.reshape(-1, 784))
    assert_array_equal(X_test_, X_test.reshape(-1, 784))
    assert_array_equal(y_train_, y_train)
    assert_array_equal(y_test_, y_test)
    # Row-major pixel order: feature 28 * r + c is pixel (r, c).
    assert X_train_[3, 28 * 5 + 7] == X_train[3, 5, 7]


def test_load_fashion_mnist_mixed_plain_and_gzip(tmp_path):
    X_train, y_train, _, _ = _write_fashion_mnist(tmp_path, gz=True)
    # Replace one gzipped file by a plain one.
    (tmp_path / "train-labels-idx1-ubyte.gz").unlink()
    _write(tmp_path / "train-labels-idx1-ubyte", _idx_bytes(y_train))
    data = load_fashion_mnist(tmp_path)
    assert_array_equal(data.y_train, y_train)


def test_plain_file_preferred_over_gzip(tmp_path):
    _write_fashion_mnist(tmp_path, gz=True, seed=0)
    X_train, _, _, _ = _write_fashion_mnist(tmp_path, gz=False, seed=10)
    data = load_fashion_mnist(tmp_path, as_float=False)
    assert_array_equal(data.X_train, X_train.reshape(-1, 784))


# --- where the files are looked for ---------------------------------------------


def test_missing_directory_message(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError) as excinfo:
        load_fashion_mnist(missing)
    message = str(excinfo.value)
    assert str(missing) in message
    assert "no such directory" in message
    assert "apt-get install -y dataset-fashion-mnist" in message
    assert "path=" in message
    assert "SKNN_DATA" in message
    assert "never downloads" in message


def test_missing_file_is_named(tmp_path):
    _write_fashion_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError, match="missing t10k-labels-idx1-ubyte\n"):
        load_fashion_mnist(tmp_path)
    # The message names the missing file only.
    with pytest.raises(FileNotFoundError) as excinfo:
        load_fashion_mnist(tmp_path)
    assert "missing train-images" not in str(excinfo.value)


def test_sknn_data_used_when_no_path(tmp_path, monkeypatch):
    default_dir = tmp_path / "default"
    env_dir = tmp_path / "env"
    _write_fashion_mnist(default_dir, seed=0)
    X_env, _, _, _ = _write_fashion_mnist(env_dir, seed=5)
    monkeypatch.setattr(datasets, "DEFAULT_FASHION_MNIST_DIR", default_dir)
    monkeypatch.setenv("SKNN_DATA", str(env_dir))

    data = load_fashion_mnist(as_float=False)
    assert data.data_dir == str(env_dir)
    assert_array_equal(data.X_train, X_env.reshape(-1, 784))


def test_sknn_data_fashion_mnist_subdirectory(tmp_path, monkeypatch):
    X_env, _, _, _ = _write_fashion_mnist(tmp_path / "fashion-mnist", gz=True)
    monkeypatch.setenv("SKNN_DATA", str(tmp_path))
    data = load_fashion_mnist(as_float=False)
    assert data.data_dir == str(tmp_path / "fashion-mnist")
    assert_array_equal(data.X_train, X_env.reshape(-1, 784))


def test_path_beats_sknn_data(tmp_path, monkeypatch):
    env_dir = tmp_path / "env"
    path_dir = tmp_path / "path"
    _write_fashion_mnist(env_dir, seed=0)
    X_path, _, _, _ = _write_fashion_mnist(path_dir, seed=3)
    monkeypatch.setenv("SKNN_DATA", str(env_dir))

    data = load_fashion_mnist(path_dir, as_float=False)
    assert data.data_dir == str(path_dir)
    assert_array_equal(data.X_train, X_path.reshape(-1, 784))


def test_named_directory_has_no_fallback(tmp_path, monkeypatch):
    # A directory the user named explicitly must hold the files; the default copy
    # is not used silently instead.
    default_dir = tmp_path / "default"
    _write_fashion_mnist(default_dir)
    monkeypatch.setattr(datasets, "DEFAULT_FASHION_MNIST_DIR", default_dir)
    empty = tmp_path / "empty"
    empty.mkdir()

    with pytest.raises(FileNotFoundError, match="passed as `path`"):
        load_fashion_mnist(empty)

    monkeypatch.setenv("SKNN_DATA", str(empty))
    with pytest.raises(FileNotFoundError, match="SKNN_DATA") as excinfo:
        load_fashion_mnist()
    # Both candidate directories are named.
    assert str(empty) in str(excinfo.value)
    assert str(empty / "fashion-mnist") in str(excinfo.value)


def test_default_directory(tmp_path, monkeypatch):
    _, y_train, _, _ = _write_fashion_mnist(tmp_path)
    monkeypatch.setattr(datasets, "DEFAULT_FASHION_MNIST_DIR", tmp_path)
    # An empty SKNN_DATA counts as unset.
    monkeypatch.setenv("SKNN_DATA", "")
    data = load_fashion_mnist()
    assert data.data_dir == str(tmp_path)
    assert_array_equal(data.y_train, y_train)


def test_default_directory_missing_message(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "DEFAULT_FASHION_MNIST_DIR", tmp_path / "absent")
    with pytest.raises(FileNotFoundError, match="default directory") as excinfo:
        load_fashion_mnist()
    assert str(tmp_path / "absent") in str(excinfo.value)


# --- files that are IDX but not Fashion-MNIST ----------------------------------


def test_wrong_image_size(tmp_path):
    _write_fashion_mnist(tmp_path)
    _write(
        tmp_path / "train-images-idx3-ubyte",
        _idx_bytes(np.zeros((7, 27, 28), dtype=np.uint8)),
    )
    with pytest.raises(ValueError, match=r"shape \(n, 28, 28\)"):
        load_fashion_mnist(tmp_path)


def test_image_label_count_mismatch(tmp_path):
    _write_fashion_mnist(tmp_path, n_test=4)
    _write(tmp_path / "t10k-labels-idx1-ubyte", _idx_bytes(np.zeros(3, np.uint8)))
    with pytest.raises(ValueError, match="4 images but .* 3 labels"):
        load_fashion_mnist(tmp_path)


def test_label_out_of_range(tmp_path):
    _write_fashion_mnist(tmp_path, n_train=7)
    labels = np.array([0, 1, 2, 3, 4, 5, 10], dtype=np.uint8)
    _write(tmp_path / "train-labels-idx1-ubyte", _idx_bytes(labels))
    with pytest.raises(ValueError, match=r"labels must be in 0\.\.9, found 10"):
        load_fashion_mnist(tmp_path)


def test_corrupt_file_names_the_file(tmp_path):
    _write_fashion_mnist(tmp_path)
    target = tmp_path / "t10k-images-idx3-ubyte"
    target.write_bytes(target.read_bytes()[:-1])
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.*truncated"):
        load_fashion_mnist(tmp_path)


# --- the real data --------------------------------------------------------------


@pytest.mark.skipif(
    not REAL_DATA_DIR.is_dir(),
    reason=f"{REAL_DATA_DIR} absent (apt-get install -y dataset-fashion-mnist)",
)
def test_real_fashion_mnist():
    data = load_fashion_mnist(REAL_DATA_DIR)
    assert data.X_train.shape == (60000, 784)
    assert data.y_train.shape == (60000,)
    assert data.X_test.shape == (10000, 784)
    assert data.y_test.shape == (10000,)
    assert data.X_train.dtype == np.float32
    assert 0.0 == data.X_train.min() and data.X_train.max() == 1.0
    # Balanced classes: 6000 train and 1000 test images per class.
    assert_array_equal(np.bincount(data.y_train), np.full(10, 6000))
    assert_array_equal(np.bincount(data.y_test), np.full(10, 1000))
    assert set(np.unique(data.y_train)) == set(range(10))
    assert os.path.samefile(data.data_dir, REAL_DATA_DIR)
