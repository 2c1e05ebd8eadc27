"""Each fit owns its random stream: no process-wide random state is swapped in fit, the estimators
or the CLI, so fits running in threads give the same results as the same fits run one after another,
and the default generator is left alone."""

from __future__ import annotations

import pathlib
import re
import threading

import numpy as np
import pytest

import netgrad as ng
from netgrad import nn, optim
from netgrad.autograd.random import current_generator, use_generator
from netgrad.train import fit

ROOT = pathlib.Path(__file__).resolve().parents[2] / "netgrad"


def _in_threads(fn, n=2):
    out: list = [None] * n
    errors: list = []
    start = threading.Barrier(n)

    def run(i):
        try:
            start.wait()
            out[i] = fn()
        except BaseException as e:  # reported below, in the test's thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return out


def _xy(n=120):
    g = np.random.default_rng(0)
    X = g.normal(size=(n, 4))
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(int)
    return X, y


def test_mlp_classifier_dropout_fits_in_threads_equal_sequential():
    pytest.importorskip("sklearn")
    from netgrad.estimators import MLPClassifier

    X, y = _xy()

    def one():
        clf = MLPClassifier(hidden_layer_sizes=(16,), dropout=0.2, random_state=2, max_iter=15)
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.fit(X, y)
        return clf.loss_curve_, [w.copy() for w in clf.coefs_], clf.predict_proba(X)

    ng.manual_seed(123)
    before = ng.get_rng_state()
    seq = [one(), one()]
    assert ng.get_rng_state() == before  # the user's global stream is neither read nor moved
    for _ in range(3):  # thread interleavings vary from run to run
        par = _in_threads(one)
        for a, b in zip(par, seq):
            assert a[0] == b[0]
            for wa, wb in zip(a[1], b[1]):
                np.testing.assert_array_equal(wa, wb)
            np.testing.assert_array_equal(a[2], b[2])
    assert ng.get_rng_state() == before
    assert seq[0][0] == seq[1][0]  # and the dropout really draws (two seeds differ):
    clf = MLPClassifier(hidden_layer_sizes=(16,), dropout=0.2, random_state=3, max_iter=15)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    assert clf.loss_curve_ != seq[0][0]


def _dropout_fit(seed: int, shuffle_seed=None):
    X, y = _xy()
    with use_generator(ng.Generator(7)):  # the same initial weights in every thread
        model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 2))
    gen = ng.Generator(shuffle_seed) if shuffle_seed is not None else None
    h = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1),
            (ng.tensor(X, dtype=ng.float32), ng.tensor(y)), epochs=4, batch_size=16, verbose=0, seed=seed,
            generator=gen)
    return h["loss"], [p.detach().numpy().copy() for p in model.parameters()]


@pytest.mark.parametrize("shuffle_seed", [None, 5])
def test_fit_with_seed_in_threads_equals_sequential(shuffle_seed):
    ng.manual_seed(0)
    before = ng.get_rng_state()
    seq = [_dropout_fit(3, shuffle_seed), _dropout_fit(3, shuffle_seed)]
    assert ng.get_rng_state() == before
    for _ in range(3):
        par = _in_threads(lambda: _dropout_fit(3, shuffle_seed))
        for a, b in zip(par, seq):
            assert a[0] == b[0]
            for pa, pb in zip(a[1], b[1]):
                np.testing.assert_array_equal(pa, pb)
    assert ng.get_rng_state() == before
    other = _dropout_fit(4, shuffle_seed)
    assert other[0] != seq[0][0]  # another seed, other dropout masks


def test_fit_seed_checked():
    model = nn.Linear(1, 1)
    with pytest.raises(ValueError, match="fit: seed must be a non-negative integer"):
        fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (ng.ones(2, 1), ng.ones(2, 1)),
            epochs=1, verbose=0, seed=-1)


def test_use_generator_is_per_thread():
    g = ng.Generator(1)
    seen = []
    with use_generator(g):
        assert current_generator() is g
        t = threading.Thread(target=lambda: seen.append(current_generator()))
        t.start()
        t.join()
        a = ng.rand(3)
    assert seen == [ng.default_generator]
    assert current_generator() is ng.default_generator
    np.testing.assert_array_equal(a.numpy(), ng.rand(3, generator=ng.Generator(1)).numpy())
    with pytest.raises(TypeError, match="use_generator"):
        with use_generator(np.random.default_rng(0)):
            pass


def test_resume_with_seed_bit_exact(tmp_path):
    """A seeded fit's checkpoint holds its own stream: an interrupted-and-resumed run matches."""
    X, y = _xy()

    def run(epochs, ck):
        with use_generator(ng.Generator(1)):
            model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2))
        opt = optim.SGD(model.parameters(), lr=0.1)
        h = fit(model, nn.CrossEntropyLoss(), opt, (ng.tensor(X, dtype=ng.float32), ng.tensor(y)),
                epochs=epochs, batch_size=32, verbose=0, seed=9, checkpoint=ck)
        return h["loss"], model

    full, m_full = run(4, None)
    ck = tmp_path / "ck.ngz"
    run(2, ck)
    resumed, m_res = run(4, ck)
    assert resumed == full
    for a, b in zip(m_full.parameters(), m_res.parameters()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_no_global_random_state_swapping_in_fit_estimators_cli():
    # calls that read, seed or swap the process-wide stream (docstrings' ``names`` aside)
    pattern = re.compile(r"\b(manual_seed|set_rng_state|get_rng_state)\(|\bdefault_generator\b")
    hits = []
    for sub in ("estimators", "train", "cli"):
        for f in sorted((ROOT / sub).rglob("*.py")):
            for i, line in enumerate(f.read_text().splitlines(), 1):
                code = line.split("#")[0]
                if pattern.search(code) and ">>>" not in line and "``" not in line:
                    hits.append(f"{f.relative_to(ROOT)}:{i}: {line.strip()}")
    assert hits == []
