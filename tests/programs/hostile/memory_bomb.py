"""Allocates memory without end (and touches it), before ever listening."""

hoard = []
while True:
    hoard.append(bytearray(16 * 1024 * 1024))
