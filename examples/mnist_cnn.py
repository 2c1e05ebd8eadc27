"""The notes' convolutional network for MNIST, written with netgrad's PyTorch-style API.

An image x (1 x 28 x 28, scaled to (x / 255 - 0.1307) / 0.3081) passes through

    h1 = relu(W1 * x + b1)              W1: 32 kernels 1x3x3                 -> 32 x 26 x 26
    h2 = relu(W2 * h1 + b2)             W2: 64 kernels 32x3x3                -> 64 x 24 x 24
    h3 = drop_0.25(maxpool_2x2(h2))     flattened                            -> 9216
    h4 = drop_0.5(relu(h3 beta + c))    beta: 9216 x 128
    z  = log softmax(h4 Theta + d)      Theta: 128 x 10, z_k = log P(y = k | x)

(* is the 3x3 cross-correlation, stride 1, no padding; drop_p zeroes each unit with probability p
and scales the rest by 1 / (1 - p) while training, and is the identity when evaluating). With t the
one-hot target, the objective on a minibatch B is the mean negative log-likelihood

    J = -(1 / |B|) sum_{i in B} sum_k t_ik z_ik

over the network's 1,199,882 parameters. Adadelta takes the steps (for each parameter theta, with rho = 0.9,
eps = 1e-6 and the running means E[g^2], E[dtheta^2])

    E[g^2] <- rho E[g^2] + (1 - rho) g^2,       g = dJ/dtheta
    dtheta = -sqrt(E[dtheta^2] + eps) / sqrt(E[g^2] + eps) g
    E[dtheta^2] <- rho E[dtheta^2] + (1 - rho) dtheta^2
    theta <- theta + eta dtheta,

and StepLR multiplies eta by gamma after every epoch (eta_e = eta_0 gamma^(e - 1)). After each
epoch the test set is evaluated: mean J and the share of images whose arg max_k z_k is the label.

The data are the IDX files in ../shared/data/mnist beside the repository (or $NETGRAD_MNIST, or
--data DIR). Run:

    python examples/mnist_cnn.py                          # 14 epochs on all 60000 + 10000 images
    python examples/mnist_cnn.py --epochs 1 --limit 2000   # a quick look on 2000 images per split
    python examples/mnist_cnn.py --epochs 1 --dry-run      # one minibatch step, then evaluate

Net, train_epoch and evaluate can also be imported (tests/nn/test_mnist_example.py does).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

import netgrad as ng
import netgrad.nn as nn
import netgrad.nn.functional as F
import netgrad.optim as optim
from netgrad.data import load_mnist
from netgrad.optim.lr_scheduler import StepLR
from netgrad.utils.data import DataLoader, Dataset, Subset

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MNIST = os.environ.get("NETGRAD_MNIST") or os.path.join(HERE, "..", "..", "shared", "data", "mnist")


class Net(nn.Module):
    """Two 3x3 convolutions (32, 64 channels), 2x2 max-pooling, 9216 -> 128 -> 10; log-probabilities.

    The layer names (conv1, conv2, fc1, fc2) are those of the usual PyTorch checkpoints of this
    network, so their state dicts load.
    """

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=3)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3)
        self.fc1 = nn.Linear(64 * 12 * 12, 128)
        self.fc2 = nn.Linear(128, 10)
        self.drop_pooled = nn.Dropout(0.25)
        self.drop_hidden = nn.Dropout(0.5)

    def forward(self, x: ng.Tensor) -> ng.Tensor:
        h = F.relu(self.conv2(F.relu(self.conv1(x))))
        h = self.drop_pooled(F.max_pool2d(h, 2)).flatten(1)
        h = self.drop_hidden(F.relu(self.fc1(h)))
        return F.log_softmax(self.fc2(h), dim=1)


def train_epoch(model: nn.Module, loader: DataLoader, optimizer: optim.Optimizer, epoch: int,
                log_every: int = 10, dry_run: bool = False) -> float:
    """One pass over ``loader``; prints J every ``log_every`` minibatches and returns the mean J."""
    model.train()
    seen, total, n_batches = 0, 0.0, len(loader)
    n_images = len(loader.dataset)
    for step, (images, labels) in enumerate(loader):
        optimizer.zero_grad()
        J = F.nll_loss(model(images), labels)
        J.backward()
        optimizer.step()
        seen += len(labels)
        total += J.item() * len(labels)
        if step % log_every == 0 or step == n_batches - 1:
            print(f"epoch {epoch}  step {step + 1}/{n_batches}  images {seen}/{n_images}  "
                  f"J {J.item():.4f}")
        if dry_run:
            break
    return total / max(seen, 1)


def evaluate(model: nn.Module, loader: DataLoader) -> tuple[float, float]:
    """Mean J and accuracy of ``model`` on ``loader`` (dropout off, no graph); prints both."""
    model.eval()
    total, correct, count = 0.0, 0, 0
    with ng.no_grad():
        for images, labels in loader:
            z = model(images)
            total += F.nll_loss(z, labels, reduction="sum").item()
            correct += int((z.argmax(dim=1) == labels).sum().item())
            count += len(labels)
    mean_J, accuracy = total / max(count, 1), correct / max(count, 1)
    print(f"test  J {mean_J:.4f}  accuracy {correct}/{count} = {100 * accuracy:.2f}%")
    return mean_J, accuracy


def _first(dataset: Dataset, limit: int | None) -> Dataset:
    return dataset if limit is None or limit >= len(dataset) else Subset(dataset, range(limit))


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="The notes' MNIST CNN trained with netgrad (Adadelta, StepLR).")
    p.add_argument("--data", default=DEFAULT_MNIST, help="folder of the MNIST IDX files")
    p.add_argument("--epochs", type=int, default=14, help="passes over the training set (14)")
    p.add_argument("--batch-size", type=int, default=64, help="training minibatch size |B| (64)")
    p.add_argument("--test-batch-size", type=int, default=1000, help="evaluation batch size (1000)")
    p.add_argument("--lr", type=float, default=1.0, help="Adadelta's eta_0 (1.0)")
    p.add_argument("--gamma", type=float, default=0.7, help="StepLR's factor on eta per epoch (0.7)")
    p.add_argument("--seed", type=int, default=1, help="seed of weights, dropout and shuffling (1)")
    p.add_argument("--log-interval", type=int, default=10, help="print J every this many minibatches (10)")
    p.add_argument("--limit", type=int, default=None,
                   help="use only the first N images of each split (all by default)")
    p.add_argument("--dry-run", action="store_true", help="stop each epoch after its first minibatch")
    p.add_argument("--save-model", action="store_true", help="write the state dict to mnist_cnn.pt")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> float:
    """Train and evaluate as the command line asks; returns the last test accuracy."""
    args = parse_args(argv)
    ng.manual_seed(args.seed)
    train_set = _first(load_mnist(args.data, "train"), args.limit)
    test_set = _first(load_mnist(args.data, "test"), args.limit)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=args.test_batch_size)

    model = Net()
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    schedule = StepLR(optimizer, step_size=1, gamma=args.gamma)
    accuracy = 0.0
    for epoch in range(1, args.epochs + 1):
        print(f"epoch {epoch}: eta = {optimizer.param_groups[0]['lr']:.6g}")
        train_epoch(model, train_loader, optimizer, epoch, args.log_interval, args.dry_run)
        _, accuracy = evaluate(model, test_loader)
        schedule.step()
    if args.save_model:
        ng.save(model.state_dict(), "mnist_cnn.pt")
        print("saved mnist_cnn.pt")
    return accuracy


if __name__ == "__main__":
    main()
