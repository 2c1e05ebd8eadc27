"""netgrad.distributed, DistributedDataParallel, DistributedSampler and fit on several ranks, with
real ``mpiexec -n 2`` / ``-n 3`` jobs on this machine (tests/distributed/_dist_worker.py runs in each rank).
Each job has a timeout, so a hang fails the test instead of stalling the suite."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import netgrad as ng
from netgrad import nn
from netgrad.utils.data.distributed import DistributedSampler, torch_randperm

sys.path.insert(0, os.path.dirname(__file__))
import _dist_worker as W  # noqa: E402

pytest.importorskip("mpi4py", reason="netgrad[distributed] (mpi4py + MPI) is in the test extras")

WORKER = os.path.join(os.path.dirname(__file__), "_dist_worker.py")
ROOT = str(Path(__file__).resolve().parents[2])


def run_job(n: int, scenario: str, out: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    from netgrad.distributed.launch import mpiexec_command

    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
               OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = mpiexec_command(n, [sys.executable, WORKER, scenario, str(out)])
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=str(out))


def ranks_npz(out: Path, n: int, name: str = "suite") -> list[dict]:
    return [dict(np.load(out / f"{name}-rank{r}.npz")) for r in range(n)]


def shared_job(tmp_path_factory, n: int, scenario: str) -> tuple[Path, str]:
    """Run the job once per test session, also under pytest-xdist (its workers share the parent
    of their base temporary folders): its output folder and its standard output."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    out = base / f"dist-{scenario}-{n}"
    with open(base / f"dist-{scenario}-{n}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "stdout.txt").exists():
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            p = run_job(n, scenario, out)
            assert p.returncode == 0, p.stdout + p.stderr
            (out / "stdout.txt").write_text(p.stdout)
    return out, (out / "stdout.txt").read_text()


@pytest.fixture(scope="module", params=[2, 3])
def suite(request, tmp_path_factory):
    n = request.param
    out, _ = shared_job(tmp_path_factory, n, "suite")
    return n, ranks_npz(out, n)


# ----------------------------------------------------------------------------------- collectives
def test_collectives_match_numpy(suite):
    n, res = suite
    xs = np.stack([W.collective_input(r) for r in range(n)])
    expect = {"SUM": xs.sum(0), "MAX": xs.max(0), "MIN": xs.min(0), "PRODUCT": xs.prod(0), "AVG": xs.mean(0)}
    ints = np.stack([W.collective_input(r, "int64") for r in range(n)]).sum(0)
    f32 = np.stack([W.collective_input(r, "float32") for r in range(n)]).sum(0)
    for r in range(n):
        for op, e in expect.items():
            np.testing.assert_allclose(res[r][f"all_reduce_{op}"], e, rtol=1e-14, err_msg=op)
        assert res[r]["all_reduce_int64"].dtype == np.int64
        np.testing.assert_array_equal(res[r]["all_reduce_int64"], ints)
        assert res[r]["all_reduce_async_f32"].dtype == np.float32
        np.testing.assert_allclose(res[r]["all_reduce_async_f32"], f32, rtol=1e-6)
        np.testing.assert_allclose(res[r]["all_reduce_T"], expect["SUM"].T, rtol=1e-14)
        np.testing.assert_array_equal(res[r]["broadcast"], xs[n - 1])
        np.testing.assert_array_equal(res[r]["all_gather"], xs)
    np.testing.assert_allclose(res[n - 1]["reduce"], expect["SUM"], rtol=1e-14)
    for r in range(n - 1):  # reduce leaves the other ranks' tensors as they were
        np.testing.assert_array_equal(res[r]["reduce"], xs[r])


# ------------------------------------------------------------------------------------------- DDP
def full_batch_grads(lo: int = 0, hi: int = W.GLOBAL_BATCH) -> np.ndarray:
    X, y = W.data("mlp")
    m = W.mlp()
    nn.CrossEntropyLoss()(m(ng.tensor(X[lo:hi])), ng.tensor(y[lo:hi])).backward()
    return np.concatenate([p.grad.numpy().ravel() for p in m.parameters()])


def test_ddp_gradients_equal_full_batch_gradients(suite):
    n, res = suite
    full = full_batch_grads()
    assert int(res[0]["n_buckets"]) > 1  # several buckets, each its own Iallreduce
    for r in range(n):
        np.testing.assert_allclose(res[r]["grads"], full, rtol=1e-10, atol=1e-14)


def test_ddp_starts_allreduces_while_backward_still_runs(suite):
    """The last layers' bucket is on the wire before backward reaches the first layer's output."""
    n, res = suite
    for r in range(n):
        ev = list(res[r]["overlap_events"])
        assert ev.count(1) == int(res[r]["n_buckets"]) and ev.count(2) == 1, ev
        assert ev.index(1) < ev.index(2), ev


def test_ddp_no_sync_accumulates_locally_then_averages(suite):
    n, res = suite
    full = full_batch_grads()
    lo, hi = 0, W.GLOBAL_BATCH // n
    first = np.array_split(np.arange(lo, hi), 3)[0]
    local = full_batch_grads(first[0], first[-1] + 1) * (len(first) / (hi - lo))
    np.testing.assert_allclose(res[0]["no_sync_local"], local, rtol=1e-10, atol=1e-14)  # no communication
    for r in range(n):
        np.testing.assert_allclose(res[r]["grads_no_sync"], full, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("kind,opt", [("mlp", "sgd"), ("mlp", "adam"), ("cnn", "sgd"), ("cnn", "adam")])
def test_ddp_training_matches_one_process_on_the_global_batch(suite, kind, opt):
    n, res = suite
    X, y = W.data(kind)
    m = W.cnn() if kind == "cnn" else W.mlp()
    W.train_steps(m, W.optimizer(opt, m), X, y, 0, W.GLOBAL_BATCH, 1)
    ref = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    tol = dict(rtol=1e-10, atol=1e-12) if kind == "mlp" else dict(rtol=2e-4, atol=2e-5)
    for r in range(n):
        np.testing.assert_allclose(res[r][f"train_{kind}_{opt}"], ref, **tol)
        # every rank holds identical parameters after every step
        assert res[r][f"spread_{kind}_{opt}"].shape == (W.STEPS,)
        assert (res[r][f"spread_{kind}_{opt}"] == 0).all()


def test_ddp_unused_parameters(suite):
    n, res = suite
    X, _ = W.data("mlp")
    m = W.TwoHeads().double()
    m(ng.tensor(X[:W.GLOBAL_BATCH])).sum().backward()
    full = np.concatenate([p.grad.numpy().ravel() for p in m.used.parameters()]) / n  # local sums, averaged
    for r in range(n):
        np.testing.assert_allclose(res[r]["unused_grads"], full, rtol=1e-12)
        assert res[r]["unused_zero"].all()  # find_unused_parameters: zeros, averaged like the rest
        assert "Expected to have finished reduction" in str(res[r]["unused_error"])
        assert "find_unused_parameters=True" in str(res[r]["unused_error"])


def test_ddp_broadcasts_rank0_parameters_and_names_mismatched_ranks(suite):
    n, res = suite
    ng.manual_seed(1000)
    rank0 = np.concatenate([p.detach().numpy().ravel() for p in nn.Linear(3, 2).parameters()])
    for r in range(n):
        np.testing.assert_array_equal(res[r]["wrapped"], rank0)
        msg = str(res[r]["mismatch"])
        assert "differ across ranks" in msg and f"rank(s) {n - 1}" in msg, msg
        assert "(2, 3)" in msg and "(3, 3)" in msg, msg


# ------------------------------------------------------------------------------------ the sampler
@pytest.mark.parametrize("n,world,shuffle,drop_last,seed,epoch", [
    (23, 2, True, False, 0, 0), (23, 3, True, False, 5, 2), (23, 3, True, True, 5, 2),
    (10, 4, False, False, 0, 0), (10, 4, False, True, 0, 0), (3, 5, True, False, 1, 1),
    (1000, 3, True, False, 2**32 + 7, 3)])
def test_distributed_sampler_matches_torch(n, world, shuffle, drop_last, seed, epoch):
    torch = pytest.importorskip("torch")
    from torch.utils.data.distributed import DistributedSampler as TorchSampler

    parts = []
    for r in range(world):
        ours = DistributedSampler(range(n), num_replicas=world, rank=r, shuffle=shuffle, seed=seed,
                                  drop_last=drop_last)
        theirs = TorchSampler(range(n), num_replicas=world, rank=r, shuffle=shuffle, seed=seed,
                              drop_last=drop_last)
        ours.set_epoch(epoch)
        theirs.set_epoch(epoch)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)
        parts.append(list(ours))
    covered = sorted(i for p in parts for i in p)
    if drop_last:  # disjoint
        assert len(set(covered)) == len(covered)
    else:  # every index, padded to a multiple of the world size
        assert set(covered) == set(range(n)) and len(covered) == -(-n // world) * world
    assert torch is not None


def test_torch_randperm_matches_torch():
    torch = pytest.importorskip("torch")
    for n, seed in ((0, 0), (1, 3), (7, 0), (500, 123)):
        g = torch.Generator()
        g.manual_seed(seed)
        np.testing.assert_array_equal(torch_randperm(n, seed), torch.randperm(n, generator=g).numpy())


def test_sampler_defaults_come_from_the_group(suite):
    n, res = suite
    for r in range(n):
        s = DistributedSampler(range(23), num_replicas=n, rank=r, seed=5)
        s.set_epoch(2)
        np.testing.assert_array_equal(res[r]["sampler"], list(s))


def test_sampler_errors():
    with pytest.raises(ValueError, match="Invalid rank"):
        DistributedSampler(range(4), num_replicas=2, rank=2)


# ------------------------------------------------------------------------------- fit on 2 ranks
@pytest.fixture(scope="module")
def fit_runs(tmp_path_factory):
    return {scenario: shared_job(tmp_path_factory, 2, scenario) for scenario in ("fit", "fit-resume")}


def test_fit_on_ddp_ranks_agree_and_rank0_reports_and_checkpoints(fit_runs):
    out, stdout = fit_runs["fit"]
    h0, h1 = (json.loads((out / f"fit-rank{r}.json").read_text()) for r in range(2))
    assert h0 == h1  # losses and metrics reduced over the ranks: the same History everywhere
    assert h0[0]["epochs"] == 3 and h0[0]["history"]["loss"][-1] < h0[0]["history"]["loss"][0]
    np.testing.assert_array_equal(np.load(out / "fit-rank0.npy"), np.load(out / "fit-rank1.npy"))
    assert stdout.count("Epoch 1/3") == 1 and stdout.count("Epoch 3/3") == 1  # rank 0 only
    assert (out / "ckpt.ngz").exists()


def test_fit_resume_on_ddp_ranks_continues_as_if_never_stopped(fit_runs):
    out, _ = fit_runs["fit"]
    out2, stdout = fit_runs["fit-resume"]
    np.testing.assert_array_equal(np.load(out2 / "fit-rank0.npy"), np.load(out / "fit-rank0.npy"))
    whole = json.loads((out / "fit-rank0.json").read_text())[0]
    resumed = json.loads((out2 / "fit-rank0.json").read_text())[1]
    assert resumed["history"] == whole["history"]
    assert stdout.count("Epoch 3/3") == 1 and "Epoch 1/3" not in stdout


def test_fit_resume_with_another_world_size_is_a_clear_error(fit_runs, tmp_path):
    out, _ = fit_runs["fit"]
    ckpt = tmp_path / "ckpt.ngz"
    shutil.copy(out / "ckpt.ngz", ckpt)
    X, y = W.data("mlp")
    from netgrad.train import fit

    class Wrapped(nn.Module):  # the checkpoint's keys carry DDP's 'module.' prefix
        def __init__(self):
            super().__init__()
            self.module = W.mlp()

        def forward(self, x):
            return self.module(x)

    model = Wrapped()
    with pytest.raises(ValueError, match=r"written by a job of 2 process\(es\), this job has 1"):
        fit(model, nn.CrossEntropyLoss(), W.optimizer("sgd", model), (X, y), epochs=4, verbose=0,
            checkpoint=ckpt)


# ---------------------------------------------------------------------------------------- faults
@pytest.mark.parametrize("how", ["raise", "kill"])
def test_a_failing_rank_stops_every_rank(tmp_path, how):
    p = run_job(2, how, tmp_path, timeout=60)  # a hang would raise TimeoutExpired here
    assert p.returncode != 0
    if how == "raise":
        assert "rank 1 of 2 failed with RuntimeError: injected failure" in p.stderr, p.stderr
        assert "[rank 1] Traceback" in p.stderr


def test_missing_mpi4py_names_the_extra(monkeypatch):
    from netgrad.distributed import _mpi

    monkeypatch.setattr(_mpi, "_MPI", None)
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    with pytest.raises(ImportError, match=r"netgrad\[distributed\]"):
        _mpi.mpi()
    assert not _mpi.available()


def test_uninitialized_group_errors():
    import netgrad.distributed as dist

    assert not dist.is_initialized()
    with pytest.raises(ValueError, match="has not been initialized"):
        dist.get_rank()
    with pytest.raises(ValueError, match="has not been initialized"):
        dist.all_reduce(ng.zeros(2))
    with pytest.raises(ValueError, match="backend='mpi'"):
        dist.init_process_group("gloo")
    with pytest.raises(ValueError, match="has not been initialized"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2))


# ---------------------------------------------------------------------------------- the CLI
def test_cli_nproc_2_trains_digits_like_one_process(tmp_path, capsys):
    from netgrad.cli import main

    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    args = ["train", "--data", "digits", "--epochs", "4", "--limit", "900", "-q"]
    # the same global batch: 2 processes x 32 against 1 x 64
    cmd = [sys.executable, "-m", "netgrad", *args, "--batch-size", "32", "--nproc", "2", "--out",
           str(tmp_path / "two")]
    two = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, cwd=str(tmp_path))
    assert two.returncode == 0, two.stdout + two.stderr
    assert two.stdout.count("netgrad: test") == 1  # rank 0 alone reports
    assert main([*args, "--batch-size", "64", "--out", str(tmp_path / "one")]) == 0
    acc = [json.loads((tmp_path / k / "metrics.json").read_text())["test"]["accuracy"]
           for k in ("one", "two")]
    # the two runs shuffle differently (DistributedSampler vs one loader): a few test samples apart
    assert acc[1] > 0.9 and abs(acc[0] - acc[1]) < 0.06, acc
    hist = json.loads((tmp_path / "two" / "history.json").read_text())
    assert hist["epochs"] == 4 and hist["history"]["loss"][-1] < hist["history"]["loss"][0]
    assert "nproc = 2" in (tmp_path / "two" / "config.toml").read_text()
    # resuming on another number of processes: a clear error before any process starts
    capsys.readouterr()
    assert main(["train", "--resume", str(tmp_path / "two"), "--epochs", "5", "--nproc", "3"]) == 1
    assert "trained on 2 (--nproc 2)" in capsys.readouterr().err


