"""Prints a line and exits with code 3 before listening."""

import sys

print("starting up... oops")
sys.exit(3)
