"""``netgrad.nn``: modules, layers, activations, losses and initialisers, with PyTorch's API.

>>> import netgrad as ng
>>> import netgrad.nn as nn
>>> _ = ng.manual_seed(0)
>>> model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
>>> model
Sequential(
  (0): Linear(in_features=2, out_features=4, bias=True)
  (1): Tanh()
  (2): Linear(in_features=4, out_features=1, bias=True)
)
>>> sum(p.numel() for p in model.parameters())
17
"""

from . import functional, init, parallel, utils
from .activation import (
    ELU, GELU, LeakyReLU, LinearActivation, Logistic, LogSoftmax, ReLU, SiLU, Sigmoid, Softmax,
    SignUnit, Softplus, Step, Tanh, Threshold,
)
from .activation_more import (
    CELU, GLU, PReLU, ReLU6, RReLU, SELU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh, LogSigmoid,
    Mish, Softmax2d, Softmin, Softshrink, Softsign, Tanhshrink,
)
from .conv import Conv2d
from .conv_more import Conv1d, ConvTranspose1d, ConvTranspose2d, Fold, Unfold
from .distance import Bilinear, CosineSimilarity, PairwiseDistance
from .dropout import Dropout, Dropout2d
from .containers import Flatten, Identity, ModuleDict, ModuleList, Sequential, Unflatten
from .linear import Linear
from .embedding import Embedding
from .lazy import LazyLinear
from .lazy_conv import LazyConv1d, LazyConv2d, LazyConvTranspose1d, LazyConvTranspose2d
from .paramcontainers import ParameterDict, ParameterList
from .loss import (
    BCELoss, BCEWithLogitsLoss, BinaryLogLikelihood, CrossEntropyLoss, HalfMSELoss, HuberLoss,
    KLDivLoss, L1Loss, MSELoss, NLLLoss, RSSLoss, SmoothL1Loss, SSELoss, SymmetricCrossEntropyLoss,
)
from .loss_more import (
    CTCLoss, CosineEmbeddingLoss, GaussianNLLLoss, HingeEmbeddingLoss, MarginRankingLoss,
    MultiLabelMarginLoss, MultiLabelSoftMarginLoss, MultiMarginLoss, PoissonNLLLoss, SoftMarginLoss,
    TripletMarginLoss, TripletMarginWithDistanceLoss,
)
from .module import Module
from .normalization import BatchNorm1d, BatchNorm2d
from .norms import (
    BatchNorm3d, GroupNorm, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, LayerNorm, RMSNorm,
)
from .attention import MultiheadAttention
from .transformer import (
    Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder,
    TransformerEncoderLayer,
)
from .parameter import Parameter
from .pooling import AvgPool2d, MaxPool2d
from .pooling_more import (
    AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, AlphaDropout, AvgPool1d,
    Dropout1d, FeatureAlphaDropout, LPPool1d, LPPool2d, MaxPool1d,
)
from .resample import (
    ChannelShuffle, CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d, ConstantPad2d,
    ConstantPad3d, PixelShuffle, PixelUnshuffle, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
    ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, Upsample, UpsamplingBilinear2d,
    UpsamplingNearest2d, ZeroPad1d, ZeroPad2d, ZeroPad3d,
)
from .rnn import GRU, LSTM, RNN, RNNBase
from .rnn_cells import GRUCell, LSTMCell, RNNCell, RNNCellBase
from .perceptron import Perceptron

__all__ = [
    "functional", "init", "Module", "Parameter", "Sequential", "ModuleList", "ModuleDict",
    "Identity", "Flatten", "Unflatten", "Linear", "Conv2d", "MaxPool2d", "AvgPool2d", "Dropout",
    "Dropout2d", "BatchNorm1d", "BatchNorm2d", "utils", "Embedding", "LazyLinear", "ParameterList",
    "ParameterDict",
    "BatchNorm3d", "LayerNorm", "RMSNorm", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d",
    "InstanceNorm3d", "MultiheadAttention", "Transformer", "TransformerEncoder",
    "TransformerDecoder", "TransformerEncoderLayer", "TransformerDecoderLayer",
    "RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell",
    "ReLU", "LeakyReLU", "Sigmoid", "Logistic", "Tanh", "Softmax", "LogSoftmax", "ELU", "GELU",
    "Softplus", "SiLU", "LinearActivation", "Step", "SignUnit", "Threshold",
    "MSELoss", "HalfMSELoss", "SSELoss", "RSSLoss", "L1Loss", "HuberLoss", "SmoothL1Loss",
    "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss", "KLDivLoss",
    "SymmetricCrossEntropyLoss", "BinaryLogLikelihood",
    "Hardtanh", "ReLU6", "SELU", "CELU", "Mish", "Softsign", "LogSigmoid", "Hardsigmoid",
    "Hardswish", "Softshrink", "Hardshrink", "Tanhshrink", "Softmin", "Softmax2d", "GLU", "PReLU",
    "RReLU",
    "CosineSimilarity", "PairwiseDistance", "Bilinear",
    "CosineEmbeddingLoss", "MarginRankingLoss", "HingeEmbeddingLoss", "TripletMarginLoss",
    "TripletMarginWithDistanceLoss", "PoissonNLLLoss", "GaussianNLLLoss", "SoftMarginLoss",
    "MultiLabelSoftMarginLoss", "MultiMarginLoss", "MultiLabelMarginLoss", "CTCLoss",
    "Conv1d", "ConvTranspose1d", "ConvTranspose2d", "Fold", "Unfold",
    "MaxPool1d", "AvgPool1d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d", "Dropout1d", "AlphaDropout", "FeatureAlphaDropout",
    "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle", "PixelUnshuffle",
    "ChannelShuffle", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d",
    "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d",
    "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d",
    "LPPool1d", "LPPool2d", "LazyConv1d", "LazyConv2d", "LazyConvTranspose1d", "LazyConvTranspose2d",
]

from . import modules  # noqa: E402,F401  (torch.nn.modules.rnn.LSTM and the like)
