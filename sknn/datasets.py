"""Offline loaders for the data sets used in sknn's examples and benchmarks.

Nothing here downloads anything: the files must already be on disk.
"""

import gzip
import os
import zlib
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

__all__ = ["load_fashion_mnist"]

#: Where Debian's ``dataset-fashion-mnist`` package puts the files.
DEFAULT_FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")

_FASHION_MNIST_FILES = {
    "X_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "X_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}

FASHION_MNIST_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]

# IDX type codes (third byte of the magic number) and their big-endian dtypes.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

_FASHION_MNIST_DESCR = """\
.. _fashion_mnist_dataset:

Fashion-MNIST
-------------

Zalando's article images: 28x28 grayscale pictures of clothing, shoes and bags in
10 classes, with the same size and train/test split as the original MNIST digits.

**Data Set Characteristics:**

:Number of Instances: 70000 (60000 train, 10000 test)
:Number of Attributes: 784 (28x28 pixels, row by row)
:Attribute Information: pixel intensity, 0 (background) to 255 (foreground) as
    ``uint8``, or divided by 255 to [0, 1] as ``float32`` (the default)
:Classes: 10, 6000 train and 1000 test images each
:Class names: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker,
    Bag, Ankle boot
:Creator: Han Xiao, Kashif Rasul and Roland Vollgraf (Zalando Research)
:License: MIT
:Date: 2017

The files are read from disk in the IDX format (optionally gzipped); they are never
downloaded. On Debian and Ubuntu, ``apt-get install -y dataset-fashion-mnist`` puts
them in ``/usr/share/datasets/fashion-mnist``.

.. rubric:: References

* Han Xiao, Kashif Rasul, Roland Vollgraf. "Fashion-MNIST: a Novel Image Dataset for
  Benchmarking Machine Learning Algorithms". arXiv:1708.07747, 2017.
"""


def load_fashion_mnist(path=None, *, as_float=True, return_X_y=False):
    """Load the Fashion-MNIST data set from local IDX files.

    Fashion-MNIST has 60000 training and 10000 test images of 28x28 grayscale
    pixels in 10 classes of clothing. Each image is returned as one row of 784
    features, in row-major pixel order.

    Nothing is downloaded. The four files ``train-images-idx3-ubyte``,
    ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte`` and
    ``t10k-labels-idx1-ubyte`` are read, each either plain or gzipped (with a
    ``.gz`` suffix), from the first of these directories that applies:

    1. ``path``, when given;
    2. otherwise ``$SKNN_DATA`` or ``$SKNN_DATA/fashion-mnist``, when the
       ``SKNN_DATA`` environment variable is set;
    3. otherwise ``/usr/share/datasets/fashion-mnist``, where Debian's
       ``dataset-fashion-mnist`` package installs them
       (``apt-get install -y dataset-fashion-mnist``).

    A directory that is named explicitly (by ``path`` or ``SKNN_DATA``) must hold
    the files: there is no silent fall-back to another copy.

    Parameters
    ----------
    path : str or path-like, default=None
        Directory holding the four IDX files. When None, ``$SKNN_DATA`` and then
        ``/usr/share/datasets/fashion-mnist`` are used, as described above.

    as_float : bool, default=True
        If True, the pixels are returned as ``float32`` divided by 255, so in
        [0, 1]: the dtype that sknn's fast path trains in. If False, they are
        returned as stored, as ``uint8`` in [0, 255].

    return_X_y : bool, default=False
        If True, return ``(X_train, X_test, y_train, y_test)``, in the order of
        :func:`~sklearn.model_selection.train_test_split`, instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object, with the following attributes.

        X_train : ndarray of shape (60000, 784)
            Training images, ``float32`` in [0, 1] or ``uint8`` in [0, 255]
            depending on ``as_float``.
        y_train : ndarray of shape (60000,)
            Training labels, ``int64`` in 0..9.
        X_test : ndarray of shape (10000, 784)
            Test images, same dtype as ``X_train``.
        y_test : ndarray of shape (10000,)
            Test labels, ``int64`` in 0..9.
        target_names : list of str
            The class names: ``target_names[k]`` is the name of label ``k``.
        data_dir : str
            The directory the files were read from.
        DESCR : str
            The full description of the data set.

    (X_train, X_test, y_train, y_test) : tuple of ndarray
        Returned instead of the Bunch when ``return_X_y`` is True.

    Raises
    ------
    FileNotFoundError
        If the files are not found. The message names the directories that were
        searched and how to get the files.

    ValueError
        If a file is not a valid IDX file (bad magic number, truncated or with
        trailing bytes, corrupt gzip stream) or does not hold Fashion-MNIST
        (wrong image size, label out of range, image and label counts differ).

    Examples
    --------
    The files are present when Debian's ``dataset-fashion-mnist`` package is
    installed:

    >>> from sknn.datasets import load_fashion_mnist
    >>> data = load_fashion_mnist()  # doctest: +SKIP
    >>> data.X_train.shape, data.X_train.dtype  # doctest: +SKIP
    ((60000, 784), dtype('float32'))
    >>> data.X_test.shape, data.y_test.shape  # doctest: +SKIP
    ((10000, 784), (10000,))
    >>> data.target_names[data.y_train[0]]  # doctest: +SKIP
    'Ankle boot'

    Raw pixels, as a tuple ready for a pipeline:

    >>> X_train, X_test, y_train, y_test = load_fashion_mnist(
    ...     as_float=False, return_X_y=True
    ... )  # doctest: +SKIP
    >>> X_train.dtype, int(X_train.max())  # doctest: +SKIP
    (dtype('uint8'), 255)
    """
    data_dir, files = _find_fashion_mnist_files(path)

    arrays = {key: _read_idx(filename) for key, filename in files.items()}
    for split in ("train", "test"):
        images, labels = arrays[f"X_{split}"], arrays[f"y_{split}"]
        _check_fashion_mnist_split(
            images, labels, files[f"X_{split}"], files[f"y_{split}"]
        )
        images = images.reshape(images.shape[0], -1)
        if as_float:
            images = images.astype(np.float32)
            images /= np.float32(255)
        arrays[f"X_{split}"] = images
        arrays[f"y_{split}"] = labels.astype(np.int64)

    if return_X_y:
        return arrays["X_train"], arrays["X_test"], arrays["y_train"], arrays["y_test"]
    return Bunch(
        **arrays,
        target_names=list(FASHION_MNIST_CLASSES),
        data_dir=str(data_dir),
        DESCR=_FASHION_MNIST_DESCR,
    )


