#!/bin/sh
# The C library's own malloc: runs the program with nothing preloaded.
exec "$@"
