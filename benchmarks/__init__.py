"""netgrad's benchmark suite: ``python -m benchmarks.run`` (``make bench``); see README.md here."""
