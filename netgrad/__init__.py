"""netgrad: neural networks trained by backpropagation, on NumPy, with PyTorch's API.

>>> import netgrad as ng
>>> x = ng.tensor([0.35, 0.9])
>>> beta = ng.tensor([[0.1, 0.4], [0.8, 0.6]], requires_grad=True)
>>> theta = ng.tensor([0.3, 0.9], requires_grad=True)
>>> y_hat = (x @ beta) @ theta          # linear activations: net_h = [0.755, 0.68]
>>> print(f"{y_hat.item():.4f}")
0.8385
"""

from . import autograd, functional  # noqa: F401  (functional binds Tensor's operators)
from .autograd import (
    DTypeError, Function, GraphError, NetgradError, ShapeError, Tensor, enable_grad, inference_mode,
    is_grad_enabled, is_inference_mode_enabled, no_grad, set_grad_enabled,
)
from .autograd.creation import (
    arange, as_tensor, channels_last, channels_last_3d, contiguous_format, empty, empty_like, eye,
    from_numpy, frombuffer, full, full_like, layout, linspace, logspace, memory_format, ones,
    ones_like, preserve_format, sparse_coo, strided, tensor, zeros, zeros_like,
)
from .autograd.random_creation import (
    rand, rand_like, randint, randint_like, randn, randn_like, randperm,
)
from .autograd.size import Size
from .autograd.dtypes import (
    bool, char, double, finfo, float, float16, float32, float64, get_default_dtype, half, iinfo,
    int, int8, int16, int32, int64, long, set_default_dtype, short, uint8,
)
from .autograd.random import (
    Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state,
)
from .functional import *  # noqa: F401,F403
from .serialization import load, save
from . import nn  # noqa: E402
from .nn.summary import summary  # noqa: E402
from . import amp  # noqa: E402
from math import e, inf, nan, pi  # noqa: E402  (torch.inf, torch.pi, ...)

newaxis = None
from .amp import GradScaler, autocast  # noqa: E402
from .device import (  # noqa: E402
    accelerator, backends, cuda, device, get_default_device, set_default_device,
)
from .functional.conversion import (  # noqa: E402  (binds to/cpu/type/... onto Tensor)
    from_dlpack, is_complex, is_floating_point, is_nonzero, is_tensor, numel,
)
from .functional.legacy import (  # noqa: E402
    BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor, IntTensor,
    LongTensor, ShortTensor, set_default_tensor_type,
)
from .functional.printing import get_printoptions, set_printoptions  # noqa: E402
from .explain import explain  # noqa: E402

__version__ = "0.1.0"

# Subpackages that `import netgrad` does not load (each costs import time; viz pulls matplotlib):
# ``netgrad.optim``, ``netgrad.utils.data`` ... import on first use of the attribute (PEP 562).
_LAZY_SUBPACKAGES = ("optim", "utils", "data", "train", "viz", "testing", "estimators", "cli", "onnx",
                     "distributed", "playground", "linalg")


def __getattr__(name: str):  # noqa: ANN202
    if name in _LAZY_SUBPACKAGES:
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | set(_LAZY_SUBPACKAGES))
