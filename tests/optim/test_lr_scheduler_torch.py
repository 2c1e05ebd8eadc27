"""Every scheduler of netgrad.optim.lr_scheduler against torch.optim.lr_scheduler: both driven by the
same steps on twin optimisers (two param groups), the lr (and momentum / beta1 where the scheduler
cycles it) compared after every step; state_dict round trips; the deprecated step(epoch); errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import netgrad as ng
from netgrad import optim
from netgrad.optim import lr_scheduler as S

T = torch.optim.lr_scheduler


def _twins(kind: str = "sgd"):
    """netgrad and torch optimisers with the same two param groups (lr 0.1 and 0.3)."""
    def groups(lib):
        return [{"params": [lib.zeros(1, requires_grad=True)]},
                {"params": [lib.zeros(1, requires_grad=True)], "lr": 0.3}]
    if kind == "sgd":
        return (optim.SGD(groups(ng), lr=0.1, momentum=0.9),
                torch.optim.SGD(groups(torch), lr=0.1, momentum=0.9))
    if kind == "adam":
        return optim.Adam(groups(ng), lr=0.1), torch.optim.Adam(groups(torch), lr=0.1)
    return optim.Adagrad(groups(ng), lr=0.1), torch.optim.Adagrad(groups(torch), lr=0.1)


def _hyper(opt) -> list[list[float]]:
    """Each group's lr, plus its momentum or beta1 (what CyclicLR / OneCycleLR cycle)."""
    out = []
    for g in opt.param_groups:
        row = [float(g["lr"])]
        if "momentum" in g:
            row.append(float(g["momentum"]))
        if "betas" in g:
            row.append(float(g["betas"][0]))
        out.append(row)
    return out


def _drive(make, steps: int = 25, kind: str = "sgd"):
    """Build with make(module, optimizer) in both libraries, step both ``steps`` times, compare."""
    opt, topt = _twins(kind)
    s, ts = make(S, opt), make(T, topt)
    assert s.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12)
    got, want = [_hyper(opt)], [_hyper(topt)]
    for _ in range(steps):
        opt.step()
        topt.step()
        s.step()
        ts.step()
        assert s.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12, abs=1e-15)
        assert getattr(s, "last_epoch", None) == getattr(ts, "last_epoch", None)
        got.append(_hyper(opt))
        want.append(_hyper(topt))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    initial = [g["initial_lr"] for g in opt.param_groups]
    assert initial == pytest.approx([g["initial_lr"] for g in topt.param_groups])
    return s, ts


CASES = {
    "LambdaLR": lambda m, o: m.LambdaLR(o, lambda e: 0.95 ** e),
    "LambdaLR-per-group": lambda m, o: m.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 1.0 + e % 3]),
    "MultiplicativeLR": lambda m, o: m.MultiplicativeLR(o, lambda e: 0.9 if e % 2 else 1.05),
    "StepLR": lambda m, o: m.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, milestones=[2, 5, 5, 8], gamma=0.3),
    "ConstantLR": lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=4),
    "ConstantLR-default": lambda m, o: m.ConstantLR(o),
    "LinearLR": lambda m, o: m.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=6),
    "LinearLR-default": lambda m, o: m.LinearLR(o),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, gamma=0.9),
    "PolynomialLR": lambda m, o: m.PolynomialLR(o, total_iters=7, power=2.0),
    "PolynomialLR-default": lambda m, o: m.PolynomialLR(o),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, T_max=5, eta_min=0.01),
    "WarmRestarts": lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.001),
    "WarmRestarts-mult1": lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=4),
    "CyclicLR": lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=5),
    "CyclicLR-triangular2": lambda m, o: m.CyclicLR(
        o, base_lr=[0.01, 0.02], max_lr=[0.1, 0.5], step_size_up=2, mode="triangular2", base_momentum=0.7,
        max_momentum=0.95),
    "CyclicLR-exp_range": lambda m, o: m.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=4, mode="exp_range", gamma=0.9, cycle_momentum=False),
    "CyclicLR-scale_fn": lambda m, o: m.CyclicLR(
        o, 0.01, 0.1, step_size_up=3, scale_fn=lambda x: 0.5 ** x, scale_mode="iterations"),
    "OneCycleLR": lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=25),
    "OneCycleLR-three-phase-linear": lambda m, o: m.OneCycleLR(
        o, max_lr=[1.0, 2.0], epochs=5, steps_per_epoch=5, three_phase=True, anneal_strategy="linear",
        pct_start=0.25),
    "SequentialLR": lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, 0.1, total_iters=4), m.ExponentialLR(o, 0.9)], milestones=[4]),
    "SequentialLR-three": lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, 0.5, total_iters=2), m.StepLR(o, 2, 0.5), m.CosineAnnealingLR(o, 6)],
        milestones=[3, 9]),
    "ChainedScheduler": lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, 0.5, total_iters=3), m.ExponentialLR(o, 0.9)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_lr_sequence_matches_torch(name):
    _drive(CASES[name])


