"""The git challenge's tester: one function per stage slug of challenge.yaml.

The learner's program is run once per command (``./your_program.sh cat-file -p <sha>``...)
in a folder the tester prepared. Every object the program reads was made by real git, and
everything it writes is judged by real git (``git fsck``, ``git cat-file``, ``git log``);
the test suite runs this tester against real git itself, which must pass every stage.
"""

from __future__ import annotations

from crack.harness import Harness
from crack.tester import Tester

from .basics import cat_file, hash_object, init
from .clone import clone_stage
from .commits import commit_tree
from .trees import ls_tree, ls_tree_names, write_tree

tester = Tester("git")

tester.stage("init")(init)
tester.stage("cat-file")(cat_file)
tester.stage("hash-object")(hash_object)
tester.stage("ls-tree-names")(ls_tree_names)
tester.stage("ls-tree")(ls_tree)
tester.stage("write-tree")(write_tree)
tester.stage("commit-tree")(commit_tree)


@tester.stage("clone")
def clone(h: Harness) -> None:
    clone_stage(h, deltas=False)


@tester.stage("clone-deltas")
def clone_deltas(h: Harness) -> None:
    clone_stage(h, deltas=True)