def test_cli_names_a_rank_killed_by_a_signal(tmp_path):
    from netgrad.cli._distributed import _dead_rank

    (tmp_path / "rank1.pid").write_text("4242")
    mpich = ("=   BAD TERMINATION OF ONE OF YOUR APPLICATION PROCESSES\n=   PID 4242 RUNNING AT vm\n"
             "=   EXIT CODE: 9\n=   CLEANING UP REMAINING PROCESSES\n")
    assert _dead_rank(mpich, tmp_path) == "rank 1 (PID 4242 on vm) ended with exit code 9"
    ompi = "prterun noticed that process rank 1 with PID 4242 on node vm exited on\nsignal 9 (Killed)."
    assert _dead_rank(ompi, tmp_path) == "rank 1 was killed by signal 9"
    # MPICH's exit codes (job_command asks for them): one rank ended, so the report stands
    assert _dead_rank(mpich + "[mpiexec@vm] Exit codes: [vm] 0,9\n", tmp_path).startswith("rank 1 ")
    # the launcher killed rank 0 too before reporting (seen under load): its pick is not trusted
    (tmp_path / "rank0.pid").write_text("4241")
    race = mpich.replace("4242", "4241") + "[mpiexec@vm] Exit codes: [vm] 9,9\n"
    assert _dead_rank(race, tmp_path) == (
        "more than one rank ended abnormally (exit codes by rank, per machine: vm 9, 9); the launcher "
        "ends the rest once one fails, so which failed first is not known")