@pytest.mark.parametrize("name", ["CyclicLR", "OneCycleLR"])
def test_beta1_cycles_with_adam(name):
    _drive(CASES[name], kind="adam")


def test_reduce_on_plateau_matches_torch_and_is_a_scheduler():
    metrics = [1.0, 0.9, 0.9, 0.95, 0.91, 0.9, 0.89, 0.89, 0.895, 0.9, 0.9, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6]
    for kw in [dict(patience=2), dict(patience=1, cooldown=2, factor=0.5, min_lr=[0.02, 0.05]),
               dict(mode="max", patience=1, threshold=0.05, threshold_mode="abs", eps=0.0)]:
        opt, topt = _twins()
        s, ts = S.ReduceLROnPlateau(opt, **kw), T.ReduceLROnPlateau(topt, **kw)
        assert isinstance(s, S.LRScheduler)
        for m in metrics:
            s.step(m)
            ts.step(m)
            assert s.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12)
            assert (s.last_epoch, s.num_bad_epochs, s.cooldown_counter) == \
                (ts.last_epoch, ts.num_bad_epochs, ts.cooldown_counter)


@pytest.mark.parametrize("name", ["MultiStepLR", "CyclicLR", "OneCycleLR", "SequentialLR", "ChainedScheduler",
                                  "WarmRestarts", "LambdaLR"])
def test_state_dict_round_trip_continues_like_torch(name, tmp_path):
    make = CASES[name]
    opt, topt = _twins()
    s, ts = make(S, opt), make(T, topt)
    for _ in range(7):
        opt.step(); topt.step(); s.step(); ts.step()  # noqa: E702
    ng.save(s.state_dict(), tmp_path / "sched.ngz")
    # a fresh optimiser and scheduler, restored from the saved state (the optimiser's lr by hand)
    opt2, _ = _twins()
    s2 = make(S, opt2)
    s2.load_state_dict(ng.load(tmp_path / "sched.ngz"))
    for g2, g in zip(opt2.param_groups, opt.param_groups):
        g2.update({k: v for k, v in g.items() if k != "params"})
    assert getattr(s2, "last_epoch", None) == getattr(ts, "last_epoch", None)
    assert s2.get_last_lr() == pytest.approx(ts.get_last_lr())
    for _ in range(8):
        opt2.step(); topt.step(); s2.step(); ts.step()  # noqa: E702
        np.testing.assert_allclose(_hyper(opt2), _hyper(topt), rtol=1e-12)


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
                                  "PolynomialLR", "CosineAnnealingLR", "WarmRestarts", "WarmRestarts-mult1"])
