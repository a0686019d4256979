"""Estimators used from several threads at once give the serial results.

joblib's threading backend (``prefer="threads"``, or a dask cluster's
threaded workers) fits several estimators in one process, and services
predict with one fitted model from many threads.
"""

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numexpr
import pytest
import threadpoolctl
from joblib import Parallel, delayed
from numpy.testing import assert_array_equal
from sklearn.datasets import load_digits
from threadpoolctl import threadpool_info

from sknn import MLPClassifier, MLPRegressor, _threads
from sknn._threads import _shared_limit, limit_threads

X, Y = load_digits(return_X_y=True)
X = X[:400] / 16.0
Y = Y[:400]


# Not converged in a few epochs. (warnings.catch_warnings is not thread-safe:
# the filter is set for the whole test instead.)
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _fit(estimator, X, y):
    return estimator.fit(X, y)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_concurrent_predictions_match_serial_ones(dtype):
    clf = _fit(MLPClassifier(max_iter=3, random_state=0, dtype=dtype), X, Y)
    # Many small calls (the fast path) and a few large ones, interleaved.
    inputs = [X[i::9].astype(dtype) for i in range(9)] + [X[:1].astype(dtype), X]
    serial = [clf.predict_proba(x) for x in inputs]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(20):
            for got, expected in zip(
                pool.map(clf.predict_proba, inputs), serial, strict=True
            ):
                assert_array_equal(got, expected)


@pytest.mark.parametrize("n_threads", [None, 1])
def test_fits_in_threads_match_serial_fits(n_threads):
    def estimators():
        return [
            MLPClassifier(max_iter=3, random_state=seed, n_threads=n_threads)
            for seed in range(3)
        ] + [
            MLPRegressor(
                max_iter=3, random_state=0, early_stopping=True, n_threads=n_threads
            )
        ]

    targets = [Y, Y, Y, Y / 9.0]
    before = _thread_counts()
    serial = [_fit(est, X, y) for est, y in zip(estimators(), targets, strict=True)]
    threaded = Parallel(n_jobs=2, prefer="threads")(
        delayed(_fit)(est, X, y) for est, y in zip(estimators(), targets, strict=True)
    )
    # The thread pools are as they were: no call restored another's limit.
    assert _thread_counts() == before
    for a, b in zip(threaded, serial, strict=True):
        for p, q in zip(
            a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True
        ):
            assert_array_equal(p, q)
        assert a.loss_curve_ == b.loss_curve_


def _thread_counts():
    pools = sorted((i["filepath"], i["num_threads"]) for i in threadpool_info())
    return pools, numexpr.get_num_threads()


def _blas_thread_counts():
    return {
        info["filepath"]: info["num_threads"]
        for info in threadpool_info()
        if info["user_api"] == "blas"
    }


needs_blas_threads = pytest.mark.skipif(
    min(_blas_thread_counts().values(), default=1) < 2,
    reason="the BLAS runs one thread already: a limit of 1 changes nothing",
)


def _no_thread_in_control_of_openblas():
    # threadpoolctl 3.8 gives the first thread that sets an OpenBLAS limit
    # control of it, and ignores the limits other threads set meanwhile.
    clear = getattr(threadpoolctl.OpenBLASController, "clear_controlling_thread", None)
    if clear is not None:
        clear(force=True)


@needs_blas_threads
def test_limit_threads_applies_in_any_thread():
    # The main thread limits first; under threadpoolctl 3.8 it then kept
    # control, so a fit with n_threads=1 in a joblib thread ran on every BLAS
    # thread (and its products rounded differently from a serial fit's on
    # OpenBLAS's SkylakeX kernel).
    _no_thread_in_control_of_openblas()
    with limit_threads(1):
        pass

    def counts_inside_a_limit():
        with limit_threads(1):
            return _blas_thread_counts()

    with ThreadPoolExecutor(1) as pool:
        inside = pool.submit(counts_inside_a_limit).result()
    assert set(inside.values()) == {1}


