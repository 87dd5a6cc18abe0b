"""crack: build real systems from scratch, graded locally as black boxes."""

__version__ = "0.1.0"


def _take_sigint_early() -> None:
    """When crack runs as the command, count a Ctrl-C from its very first line (see
    :mod:`crack.interrupts`): one during the imports must not end in a traceback."""
    import sys

    if sys.argv and (sys.argv[0] == "-m" or sys.argv[0].rsplit("/", 1)[-1] == "crack"):
        from crack import interrupts

        interrupts.install()


_take_sigint_early()
