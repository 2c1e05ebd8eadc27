"""netgrad explain on finite inputs whose forward pass overflows float64: one error line, exit 2, no
NumPy warnings and no trace of inf/NaN."""

from __future__ import annotations

import pytest

from netgrad.cli import main


@pytest.mark.parametrize("extra", [[], ["--json"], ["--activation", "linear"]])
def test_overflowing_forward_pass_is_one_error_line(capsys, extra):
    rc = main(["explain", "--layers", "2,2,1", "--x", "1e308,1e308", "--y", "1", *extra])
    out, err = capsys.readouterr()
    assert rc == 2 and out == ""
    assert "overflows float64" in err and "--x 1e308,1e308" in err
    assert "Warning" not in err and len(err.strip().splitlines()) == 1


def test_large_but_representable_inputs_still_trace(capsys):
    rc = main(["explain", "--layers", "2,2,1", "--x", "1e3,-1e3", "--y", "1"])
    out, err = capsys.readouterr()
    assert rc == 0 and "agrees" in out and "nan" not in out.lower()
