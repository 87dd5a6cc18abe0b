"""crack: build real systems from scratch, graded locally as black boxes."""

__version__ = "0.1.0"
