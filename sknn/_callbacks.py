"""scikit-learn's callbacks (``sklearn.callback``) on the training loop.

A fit is the root task of scikit-learn's callback context and each epoch
(L-BFGS: iteration) one subtask of it, opened and closed by
:class:`CallbackObserver`, an observer of the loop like the history and the
verbose lines. A ``partial_fit`` call is a root task with its one epoch.
"""

# SPDX-License-Identifier: BSD-3-Clause

import copy

from sknn.engine import FitObserver

#: What a callback's ``fitted_estimator`` owns a copy of: everything
#: prediction reads, and the training state a continued fit would change.
_TRAINING_STATE = ("_state", "_optimizer", "_schedule", "_history")


class CallbackObserver(FitObserver):
    """Open one subtask of the fit's callback context per epoch.

    Each epoch's begin hook runs as the epoch starts and its end hook as it
    ends, with the training data, its sample weights as metadata and, built
    only when a callback asks for it, a ``fitted_estimator`` of the epoch's
    weights. An end hook that returns True stops training after the epoch,
    as early stopping would (the best weights are then restored).

    Parameters
    ----------
    estimator : BaseMLP
        The estimator being fitted.
    context : sklearn.callback.CallbackContext
        The root context of the fit.
    X, y : array-like
        The training data the hooks receive.
    metadata : dict or None
        The training metadata the hooks receive.

    Examples
    --------
    >>> from sklearn.callback import ScoringMonitor
    >>> from sknn import MLPClassifier
    >>> monitor = ScoringMonitor(scoring="accuracy")
    >>> clf = MLPClassifier(max_iter=300, learning_rate_init=0.05, random_state=0)
    >>> clf = clf.set_callbacks(monitor).fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    >>> len(monitor.get_logs().data) == clf.n_iter_  # one entry per epoch
    True
    """

    def __init__(self, estimator, context, X, y, metadata):
        self.estimator = estimator
        self.context = context
        self.X, self.y, self.metadata = X, y, metadata
        self.task_name = "epoch"
        self._epoch_context = None
        self._epoch = 0

    def fit_begin(self, *, max_epochs, unit):
        self.task_name = unit

    def epoch_begin(self, epoch):
        self._epoch_context = self.context.subcontext(task_name=self.task_name)
        self._epoch_context.call_on_fit_task_begin(
            estimator=self.estimator, X=self.X, y=self.y, metadata=self.metadata
        )

    def epoch_end(self, record):
        context, self._epoch_context = self._epoch_context, None
        self._epoch = record.epoch
        return context.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            reconstruction_attributes=self._reconstruction_attributes,
        )

    def fit_end(self, outcome):
        # An epoch that began and never ended (a divergence, Ctrl-C, an
        # evaluation L-BFGS made past its last iteration) is an empty task.
        if self._epoch_context is not None:
            self._epoch_context.call_on_fit_task_end(estimator=self.estimator)
            self._epoch_context = None

    def _reconstruction_attributes(self):
        """Deep copies of the network as it is now and of the training state.

        With weight averaging the copy holds the averaged parameters, which
        are what the model predicts with; ``coefs_`` and ``intercepts_``
        view the copy's parameters, as they view the network's.
        """
        estimator = self.estimator
        state = {"_network": estimator._network}
        for name in _TRAINING_STATE:
            if hasattr(estimator, name):
                state[name] = getattr(estimator, name)
        state = copy.deepcopy(state)
        network = state["_network"]
        averaged = getattr(state.get("_state"), "averaged", None)
        if averaged is not None:
            network.params[...] = averaged
        history = state.get("_history")
        return {
            **state,
            "coefs_": list(network.coefs),
            "intercepts_": list(network.intercepts),
            "loss_curve_": history.loss_curve if history is not None else [],
            "n_iter_": self._epoch,
        }
