"""Each learning-rate schedule gives torch.optim.lr_scheduler's sequence."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import netgrad as ng
from netgrad import optim
from netgrad.optim import lr_scheduler as S

CASES = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 11], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=7)),
    ("CosineAnnealingLR", dict(T_max=5, eta_min=0.01)),
]


def _pair():
    opt = optim.SGD([{"params": [ng.zeros(1, requires_grad=True)]},
                     {"params": [ng.zeros(1, requires_grad=True)], "lr": 0.3}], lr=0.1, momentum=0.9)
    topt = torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)]},
                            {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.3}],
                           lr=0.1, momentum=0.9)
    return opt, topt


@pytest.mark.parametrize("name,kw", CASES)
def test_lr_sequence_matches_torch(name, kw):
    opt, topt = _pair()
    s, ts = getattr(S, name)(opt, **kw), getattr(torch.optim.lr_scheduler, name)(topt, **kw)
    got, want = [], []
    for _ in range(25):
        got.append([g["lr"] for g in opt.param_groups])
        want.append([g["lr"] for g in topt.param_groups])
        opt.step()
        topt.step()
        s.step()
        ts.step()
        assert s.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_reduce_on_plateau_matches_torch():
    metrics = [1.0, 0.9, 0.9, 0.95, 0.91, 0.9, 0.89, 0.89, 0.895, 0.9, 0.9, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6]
    for kw in [dict(patience=2), dict(patience=1, cooldown=2, factor=0.5, min_lr=0.02),
               dict(mode="max", patience=1, threshold=0.05, threshold_mode="abs")]:
        opt, topt = _pair()
        s, ts = S.ReduceLROnPlateau(opt, **kw), torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kw)
        for m in metrics:
            s.step(m)
            ts.step(m)
            assert [g["lr"] for g in opt.param_groups] == pytest.approx([g["lr"] for g in topt.param_groups])


def test_scheduler_state_dict_round_trip(tmp_path):
    opt, _ = _pair()
    s = S.MultiStepLR(opt, milestones=[2, 4], gamma=0.1)
    for _ in range(3):
        s.step()
    ng.save(s.state_dict(), tmp_path / "s.ngz")
    opt2, _ = _pair()
    s2 = S.MultiStepLR(opt2, milestones=[100])
    s2.load_state_dict(ng.load(tmp_path / "s.ngz"))
    for g, g2 in zip(opt.param_groups, opt2.param_groups):
        g2["lr"] = g["lr"]
    for _ in range(3):
        s.step()
        s2.step()
        assert s.get_last_lr() == s2.get_last_lr()
