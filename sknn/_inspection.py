"""Looking inside the estimators' networks: a summary and hidden activations.

``InspectionMixin`` gives ``MLPClassifier`` and ``MLPRegressor`` two methods
that read the network without changing it. ``summary`` describes its layers
(width, activation, normalization, dropout and parameter count of each),
either from a fitted network or, for an unfitted estimator, from the
parameters and the input and output widths it is given. ``hidden_activations``
runs the inference pass up to a chosen hidden layer and returns its output,
the representation that ``sknn.MLPEmbedding`` turns into a transformer step.

Both walk the network's public layers (``sknn.layers``): a hidden layer is a
``Dense`` layer and what follows it up to the next one (normalization,
activation, dropout). Nothing here trains, and the engine is not asked for
anything beyond its layers' ``apply`` at inference.
"""

# SPDX-License-Identifier: BSD-3-Clause

import math
from numbers import Integral

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import check_is_fitted

from sknn._threads import limit_threads
from sknn.activations import ACTIVATIONS
from sknn.layers import (
    NORMALIZATIONS,
    ActivationLayer,
    Dense,
    Dropout,
    GaussianNoise,
)

#: Columns of the summary, after the layer's name (the frame's index).
SUMMARY_COLUMNS = (
    "type",
    "units",
    "activation",
    "normalization",
    "dropout",
    "params",
)

_NORMALIZATION_NAMES = {cls: name for name, cls in NORMALIZATIONS.items()}


def hidden_layer_index(layer, n_hidden):
    """The position in ``range(n_hidden)`` of hidden layer ``layer``.

    ``layer`` counts like a Python list index: 0 is the first hidden layer,
    -1 the last.

    Parameters
    ----------
    layer : int
        Index of a hidden layer, negative from the end.
    n_hidden : int
        Number of hidden layers of the model.

    Returns
    -------
    index : int
        The same layer counted from 0.

    Raises
    ------
    ValueError
        If the model has no hidden layer, or ``layer`` is not an integer in
        ``[-n_hidden, n_hidden - 1]``.

    Examples
    --------
    >>> from sknn._inspection import hidden_layer_index
    >>> hidden_layer_index(-1, 3)
    2
    """
    if n_hidden == 0:
        raise ValueError(
            "The model has no hidden layers (hidden_layer_sizes is empty), so "
            "it has no hidden activations; use a model with hidden layers."
        )
    valid = f"valid layers are -{n_hidden} to {n_hidden - 1}"
    if not isinstance(layer, Integral) or isinstance(layer, bool):
        raise ValueError(
            f"layer must be an integer indexing the hidden layers ({valid}); got "
            f"{layer!r}."
        )
    if not -n_hidden <= layer < n_hidden:
        raise ValueError(
            f"layer={layer} is out of range for a model with {n_hidden} hidden "
            f"layer{'s' if n_hidden > 1 else ''}: {valid}."
        )
    return int(layer) % n_hidden


def _activation_name(activation):
    """The registry name of an activation with default settings, else its repr."""
    if isinstance(activation, str):  # an output activation, as out_activation_
        return activation
    for name, cls in ACTIVATIONS.items():
        if type(activation) is cls and repr(activation) == repr(cls()):
            return name
    return repr(activation)


def _spec_size(spec):
    return sum(math.prod(entry[-1]) for entry in spec)


def _describe_layers(layers, n_features, out_activation):
    """Rows of the summary table and the count of non-trained statistics.

    ``layers`` is a built sequence of ``sknn.layers`` objects, as a
    ``Network`` holds them: parameters are counted from each layer's
    ``params_spec`` (and statistics from its ``stats_spec``), so they need
    not be bound.
    """
    input_row = {
        "type": "Input",
        "units": n_features,
        "activation": None,
        "normalization": None,
        "dropout": 0.0,
        "params": 0,
    }
    rows = [input_row]
    n_stats = 0
    for layer in layers:
        row = rows[-1]
        if isinstance(layer, Dense):
            row = {
                "type": "Dense",
                "units": layer.n_units,
                "activation": layer.activation,
                "normalization": None,
                "dropout": 0.0,
                "params": 0,
            }
            rows.append(row)
        elif isinstance(layer, ActivationLayer):
            row["activation"] = layer.activation
        elif isinstance(layer, Dropout):
            row["dropout"] = float(layer.rate)
        elif isinstance(layer, GaussianNoise):
            # Input noise is the only noise layer a network has.
            row["type"] = f"Input (noise std={float(layer.std):g})"
        else:
            row["normalization"] = _NORMALIZATION_NAMES.get(
                type(layer), type(layer).__name__
            )
        row["params"] += _spec_size(layer.params_spec())
        n_stats += _spec_size(layer.stats_spec())
    rows[-1]["activation"] = out_activation
    for row in rows:
        if row["activation"] is not None:
            row["activation"] = _activation_name(row["activation"])
    names = ["input"] + [f"hidden_{i}" for i in range(len(rows) - 2)] + ["output"]
    return names, rows, n_stats


