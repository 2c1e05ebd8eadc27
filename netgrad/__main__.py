"""``python -m netgrad``: the same as the ``netgrad`` command."""

from netgrad.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
