"""What a Lox program should print: the reference interpreter, run in-process.

There is no packaged Lox to grade against, so the challenge's Python reference is the
oracle. ``oracle/lox.py`` is the reference's last stage, byte for byte (the test suite
checks that), written to jlox's rules: its token, tree and value formats, its error
messages and its exit codes. It is loaded here under a private name, and its ``print``
statement is wrapped to note which source line wrote each line of output, so a failure
can point at the line of the program that printed the first wrong line.
"""

from __future__ import annotations

import importlib.util
import io
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

ORACLE = Path(__file__).resolve().parent.parent / "oracle" / "lox.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("crack_interpreter_oracle", ORACLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    original = module.Interpreter.visit_print

    def visit_print(self: Any, stmt: Any) -> None:
        out = self.lox.out
        if isinstance(out, LineTracker):
            out.source_line = stmt.keyword.line
        original(self, stmt)

    module.Interpreter.visit_print = visit_print
    return module


class LineTracker(io.StringIO):
    """stdout that remembers, for each line written, the source line that wrote it."""

    def __init__(self) -> None:
        super().__init__()
        self.source_line = 1
        self.lines: list[int] = []

    def write(self, text: str) -> int:
        self.lines.extend([self.source_line] * text.count("\n"))
        return super().write(text)


LOX = _load()


@dataclass(frozen=True)
class Expected:
    stdout: str
    stderr: str
    returncode: int
    output_lines: tuple[int, ...]
    """For each line of stdout, the line of the program it comes from."""

    def source_line_of_output(self, index: int) -> int:
        if index < len(self.output_lines):
            return self.output_lines[index]
        return self.output_lines[-1] if self.output_lines else 1


def expected(command: str, source: str) -> Expected:
    out, err = LineTracker(), io.StringIO()
    code = LOX.run(command, source, out, err)
    lines = out.lines
    if command == "tokenize":
        tokens = LOX.Scanner(source, LOX.Lox(io.StringIO(), io.StringIO())).scan_tokens()
        lines = [token.line for token in tokens]
    return Expected(out.getvalue(), err.getvalue(), int(code), tuple(lines))
