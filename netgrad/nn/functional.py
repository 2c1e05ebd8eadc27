"""``netgrad.nn.functional`` (imported as ``F``): PyTorch's ``torch.nn.functional`` names.

>>> import netgrad as ng
>>> import netgrad.nn.functional as F
>>> F.relu(ng.tensor([-1.0, 1.0]))
tensor([0., 1.])
"""

from ..functional.activation import (
    identity, leaky_relu, linear_activation, log_softmax, logistic, relu, sigmoid, softmax, step, tanh,
    threshold,
)
from ..functional.activation_more import (
    celu, celu_, elu_, glu, gumbel_softmax, hardshrink, hardsigmoid, hardswish, hardtanh, hardtanh_,
    leaky_relu_, logsigmoid, mish, prelu, relu6, relu_, rrelu, rrelu_, selu, selu_, softmin, softshrink,
    softsign, tanhshrink, threshold_,
)
from ..functional.conv import conv2d
from ..functional.ctc import ctc_loss
from ..functional.conv_more import conv1d, conv_transpose1d, conv_transpose2d, fold, unfold
from ..functional.distance import bilinear, cosine_similarity, pairwise_distance, pdist
from ..functional.dropout import dropout, dropout2d
from ..functional.dropout_more import alpha_dropout, dropout1d, feature_alpha_dropout
from ..functional.attention import multi_head_attention_forward, scaled_dot_product_attention
from ..functional.linalg import linear
from ..functional.normalization import group_norm, instance_norm, layer_norm, normalize, rms_norm
from ..functional.loss import (
    binary_cross_entropy, binary_cross_entropy_with_logits, binary_log_likelihood, cross_entropy,
    half_mse_loss, huber_loss, kl_div, l1_loss, mse_loss, nll_loss, one_hot, rss_loss, smooth_l1_loss,
    sse_loss, symmetric_cross_entropy,
)
from ..functional.loss_more import (
    cosine_embedding_loss, gaussian_nll_loss, hinge_embedding_loss, margin_ranking_loss,
    multi_margin_loss, multilabel_margin_loss, multilabel_soft_margin_loss, poisson_nll_loss,
    soft_margin_loss, triplet_margin_loss, triplet_margin_with_distance_loss,
)
from ..functional.pooling import avg_pool2d, max_pool2d
from ..functional.pooling_more import (
    adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool1d, adaptive_max_pool2d, avg_pool1d,
    lp_pool1d, lp_pool2d, max_pool1d,
)
from ..functional.resample import (
    channel_shuffle, interpolate, pixel_shuffle, pixel_unshuffle, upsample, upsample_bilinear,
    upsample_nearest,
)
from ..functional.probloss import cross_entropy_probs
from ..functional.shape import pad
from ..functional.smooth import elu, gelu, silu, softplus
from .embedding import embedding
from .normalization import batch_norm

__all__ = [
    "relu", "leaky_relu", "sigmoid", "logistic", "tanh", "softmax", "log_softmax", "elu", "gelu",
    "softplus", "silu", "linear_activation", "identity", "step", "threshold", "linear", "pad",
    "mse_loss", "half_mse_loss", "sse_loss", "rss_loss", "l1_loss", "huber_loss", "smooth_l1_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss",
    "cross_entropy_probs",
    "kl_div", "symmetric_cross_entropy", "binary_log_likelihood", "one_hot",
    "conv2d", "max_pool2d", "avg_pool2d", "dropout", "dropout2d", "batch_norm", "embedding",
    "layer_norm", "rms_norm", "group_norm", "instance_norm", "normalize",
    "scaled_dot_product_attention", "multi_head_attention_forward",
    "hardtanh", "relu6", "selu", "celu", "mish", "softsign", "logsigmoid", "hardsigmoid",
    "hardswish", "softshrink", "hardshrink", "tanhshrink", "softmin", "glu", "prelu", "rrelu",
    "gumbel_softmax",
    "cosine_similarity", "pairwise_distance", "pdist", "bilinear",
    "cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss", "triplet_margin_loss",
    "triplet_margin_with_distance_loss", "poisson_nll_loss", "gaussian_nll_loss", "soft_margin_loss",
    "multilabel_soft_margin_loss", "multi_margin_loss", "multilabel_margin_loss", "ctc_loss",
    "conv1d", "conv_transpose1d", "conv_transpose2d", "fold", "unfold", "dropout1d", "alpha_dropout",
    "feature_alpha_dropout", "max_pool1d", "avg_pool1d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "interpolate", "upsample", "upsample_nearest",
    "upsample_bilinear", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "lp_pool1d", "lp_pool2d",
    "relu_", "elu_", "leaky_relu_", "threshold_", "hardtanh_", "selu_", "celu_", "rrelu_",
]
