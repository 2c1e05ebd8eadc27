"""Devices: netgrad runs on the CPU only; these stand-ins let PyTorch scripts run unchanged.

``device('cpu')`` works everywhere a device is accepted; naming a device netgrad cannot use
('cuda', 'mps', ...) raises ``DeviceUnavailableError``, a RuntimeError that is also an
AssertionError (PyTorch without CUDA raises one or the other depending on the call).

>>> import netgrad as ng
>>> ng.cuda.is_available(), ng.backends.mps.is_available()
(False, False)
>>> d = ng.device("cpu")
>>> d, d.type, ng.ones(2).to(d).device == d
(device(type='cpu'), 'cpu', True)
"""

from __future__ import annotations

import sys
import types
from typing import Any

from .autograd.device import CPU, DeviceUnavailableError, check_device, device

__all__ = ["device", "cuda", "backends", "accelerator", "DeviceUnavailableError",
           "set_default_device", "get_default_device", "check_device"]


def set_default_device(dev: Any) -> None:
    """Only the CPU (or None, meaning the CPU) can be the default device."""
    check_device(dev, "set_default_device")


def get_default_device() -> device:
    return CPU


def _false(*_: Any) -> bool:
    return False


def _none(*_: Any, **__: Any) -> None:
    return None


def _zero(*_: Any) -> int:
    return 0


def _no_cuda(name: str):
    def fn(*_: Any, **__: Any) -> Any:
        raise DeviceUnavailableError(f"cuda.{name}: Torch not compiled with CUDA enabled "
                                     "(netgrad runs on the CPU only)")
    fn.__name__ = name
    return fn


# torch.cuda without CUDA: queries answer False/0, seeding and cache clearing are no-ops, and
# everything that needs a device raises as PyTorch does.
cuda = types.SimpleNamespace(
    is_available=_false, device_count=_zero, is_initialized=_false, is_bf16_supported=_false,
    manual_seed=_none, manual_seed_all=_none, seed=_none, seed_all=_none, empty_cache=_none,
    memory_allocated=_zero, memory_reserved=_zero, max_memory_allocated=_zero,
    synchronize=_no_cuda("synchronize"), current_device=_no_cuda("current_device"),
    get_device_name=_no_cuda("get_device_name"), initial_seed=_no_cuda("initial_seed"),
    get_rng_state=_no_cuda("get_rng_state"), set_device=_no_cuda("set_device"),
    get_device_properties=_no_cuda("get_device_properties"),
)

accelerator = types.SimpleNamespace(
    is_available=_false, device_count=_zero,
    current_accelerator=lambda check_available=False: None,
)


def _module(name: str, **attrs: Any) -> types.ModuleType:
    """A real module object, registered in sys.modules, so that ``import torch.backends.cudnn as
    cudnn`` works once ``torch`` is netgrad (PyTorch scripts import these as modules)."""
    mod = types.ModuleType(f"netgrad.{name}")
    mod.__dict__.update(attrs)
    sys.modules[mod.__name__] = mod
    return mod


def _backend(name: str, **attrs: Any) -> types.ModuleType:
    return _module(f"backends.{name}", is_available=_false, is_built=_false, **attrs)


backends = _module(
    "backends",
    mps=_backend("mps"),
    cudnn=_backend("cudnn", enabled=True, deterministic=False, benchmark=False, allow_tf32=True,
                   version=_none),
    mkldnn=_backend("mkldnn", enabled=True),
    cuda=_backend("cuda", matmul=types.SimpleNamespace(allow_tf32=False,
                                                       allow_fp16_reduced_precision_reduction=True)),
    openmp=_backend("openmp"),
)
cuda = _module("cuda", **vars(cuda))
accelerator = _module("accelerator", **vars(accelerator))