def _planned_layers(estimator, n_features, n_outputs):
    """The layers of the network that ``estimator``'s parameters build.

    The estimator's own assembly (never initialized): the loss only supplies
    the output link, which the summary takes from the parameters instead.
    """
    hidden = estimator._hidden_layer_sizes()
    estimator._validate_per_layer(len(hidden))
    activations = estimator._resolve_activations(len(hidden))
    network = estimator._assemble_network(
        n_features, n_outputs, hidden, None, activations, np.float64
    )
    return network.layers


def _planned_out_activation(estimator, n_outputs):
    if is_classifier(estimator):
        # One output is a binary target's logistic unit; more are taken as
        # classes (a multilabel target would have logistic units instead).
        return "logistic" if n_outputs == 1 else "softmax"
    return estimator._make_loss().out_activation


def _check_width(name, value):
    if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _format_table(names, rows):
    def cell(column, value):
        if column == "params":
            return f"{value:,}"
        if column == "dropout":
            return f"{value:g}" if value else "-"
        return "-" if value is None else str(value)

    header = ["layer", *SUMMARY_COLUMNS]
    body = [
        [name, *(cell(c, row[c]) for c in SUMMARY_COLUMNS)]
        for name, row in zip(names, rows, strict=True)
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    numeric = {"units", "dropout", "params"}
    lines = []
    for line in [header, *body]:
        cells = [
            value.rjust(width) if column in numeric else value.ljust(width)
            for column, value, width in zip(header, line, widths, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


class InspectionMixin:
    """``summary`` and ``hidden_activations`` of the sknn estimators.

    Mixed into ``sknn._base.BaseMLP``; it reads the fitted network
    (``_network``) and the estimator's parameters, and validates inputs as
    ``predict`` does.
    """

    def summary(self, as_frame=False, *, n_features=None, n_outputs=None):
        """Table of the network's layers and their parameter counts.

        One row per layer: the input, each hidden layer (a dense layer with
        what follows it: normalization, activation, dropout) and the output
        layer, with its type, output width (``units``), activation,
        normalization, dropout rate and number of trained parameters
        (weights and biases, and a normalization's scale and shift). The
        totals follow: the trained parameters, and the running statistics
        of batch normalization, which are learned but not trained.

        A fitted estimator describes its network; an unfitted one describes
        the network its parameters would build for ``n_features`` inputs and
        ``n_outputs`` outputs.

        Parameters
        ----------
        as_frame : bool, default=False
            Return a pandas DataFrame instead of a string.
        n_features : int, default=None
            Number of input features of an unfitted estimator. For a fitted
            one it may be given, and must then equal ``n_features_in_``.
        n_outputs : int, default=None
            Width of the output layer of an unfitted estimator, what
            ``n_outputs_`` would be: 1 for a binary classifier or a single
            target, the number of classes (taken to be mutually exclusive:
            a softmax output) or of targets otherwise. For a fitted one it
            may be given, and must then equal ``n_outputs_``.

        Returns
        -------
        summary : str or pandas.DataFrame
            A printable table with the totals below it or, with
            ``as_frame=True``, a DataFrame indexed by layer name ('input',
            'hidden_0', ..., 'output'; ``hidden_i`` is what
            ``hidden_activations(X, layer=i)`` returns) with the columns
            'type', 'units', 'activation', 'normalization', 'dropout' and
            'params'. Its ``params`` column sums to the total, and its
            ``attrs`` hold 'total_params', 'non_trainable' (the statistics'
            count), 'dtype' (None for an unfitted estimator whose ``dtype``
            follows the data) and 'fitted'.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            For an unfitted estimator without ``n_features`` and
            ``n_outputs``.
        ImportError
            With ``as_frame=True`` where pandas is not installed.

        Examples
        --------
        >>> from sknn import MLPClassifier
        >>> clf = MLPClassifier(hidden_layer_sizes=(16, 8), normalization="batch",
        ...                     dropout=[0.2, 0.0])
        >>> print(clf.summary(n_features=64, n_outputs=10))
        MLPClassifier (not fitted): 64 features, 2 hidden layers, 10 outputs
        layer     type   units  activation  normalization  dropout  params
        input     Input     64  -           -                    -       0
        hidden_0  Dense     16  relu        batch              0.2   1,072
        hidden_1  Dense      8  relu        batch                -     152
        output    Dense     10  softmax     -                    -      90
        Trained parameters: 1,314
        Running statistics (not trained): 48
        >>> frame = clf.summary(as_frame=True, n_features=64, n_outputs=10)
        >>> frame["units"].tolist(), int(frame["params"].sum())
        ([64, 16, 8, 10], 1314)
        """
        fitted = hasattr(self, "_network")
        if fitted:
            for name, value, expected in [
                ("n_features", n_features, self.n_features_in_),
                ("n_outputs", n_outputs, self.n_outputs_),
            ]:
                if value is not None and value != expected:
                    raise ValueError(
                        f"This {type(self).__name__} is fitted with {name}="
                        f"{expected}; got {name}={value!r}. Leave it out to "
                        "describe the fitted network."
                    )
            network = self._network
            n_features = self.n_features_in_
            names, rows, n_stats = _describe_layers(
                network.layers, n_features, self.out_activation_
            )
            dtype = network.dtype.name
        else:
            if n_features is None or n_outputs is None:
                check_is_fitted(
                    self,
                    "_network",
                    msg=(
                        "This %(name)s instance is not fitted yet: pass n_features "
                        "and n_outputs to summarize the network its parameters "
                        "build, or fit it first."
                    ),
                )
            n_features = _check_width("n_features", n_features)
            n_outputs = _check_width("n_outputs", n_outputs)
            self._validate_params()
            layers = _planned_layers(self, n_features, n_outputs)
            out_activation = _planned_out_activation(self, n_outputs)
            names, rows, n_stats = _describe_layers(layers, n_features, out_activation)
            dtype = None if self.dtype is None else np.dtype(self.dtype).name
        total = sum(row["params"] for row in rows)
        if as_frame:
            return _summary_frame(names, rows, total, n_stats, dtype, fitted)
        n_hidden = len(rows) - 2
        head = (
            f"{type(self).__name__} ({'fitted' if fitted else 'not fitted'}): "
            f"{n_features} feature{'s' if n_features != 1 else ''}, {n_hidden} "
            f"hidden layer{'s' if n_hidden != 1 else ''}, {rows[-1]['units']} "
            f"output{'s' if rows[-1]['units'] != 1 else ''}"
        )
        lines = [head, *_format_table(names, rows)]
        lines.append(
            f"Trained parameters: {total:,}" + ("" if dtype is None else f" ({dtype})")
        )
        if n_stats:
            lines.append(f"Running statistics (not trained): {n_stats:,}")
        return "\n".join(lines)

    def hidden_activations(self, X, layer=-1):
        """Output of a hidden layer: the network's learned representation of ``X``.

        The inference pass up to the chosen hidden layer: its dense map,
        then normalization (batch normalization with its running
        statistics) and activation, without dropout (which applies in
        training only) and without the layers after it.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data, validated as ``predict`` validates it.
        layer : int, default=-1
            Which hidden layer, indexed like a list: 0 is the first, -1 the
            last (the one feeding the output layer).

        Returns
        -------
        A : ndarray of shape (n_samples, hidden_layer_sizes[layer])
            The activations, in the dtype ``predict`` computes in: the
            network's, or float64 where ``X`` or the network is float64.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the estimator is not fitted.
        ValueError
            If the model has no hidden layer, or ``layer`` is out of range.

        See Also
        --------
        sknn.MLPEmbedding : These activations as a transformer step.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from sknn import MLPClassifier
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = MLPClassifier(hidden_layer_sizes=(32, 8), max_iter=50,
        ...                     random_state=0).fit(X[:300] / 16, y[:300])
        >>> clf.hidden_activations(X[:5] / 16).shape
        (5, 8)
        >>> clf.hidden_activations(X[:5] / 16, layer=0).shape
        (5, 32)
        >>> bool((clf.hidden_activations(X[:5] / 16) >= 0).all())  # ReLU units
        True
        """
        if not hasattr(self, "_network"):  # check_is_fitted(self) costs ~25 us
            check_is_fitted(self, "_network")  # raises NotFittedError
        network = self._sync_network()
        dense_positions = [
            i for i, each in enumerate(network.layers) if isinstance(each, Dense)
        ]
        index = hidden_layer_index(layer, len(dense_positions) - 1)
        # The layer ends where the next dense layer starts.
        stop = dense_positions[index + 1]
        dtype = self._prediction_dtype(X)
        with limit_threads(self.n_threads):
            if not self._is_ready_input(X, dtype):
                X = self._validate_for_prediction(X, dtype)
            A = X
            for each in network.layers[:stop]:
                # Dropout and noise act in training only.
                if not isinstance(each, Dropout | GaussianNoise):
                    A = each.apply(A)
        return A


def _summary_frame(names, rows, total, n_stats, dtype, fitted):
    try:
        import pandas as pd
    except ImportError as error:
        raise ImportError(
            "summary(as_frame=True) returns a pandas DataFrame, and pandas is not "
            "installed: install it (pip install pandas), or call summary() for "
            "the table as a string."
        ) from error
    frame = pd.DataFrame(
        [[row[c] for c in SUMMARY_COLUMNS] for row in rows],
        index=pd.Index(names, name="layer"),
        columns=list(SUMMARY_COLUMNS),
    )
    frame.attrs.update(
        total_params=total, non_trainable=n_stats, dtype=dtype, fitted=fitted
    )
    return frame
