"""Layer 2: netgrad's differentiable ops, by family, as functions (and bound as Tensor methods).

>>> import netgrad.functional as NF
>>> import netgrad as ng
>>> NF.exp(ng.zeros(2))
tensor([1., 1.])
"""

from .elementwise import *  # noqa: F401,F403
from .elementwise import __all__ as _e
from .linalg import *  # noqa: F401,F403
from .linalg import __all__ as _l
from .reduction import *  # noqa: F401,F403
from .reduction import __all__ as _r
from .shape import *  # noqa: F401,F403
from .shape import __all__ as _s
from . import methods  # noqa: F401,E402  (binds operators onto Tensor)
from .activation import *  # noqa: F401,F403,E402
from .activation import __all__ as _a
from .smooth import *  # noqa: F401,F403,E402
from .smooth import __all__ as _sm
from .loss import *  # noqa: F401,F403,E402
from .loss import __all__ as _lo
from .conv import *  # noqa: F401,F403,E402
from .conv import __all__ as _c
from .pooling import *  # noqa: F401,F403,E402
from .pooling import __all__ as _p
from .dropout import *  # noqa: F401,F403,E402
from .dropout import __all__ as _d
from .scan import *  # noqa: F401,F403,E402
from .scan import __all__ as _scan
from .sorting import *  # noqa: F401,F403,E402
from .sorting import __all__ as _sort
from .trig import *  # noqa: F401,F403,E402
from .trig import __all__ as _trig
from .pointwise import *  # noqa: F401,F403,E402
from .pointwise import __all__ as _pw
from .hyperbolic import *  # noqa: F401,F403,E402
from .hyperbolic import __all__ as _hyp
from .errorfn import *  # noqa: F401,F403,E402
from .errorfn import __all__ as _erf
from .numeric import *  # noqa: F401,F403,E402
from .numeric import __all__ as _num
from .gamma import *  # noqa: F401,F403,E402
from .gamma import __all__ as _gam
from .indexing import *  # noqa: F401,F403,E402
from .indexing import __all__ as _idx
from .arrange import *  # noqa: F401,F403,E402
from .arrange import __all__ as _arr
from .einsum import *  # noqa: F401,F403,E402
from .einsum import __all__ as _ein
from .rounding import *  # noqa: F401,F403,E402
from .rounding import __all__ as _rnd
from .arith import *  # noqa: F401,F403,E402
from .arith import __all__ as _ar
from .logical import *  # noqa: F401,F403,E402
from .logical import __all__ as _lg
from .products import *  # noqa: F401,F403,E402
from .products import __all__ as _prod
from .linalg_extra import *  # noqa: F401,F403,E402
from .linalg_extra import __all__ as _lex
from .stats import *  # noqa: F401,F403,E402
from .stats import __all__ as _stats
from .sampling import *  # noqa: F401,F403,E402
from .sampling import __all__ as _smp
from .placing import *  # noqa: F401,F403,E402
from .placing import __all__ as _plc
from .tensor_extras import *  # noqa: F401,F403,E402
from .tensor_extras import __all__ as _tx

__all__ = [
    *_e, *_l, *_r, *_s, *_a, *_sm, *_lo, *_c, *_p, *_d, *_scan, *_sort, *_trig, *_pw, *_idx,
    *_arr, *_ein, *_rnd, *_ar, *_lg, *_hyp, *_erf, *_num, *_gam, *_stats, *_smp, *_plc, *_tx,
    *_prod, *_lex,
]

from .core import numpy_aliases as _aliases  # noqa: E402

# axis= and keepdims= wherever dim= and keepdim= are taken, as PyTorch's functions accept them
globals().update({_n: _aliases(globals()[_n]) for _n in __all__})