def test_step_with_epoch_uses_the_closed_form(name):
    opt, topt = _twins()
    s, ts = CASES[name](S, opt), CASES[name](T, topt)
    for epoch in [3, 7, 2, 12, 5.5 if name.startswith("Warm") else 5]:
        with warnings.catch_warnings(record=True) as ours:
            warnings.simplefilter("always")
            s.step(epoch)
        with warnings.catch_warnings(record=True) as theirs:
            warnings.simplefilter("always")
            ts.step(epoch)
        # deprecated, except for CosineAnnealingWarmRestarts (fractional epochs are its documented use)
        assert [str(w.message)[:20] for w in ours] == [str(w.message)[:20] for w in theirs]
        assert s.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12)
        assert s.last_epoch == ts.last_epoch


def test_resume_needs_initial_lr_and_continues():
    opt, topt = _twins()
    for lib_opt, mod in ((opt, S), (topt, T)):
        with pytest.raises(KeyError, match="initial_lr"):
            mod.StepLR(lib_opt, 2, last_epoch=4)
    for g, tg in zip(opt.param_groups, topt.param_groups):
        g["initial_lr"] = tg["initial_lr"] = g["lr"]
    _ = [S.ExponentialLR(opt, 0.5, last_epoch=3), T.ExponentialLR(topt, 0.5, last_epoch=3)]
    np.testing.assert_allclose(_hyper(opt), _hyper(topt), rtol=1e-12)


def _raises_like_torch(build):
    """build(module, optimizer) raises the same exception type in both libraries."""
    opt, topt = _twins()
    with pytest.raises(Exception) as want:
        build(T, topt)
    with pytest.raises(type(want.value)):
        build(S, opt)


@pytest.mark.parametrize("build", [
    lambda m, o: m.ConstantLR(o, factor=2.0),
    lambda m, o: m.LinearLR(o, start_factor=0.0),
    lambda m, o: m.LinearLR(o, end_factor=1.5),
    lambda m, o: m.LambdaLR(o, [lambda e: 1.0]),
    lambda m, o: m.MultiplicativeLR(o, 0.5),
    lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=0),
    lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
    lambda m, o: m.CyclicLR(o, 0.01, 0.1, mode="sideways"),
    lambda m, o: m.CyclicLR(o, [0.01], 0.1),
    lambda m, o: m.OneCycleLR(o, max_lr=1.0),
    lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=0),
    lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1),
    lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="sqrt"),
    lambda m, o: m.SequentialLR(o, [m.StepLR(o, 2), m.StepLR(o, 3)], milestones=[1, 2]),
    lambda m, o: m.SequentialLR(o, [], milestones=[]),
    lambda m, o: m.SequentialLR(o, [m.ReduceLROnPlateau(o), m.StepLR(o, 3)], milestones=[2]),
    lambda m, o: m.ChainedScheduler([]),
    lambda m, o: m.ReduceLROnPlateau(o, factor=1.0),
    lambda m, o: m.ReduceLROnPlateau(o, mode="up"),
    lambda m, o: m.ReduceLROnPlateau(o, min_lr=[0.1]),
    lambda m, o: m.StepLR([o], 2),
])
def test_bad_arguments_raise_like_torch(build):
    _raises_like_torch(build)


def test_momentum_needed_and_one_cycle_overrun():
    opt, topt = _twins("adagrad")
    for mod, o in ((T, topt), (S, opt)):
        with pytest.raises(ValueError, match="momentum"):
            mod.CyclicLR(o, 0.01, 0.1)
    for mod, (o, _) in ((S, _twins()), (T, _twins()[::-1])):
        s = mod.OneCycleLR(o, max_lr=1.0, total_steps=3)
        for _ in range(3):
            o.step()
            s.step()
        with pytest.raises(ValueError, match="Tried to step 4 times"):
            s.step()


def test_names_and_alias():
    assert S._LRScheduler is S.LRScheduler
    for name in T.__all__:
        if name not in ("SWALR",):
            assert issubclass(getattr(S, name), S.LRScheduler), name
