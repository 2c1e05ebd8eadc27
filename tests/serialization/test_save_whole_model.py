"""ng.save(model) / ng.load of whole models made of netgrad.nn layers (torch.save(model)), without pickle."""

import numpy as np
import pytest

import netgrad as ng
import netgrad.nn as nn
from netgrad.serialization import LoadError


def test_sequential_model_round_trips(tmp_path):
    ng.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(64, 10), nn.LogSoftmax(dim=1)).eval()
    path = tmp_path / "net.pkl"
    ng.save(net, path)
    back = ng.load(path, map_location="cpu", weights_only=False)
    assert repr(back) == repr(net) and not back.training
    x = ng.randn(2, 1, 8, 8)
    np.testing.assert_array_equal(back(x).detach().numpy(), net(x).detach().numpy())


def test_nested_containers_and_keyword_arguments(tmp_path):
    from collections import OrderedDict

    net = nn.Sequential(OrderedDict([("body", nn.ModuleList([nn.Linear(3, 3, bias=False), nn.Tanh()])),
                                     ("head", nn.Linear(3, 1))]))
    ng.save({"model": net, "epoch": 3}, tmp_path / "ckpt")
    back = ng.load(tmp_path / "ckpt")
    assert back["epoch"] == 3 and list(back["model"].state_dict()) == list(net.state_dict())
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(back["model"].state_dict()[k].numpy(), v.numpy())


def test_unsaveable_attributes_and_changed_models_are_refused_with_the_way_out(tmp_path):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 2)
            self.callback = print

    with pytest.raises(TypeError, match="Net.callback.*state_dict"):
        ng.save(Net(), tmp_path / "a")
    grown = nn.Sequential(nn.Linear(2, 2))
    grown.append(nn.Linear(2, 1))
    with pytest.raises(TypeError, match="changed after it was built"):
        ng.save(grown, tmp_path / "b")


def test_hostile_module_entries_are_refused(tmp_path, monkeypatch):
    import netgrad.serialization as S

    net = nn.Sequential(nn.Linear(2, 2))
    spec = S.describe(net)
    spec["args"][0]["args"] = [10 ** 9, 10 ** 9]      # would allocate 4 EB in the constructor
    monkeypatch.setattr(S, "describe", lambda m: spec)
    monkeypatch.setattr(S, "rebuild", lambda *a: net)
    ng.save(net, tmp_path / "big")
    monkeypatch.undo()
    with pytest.raises(LoadError, match="size of 1000000000"):
        ng.load(tmp_path / "big")
    spec = S.describe(net)
    spec["cls"] = "os.system"
    monkeypatch.setattr(S, "describe", lambda m: spec)
    monkeypatch.setattr(S, "rebuild", lambda *a: net)
    ng.save(net, tmp_path / "cls")
    monkeypatch.undo()
    with pytest.raises(LoadError, match="not a netgrad.nn layer"):
        ng.load(tmp_path / "cls")


def test_dtype_arguments_and_lazy_layers_after_their_first_forward(tmp_path):
    net = nn.Sequential(nn.Linear(3, 2, dtype=ng.float64), nn.LazyLinear(4, dtype=ng.float64))
    net(ng.randn(5, 3, dtype=ng.float64))
    ng.save(net, tmp_path / "m")
    back = ng.load(tmp_path / "m")
    assert back[0].weight.dtype == ng.float64 and back[1].in_features == 2
    x = ng.randn(2, 3, dtype=ng.float64)
    np.testing.assert_array_equal(back(x).detach().numpy(), net(x).detach().numpy())


def test_save_and_load_through_open_files(tmp_path):
    import io

    net = nn.Sequential(nn.Linear(2, 3), nn.Tanh())
    buf = io.BytesIO()
    ng.save({"model": net, "step": 7}, buf)
    buf.seek(0)
    back = ng.load(buf)
    assert back["step"] == 7 and repr(back["model"]) == repr(net)
    with open(tmp_path / "f.pt", "wb") as f:
        ng.save(net.state_dict(), f)
    with open(tmp_path / "f.pt", "rb") as f:
        state = ng.load(f)
    assert list(state) == ["0.weight", "0.bias"]
    with pytest.raises(LoadError):
        ng.load(io.BytesIO(b"not a netgrad file at all"))


class CharModel(nn.Module):
    """A model of the test's own class: saved by its attributes and children, never pickled."""

    def __init__(self, vocab, hidden):
        super().__init__()
        self.vocab, self.hidden, self.chars = vocab, hidden, ("a", "b")
        self.emb = nn.Embedding(vocab, 4)
        self.rnn = nn.GRU(4, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab)
        self.register_buffer("steps", ng.zeros(()))
        self.register_buffer("scratch", ng.ones(2), persistent=False)

    def forward(self, x):
        return self.head(self.rnn(self.emb(x))[0])


def test_a_model_of_your_own_class_needs_it_allowed_as_in_torch(tmp_path):
    import netgrad.serialization as S

    ng.manual_seed(0)
    model = CharModel(7, 5).eval()
    ng.save(model, tmp_path / "m.pt")
    with pytest.raises(LoadError, match="safe_globals"):
        ng.load(tmp_path / "m.pt")
    with S.safe_globals([CharModel]):
        back = ng.load(tmp_path / "m.pt")
    assert not S.get_safe_globals()
    assert type(back) is CharModel and (back.vocab, back.hidden, back.chars) == (7, 5, ("a", "b"))
    assert not back.training and back.scratch.tolist() == [1.0, 1.0]
    x = ng.tensor([[1, 2, 3]])
    np.testing.assert_array_equal(back(x).detach().numpy(), model(x).detach().numpy())
    again = ng.load(tmp_path / "m.pt", weights_only=False)   # classes already imported only
    np.testing.assert_array_equal(again(x).detach().numpy(), model(x).detach().numpy())
