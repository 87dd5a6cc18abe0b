"""Tools for challenge authors: reference solutions as diffs, scenario programs, goldens."""
