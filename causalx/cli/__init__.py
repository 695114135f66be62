"""The ``causalx`` command line (thin: parse, call the public API, render)."""