def _find_fashion_mnist_files(path):
    """Return ``(directory, {key: file})`` for the first directory that applies.

    Raises FileNotFoundError, naming every directory looked in, if the directory
    that applies does not hold all four files.
    """
    if path is not None:
        candidates = [Path(path)]
        origin = "the directory passed as `path`"
    elif os.environ.get("SKNN_DATA"):
        root = Path(os.environ["SKNN_DATA"])
        candidates = [root, root / "fashion-mnist"]
        origin = "the directory named by the SKNN_DATA environment variable"
    else:
        candidates = [DEFAULT_FASHION_MNIST_DIR]
        origin = "the default directory"

    missing_by_dir = {}
    for directory in candidates:
        files, missing = {}, []
        for key, name in _FASHION_MNIST_FILES.items():
            for filename in (directory / name, directory / f"{name}.gz"):
                if filename.is_file():
                    files[key] = filename
                    break
            else:
                missing.append(name)
        if not missing:
            return directory, files
        missing_by_dir[directory] = missing

    looked_in = "\n".join(
        f"  {directory}: "
        + (
            f"missing {', '.join(missing)}"
            if directory.is_dir()
            else "no such directory"
        )
        for directory, missing in missing_by_dir.items()
    )
    raise FileNotFoundError(
        f"Fashion-MNIST files not found in {origin}. Looked in:\n{looked_in}\n"
        "Each of train-images-idx3-ubyte, train-labels-idx1-ubyte, "
        "t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte is needed, plain or "
        "gzipped (.gz). sknn never downloads them. To get them:\n"
        "  - on Debian/Ubuntu: apt-get install -y dataset-fashion-mnist "
        f"(installs them in {DEFAULT_FASHION_MNIST_DIR}), or\n"
        "  - pass the directory holding them as load_fashion_mnist(path=...), or\n"
        "  - set the SKNN_DATA environment variable to that directory."
    )


def _read_idx(filename):
    """Read an IDX file (plain, or gzipped if its name ends in .gz).

    The IDX format: a 4-byte magic number (two zero bytes, a type code, the
    number of dimensions), then one big-endian uint32 per dimension, then the
    values in C order, big-endian.

    Returns a writable, native-byte-order ndarray. Raises ValueError if the file
    is not valid IDX or its size does not match its header.
    """
    filename = Path(filename)
    with open(filename, "rb") as f:
        if filename.suffix != ".gz":
            raw = f.read()
        else:
            try:
                with gzip.GzipFile(fileobj=f, mode="rb") as gz:
                    raw = gz.read()
            except (OSError, EOFError, zlib.error) as exc:
                raise ValueError(
                    f"{filename}: corrupt or truncated gzip file ({exc})."
                ) from exc

    if len(raw) < 4:
        raise ValueError(
            f"{filename}: not an IDX file: {len(raw)} bytes, shorter than the "
            "4-byte magic number."
        )
    zero0, zero1, type_code, ndim = raw[:4]
    if zero0 != 0 or zero1 != 0 or type_code not in _IDX_DTYPES or ndim == 0:
        raise ValueError(
            f"{filename}: not an IDX file: bad magic number 0x{raw[:4].hex()} "
            "(expected 0x0000 followed by a type code in "
            f"{{{', '.join(f'0x{c:02x}' for c in _IDX_DTYPES)}}} and a non-zero "
            "number of dimensions)."
        )
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise ValueError(
            f"{filename}: truncated IDX header: {ndim} dimensions need "
            f"{header_size} bytes, the file has {len(raw)}."
        )
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = _IDX_DTYPES[type_code]
    expected = header_size + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) != expected:
        problem = "truncated" if len(raw) < expected else "has trailing bytes"
        raise ValueError(
            f"{filename}: IDX file {problem}: header says shape {shape} of "
            f"{dtype.itemsize}-byte values, i.e. {expected} bytes in all, but the "
            f"file has {len(raw)} bytes."
        )
    values = np.frombuffer(raw, dtype=dtype, offset=header_size)
    # astype copies: the result is writable and in native byte order.
    return values.astype(dtype.newbyteorder("="), copy=True).reshape(shape)


def _check_fashion_mnist_split(images, labels, images_file, labels_file):
    """Raise ValueError unless the arrays look like one Fashion-MNIST split."""
    if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
        raise ValueError(
            f"{images_file}: expected uint8 images of shape (n, 28, 28), got "
            f"{images.dtype} of shape {images.shape}."
        )
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise ValueError(
            f"{labels_file}: expected uint8 labels of shape (n,), got "
            f"{labels.dtype} of shape {labels.shape}."
        )
    if images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{images_file} holds {images.shape[0]} images but {labels_file} holds "
            f"{labels.shape[0]} labels."
        )
    n_classes = len(FASHION_MNIST_CLASSES)
    if labels.size and labels.max() >= n_classes:
        raise ValueError(
            f"{labels_file}: labels must be in 0..{n_classes - 1}, found "
            f"{int(labels.max())}."
        )