def test_the_launchers_exit_code_line_is_kept_but_not_shown(tmp_path, capsys):
    """MPICH prints every rank's exit code (asked for by job_command) even on success: the relay
    keeps it for the parser and hides it from the user, also when it arrives in pieces."""
    from netgrad.cli._distributed import run_relayed

    script = tmp_path / "launcher.py"
    script.write_text(
        "import sys, time\n"
        "for part in ('epoch 1\\n[mpiexec@', 'vm] Exit codes: [vm] 0,', '0\\n', 'done\\n'):\n"
        "    sys.stdout.write(part); sys.stdout.flush(); time.sleep(0.05)\n")
    code, seen = run_relayed([sys.executable, str(script)])
    assert code == 0
    assert "".join(seen) == "epoch 1\n[mpiexec@vm] Exit codes: [vm] 0,0\ndone\n"
    assert capsys.readouterr().out == "epoch 1\ndone\n"


def test_the_launchers_own_report_of_a_killed_rank_is_read(tmp_path):
    """A real job whose rank 1 is killed by SIGKILL: what the launcher prints (MPICH: on stdout)
    reaches the parser that names the rank."""
    from netgrad.cli._distributed import _dead_rank, job_command, run_relayed

    script = tmp_path / "die.py"
    script.write_text(
        "import os, signal, sys, time\n"
        "from mpi4py import MPI\n"
        "r = MPI.COMM_WORLD.Get_rank()\n"
        "open(os.path.join(sys.argv[1], f'rank{r}.pid'), 'w').write(str(os.getpid()))\n"
        "MPI.COMM_WORLD.Barrier()\n"
        "if r == 1:\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "time.sleep(30)\n")
    code, seen = run_relayed(job_command(2, [sys.executable, str(script), str(tmp_path)]))
    assert code != 0
    died = _dead_rank("".join(seen), tmp_path)
    # MPICH under load may have killed rank 0 itself before it reports: then it says so (9, 9)
    assert died is not None and (died.startswith("rank 1 ") or "9, 9)" in died), "".join(seen)


def test_mpiexec_command_flags(tmp_path, monkeypatch):
    from netgrad.distributed import launch

    monkeypatch.setattr(launch, "mpi_flavour", lambda exe: "openmpi")
    cmd = launch.mpiexec_command(3, ["python", "x.py"], mpiexec="mpiexec")
    assert "--oversubscribe" in cmd and cmd[-4:] == ["-n", "3", "python", "x.py"]
    assert ("--allow-run-as-root" in cmd) == (os.geteuid() == 0)
    hosts = tmp_path / "hosts"
    hosts.write_text("a slots=2\nb slots=2\n")
    cmd = launch.mpiexec_command(2, ["p"], hostfile=hosts, mpiexec="m")
    assert cmd[cmd.index("--hostfile") + 1] == str(hosts)
    monkeypatch.setattr(launch, "mpi_flavour", lambda exe: "mpich")
    cmd = launch.mpiexec_command(2, ["p"], hostfile=hosts, mpiexec="m")
    assert cmd == ["m", "-f", str(hosts), "-n", "2", "p"]
    with pytest.raises(FileNotFoundError, match="hostfile"):
        launch.mpiexec_command(2, ["p"], hostfile=tmp_path / "none", mpiexec="m")