@needs_blas_threads
def test_limits_set_in_a_thread_leave_threadpoolctl_working_elsewhere():
    # A worker thread that limited once and lives on, as joblib's do, must
    # not keep control: the main thread's own threadpool_limits still works.
    _no_thread_in_control_of_openblas()

    def limit_once():
        with limit_threads(1):
            pass

    with ThreadPoolExecutor(1) as pool:
        pool.submit(limit_once).result()
        with threadpoolctl.threadpool_limits(1, user_api="blas"):
            assert set(_blas_thread_counts().values()) == {1}


@needs_blas_threads
def test_fits_in_threads_run_on_n_threads_blas_threads():
    # A scorer runs inside the fit, in the fitting thread: it sees the BLAS
    # thread counts the fit's products run with.
    seen = []

    def recording_r2(estimator, X, y):
        seen.append(set(_blas_thread_counts().values()))
        return estimator.score(X, y)

    def fit(seed):
        reg = MLPRegressor(
            max_iter=3,
            random_state=seed,
            early_stopping=True,
            scoring=recording_r2,
            n_threads=1,
        )
        return reg.fit(X, Y / 9.0)

    fit(0)  # the main thread limits first
    Parallel(n_jobs=2, prefer="threads")(delayed(fit)(seed) for seed in range(4))
    assert len(seen) == 5 * 3
    assert all(counts == {1} for counts in seen)


def test_shared_limit_unwinds_nested_and_overlapping_calls():
    state = {"limit": "original"}

    def setting(value):
        def apply():
            found = state["limit"]
            state["limit"] = value

            def restore():
                state["limit"] = found

            return restore

        return apply

    # Nested in one thread: a stack.
    with _shared_limit("test", setting(1)):
        with _shared_limit("test", setting(2)):
            assert state["limit"] == 2
        assert state["limit"] == 1
    assert state["limit"] == "original"
    # Overlapping in two threads: A enters, B enters, A leaves, B leaves.
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def call_a():
        with _shared_limit("test", setting("A")):
            a_in.set()
            b_in.wait()
        a_out.set()

    def call_b():
        a_in.wait()
        with _shared_limit("test", setting("B")):
            b_in.set()
            a_out.wait()
            seen["after A left"] = state["limit"]

    threads = [threading.Thread(target=call_a), threading.Thread(target=call_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen["after A left"] == "B"  # A left B's limit in place ...
    assert state["limit"] == "original"  # ... and B restored the original


def test_limit_threads_restores_after_overlapping_calls():
    before = _thread_counts()
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def call_a():
        with limit_threads(1):
            a_in.set()
            b_in.wait()
        a_out.set()

    def call_b():
        a_in.wait()
        with limit_threads(2):
            b_in.set()
            a_out.wait()

    threads = [threading.Thread(target=call_a), threading.Thread(target=call_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _thread_counts() == before


def _run_in_forked_child(check):
    """Fork; the child runs ``check()`` and exits 0 if it returns True."""
    pid = os.fork()
    if pid == 0:  # the child
        try:
            code = 0 if check() else 1
        except BaseException:
            code = 2
        os._exit(code)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return "hung"


needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
# Python 3.12+ warns that forking a multi-threaded process may deadlock: the
# case these tests are about.
forks_with_threads = pytest.mark.filterwarnings("ignore:This process .* is multi-")


@needs_fork
@forks_with_threads
def test_a_process_forked_while_the_lock_is_held_can_limit_threads():
    # The child must not inherit a lock held by a thread it does not have.
    def check():
        with limit_threads(1):
            pass
        return True

    with _threads._shared_limits_lock:
        assert _run_in_forked_child(check) == 0


@needs_fork
@forks_with_threads
def test_a_forked_child_drops_the_limits_of_threads_it_does_not_have():
    # Another thread is inside limit_threads(1) at the fork: in the child, that
    # call will never end, so the original thread counts come back at once.
    before = _thread_counts()
    entered, release = threading.Event(), threading.Event()

    def inside_a_limit():
        with limit_threads(1):
            entered.set()
            release.wait()

    thread = threading.Thread(target=inside_a_limit)
    thread.start()
    entered.wait()
    try:

        def check():
            restored = _thread_counts() == before
            with limit_threads(1):
                pass
            return restored and _thread_counts() == before

        assert _run_in_forked_child(check) == 0
    finally:
        release.set()
        thread.join()
    assert _thread_counts() == before
