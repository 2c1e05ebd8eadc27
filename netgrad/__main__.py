"""``python -m netgrad``: the same as the ``netgrad`` command."""

from netgrad.cli import main

raise SystemExit(main())
