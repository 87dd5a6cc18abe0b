"""What a learner of one language reads never hands them another language's code.

Every challenge's pages, hints, debriefs, interview questions and failure hints are read
by learners of all its languages: they are written language-neutrally, or carry one
variant per language (crack.variants), and a learner sees only their own. Python is the
language most text was first written for, so the checks look for its idioms in what a
learner of every other language reads.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from crack.authoring.solutions import fallback_note, reference_language
from crack.challenge import list_challenges, load_challenge
from crack.challenge.model import Challenge
from crack.errors import ConfigError
from crack.variants import LANGUAGES, display_name, for_language, pick, variant_groups

ROOT = Path(__file__).resolve().parents[1]

PYTHON_IDIOMS: dict[str, str] = {
    "recv(": r"\brecv(from)?\(",
    "sendall": r"\bsendall\b",
    "print(": r"\bprint\(",
    "str.": r"\bstr\.|\bstr\b(?! ?\})",
    "bytes literal": r"(?:(?<=[\s`(=,+\[])|^)b[\"'](?![\s,)])",
    "raw string literal": r"(?:(?<=[\s`(=,+\[])|^)r[\"'](?![\s,)])",
    "bytes/bytearray type": r"\bbytearray\b|\bbytes object\b|\bbytes, not str\b",
    "def ": r"\bdef \w",
    "import ": r"^\s*(from \w+ )?import \w|\bimport \w+(\.\w+)*$",
    ".encode(": r"\.encode\(",
    ".decode(": r"\.decode\(",
    "self.": r"\bself\.",
    "asyncio": r"\basyncio\b",
    "socketserver": r"\bsocketserver\b|\bThreadingHTTPServer\b|\bBaseHTTPRequestHandler\b|\bhttp\.server\b",
    "with open(": r"\bwith open\(|\bopen\(path",
    "Python": r"\bPython\b",
    ".py file": r"\w\.py\b",
    # not inside a hyphenated header name (If-None-Match)
    "None/True/False": r"(?<!-)\b(None|True|False)\b(?!-)",
    "struct.pack": r"\bstruct\.(un)?pack",
    "sys.": r"\bsys\.(argv|stdout|stdin|stderr|exit)",
    "threading": r"\bthreading\b",
    "json.loads": r"\bjson\.(loads|dumps)\b",
    "time.time": r"\btime\.(time|monotonic|sleep)\(",
    "socket.": r"\bsocket\.(socket|create_server|inet_\w+|AF_\w+|send|sendall|recv)\b",
    "zlib.": r"\bzlib\.(compress|decompress\w*)\b",
    "hashlib": r"\bhashlib\b",
    "urllib": r"\burllib\b",
    "Python exceptions": r"\b(ValueError|IndexError|KeyError|ConnectionResetError|UnicodeDecodeError|"
    r"OSError|TypeError|ModuleNotFoundError)\b",
    "isinstance": r"\bisinstance\(",
    "dict": r"\bdict\b",
    "argparse": r"\bargparse\b",
    "selectors": r"\bselectors\b",
    "os.": r"\bos\.(path\.)?\w+\(",
    "gzip.compress": r"\bgzip\.(de)?compress\b",
    "builtins": r"\b(range|sorted|enumerate|isinstance|bytes\.fromhex|int\.from_bytes)\(|\.items\(\)|"
    r"\bstring\.ascii_\w+|\.hexdigest\(",
    "slice": r"\w\[[\w+ -]*:[\w+ -]*\]",
    "list comprehension": r"\bfor \w+ in \w+\b.*\]|\byield from\b",
    "except": r"\bexcept [A-Z]\w*(Error|Exception)\b|\bexcept \w+ as \w",
}
_IDIOMS = {name: re.compile(pattern, re.MULTILINE) for name, pattern in PYTHON_IDIOMS.items()}


# Idioms Python shares with another language: not an error in that language's own text.
_ALSO_IN: dict[str, set[str]] = {"bytes literal": {"rust"}, "raw string literal": {"rust"}}


def python_idioms(text: str, language: str = "") -> list[str]:
    """The Python idioms found in ``text`` (read by a learner of ``language``), each with
    the line it is on."""
    found = []
    for name, pattern in _IDIOMS.items():
        if language in _ALSO_IN.get(name, set()):
            continue
        for match in pattern.finditer(text):
            start = text.rfind("\n", 0, match.start()) + 1
            end = text.find("\n", match.end())
            found.append(f"{name}: {text[start : end if end >= 0 else len(text)].strip()!r}")
    return found


def test_a_header_name_holding_none_is_not_python() -> None:
    assert python_idioms("GET with If-None-Match: <tag> is 304") == []
    assert python_idioms("the lookup returns None") != []


def _builtin_challenges() -> list[Challenge]:
    return [c for c in list_challenges() if c.directory.parent == ROOT / "challenges"]


def _learners() -> Iterator[tuple[str, str]]:
    for challenge in _builtin_challenges():
        for language in challenge.languages:
            if language != "python":
                yield challenge.slug, language


def what_the_learner_reads(challenge: Challenge, language: str) -> Iterator[tuple[str, str]]:
    """(where, text) for everything a learner of ``language`` is shown about the challenge."""
    yield "summary", challenge.summary
    for stage in challenge.stages:
        yield f"stages/{stage.slug}.md", challenge.instructions(stage, language)
        for index, hint in enumerate(stage.hints_for(language)):
            yield f"{stage.slug}: hints[{index}]", hint
        for index, question in enumerate(stage.interview_for(language)):
            yield f"{stage.slug}: interview[{index}]", question
        concepts = stage.concepts.for_language(language)
        for field in ("pattern", "data_structure", "algorithm"):
            yield f"{stage.slug}: concepts.{field}", getattr(concepts, field)


@pytest.mark.parametrize(("slug", "language"), list(_learners()))
def test_no_python_idiom_reaches_another_language(slug: str, language: str) -> None:
    challenge = load_challenge(slug)
    problems = [
        f"{where}: {idiom}"
        for where, text in what_the_learner_reads(challenge, language)
        for idiom in python_idioms(text, language)
    ]
    assert not problems, f"a {language} learner of {slug} reads Python:\n" + "\n".join(problems)


@pytest.mark.parametrize("slug", [c.slug for c in _builtin_challenges()])
def test_language_variants_cover_every_language(slug: str) -> None:
    """Where a page shows code per language, every language of the challenge has its block
    (the YAML's per-language texts are checked by the loader): all seven for a challenge
    taken in all seven, C and C++ for one taken in those two."""
    challenge = load_challenge(slug)
    wanted = set(challenge.languages)
    for stage in challenge.stages:
        for group in variant_groups(challenge.instructions(stage)):
            have = {block.language for block in group}
            assert have >= wanted, (
                f"{slug} stages/{stage.slug}.md line {group[0].line + 1}: "
                f"no variant for {', '.join(sorted(wanted - have))}"
            )


def test_the_pages_use_variants_where_code_differs() -> None:
    """The mechanism is in use: at least one page shows a block per language, and each
    learner sees exactly one of them."""
    seen = 0
    for challenge in _builtin_challenges():
        for stage in challenge.stages:
            page = challenge.instructions(stage)
            for group in variant_groups(page):
                if {b.language for b in group} == set(LANGUAGES):
                    seen += 1
                    for language in LANGUAGES:
                        shown = variant_groups(for_language(page, language))
                        assert all(len(g) == 1 and g[0].language == language for g in shown)
    assert seen >= 1


# --- failure hints written by the testers ----------------------------------------------------
_FILE_WRITES = {"write", "write_text", "write_bytes"}


def _learner_strings(path: Path) -> Iterator[tuple[int, str]]:
    """The string constants of a tester module that can reach a learner: all but
    docstrings and the contents of files the tester writes, f-strings joined."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))
        if (
            isinstance(node, ast.Dict)
            and node.keys
            and all(isinstance(key, ast.Constant) and key.value in LANGUAGES for key in node.keys)
        ):  # a table of one text per language: each learner reads only their own
            skip.update(id(sub) for value in node.values for sub in ast.walk(value))
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _FILE_WRITES:  # a file's content, not text shown to the learner
                skip.update(id(sub) for arg in node.args for sub in ast.walk(arg))
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            skip.update(id(part) for part in node.values)
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            yield node.lineno, str(text)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and " " in node.value.strip():
            yield node.lineno, node.value  # prose, not a key, a command or a byte pattern


def _tester_files() -> Iterator[Path]:
    for challenge in _builtin_challenges():
        if len(challenge.languages) > 1:
            yield from sorted((challenge.directory / "tester").glob("*.py"))
    yield ROOT / "runner/crack/harness/hints.py"


# Idioms a tester may name in its text: the programs it starts or the wire format it checks.
_TESTER_ALLOWED = {"None/True/False", "dict", "Python exceptions", "bytes literal", "raw string literal"}


@pytest.mark.parametrize("path", list(_tester_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_failure_hints_are_language_neutral(path: Path) -> None:
    problems = []
    for line, text in _learner_strings(path):
        for idiom in python_idioms(text):
            if idiom.split(":", 1)[0] not in _TESTER_ALLOWED:
                problems.append(f"line {line}: {idiom}")
    assert not problems, f"{path.relative_to(ROOT)}:\n" + "\n".join(problems)


# --- the filter and the YAML variants --------------------------------------------------------
PAGE = """\
# Stage

Send the reply:

```python
conn.sendall(b"+PONG\\r\\n")
```

```go
conn.Write([]byte("+PONG\\r\\n"))
```

::: python
Your code goes in `app/main.py`.
:::

::: go
Your code goes in `app/main.go`.
:::

```text
::: go
not a div: inside a code block
```
"""


def test_a_learner_sees_only_their_languages_blocks() -> None:
    go = for_language(PAGE, "go")
    assert 'conn.Write([]byte("+PONG\\r\\n"))' in go and "```go" in go
    assert "sendall" not in go and "main.py" not in go
    assert "Your code goes in `app/main.go`." in go and "\n:::\n" not in go.split("```text")[0]
    assert "::: go\nnot a div" in go  # a code block's content is left alone
    python = for_language(PAGE, "python")
    assert "sendall" in python and "main.go" not in python and "[]byte" not in python
    groups = variant_groups(PAGE)
    assert [[(b.language, b.kind) for b in g] for g in groups] == [
        [("python", "code"), ("go", "code")],
        [("python", "prose"), ("go", "prose")],
    ]


def test_fence_tags_are_matched_by_their_usual_names() -> None:
    page = "```golang\nA\n```\n\n```c++\nB\n```\n\n```js\nC\n```\n"
    assert "A" in for_language(page, "go") and "B" not in for_language(page, "go")
    assert "B" in for_language(page, "cpp") and "C" in for_language(page, "javascript")


def test_a_yaml_text_can_be_given_per_language() -> None:
    assert pick("same for all", "go") == "same for all"
    assert pick({"python": "p", "go": "g"}, "go") == "g"


def _seven(prefix: str) -> dict[str, str]:
    return {language: f"{prefix} in {language}" for language in LANGUAGES}


def test_a_per_language_text_must_cover_the_challenges_languages(
    fake_challenges: Callable[..., Path],
) -> None:
    folder = fake_challenges("vary", [{"slug": "one"}], "from crack.tester import Tester\n")
    config = folder / "challenge.yaml"
    data = yaml.safe_load(config.read_text())
    data["languages"] = list(LANGUAGES)
    data["stages"][0]["hints"] = [_seven("hint"), "plain"]
    config.write_text(yaml.safe_dump(data))
    stage = load_challenge("vary").stages[0]
    assert stage.hints_for("rust") == ["hint in rust", "plain"]
    data["stages"][0]["hints"] = [{"python": "p", "go": "g"}]
    config.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError) as error:
        load_challenge("vary")
    assert "challenge.yaml" in error.value.message
    assert "hints[0]: no text for javascript, c, cpp, rust, java" in error.value.message
    data["stages"][0]["hints"] = [{**_seven("x"), "cobol": "y"}]
    config.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match="cobol is not a language"):
        load_challenge("vary")


# --- through the CLI ---------------------------------------------------------------------------
def _learner_repo(root: Path, challenge: str, language: str, passed: list[str]) -> Path:
    root.mkdir()
    stage = passed[-1] if passed else load_challenge(challenge).stages[0].slug
    (root / "crack.yml").write_text(
        yaml.safe_dump({"challenge": challenge, "stage": stage, "language": language})
    )
    (root / ".crack").mkdir()
    progress: dict[str, Any] = {
        "version": 1,
        "unlocked": stage,
        "passed": {slug: "2026-01-01T00:00:00Z" for slug in passed},
    }
    (root / ".crack" / "progress.json").write_text(json.dumps(progress))
    return root


def test_task_hint_and_debrief_show_the_learners_variant(
    crack: Callable[..., Any], fake_challenges: Callable[..., Path], tmp_path: Path
) -> None:
    folder = fake_challenges("vary", [{"slug": "one"}], "from crack.tester import Tester\n")
    data = yaml.safe_load((folder / "challenge.yaml").read_text())
    data["languages"] = list(LANGUAGES)
    data["stages"][0]["hints"] = [_seven("hint")]
    data["stages"][0]["concepts"]["algorithm"] = _seven("algorithm")
    (folder / "challenge.yaml").write_text(yaml.safe_dump(data))
    (folder / "stages" / "one.md").write_text(
        "# One\n\n" + "\n".join(f"```{lang}\ncode in {lang}\n```\n" for lang in LANGUAGES)
    )
    repo = _learner_repo(tmp_path / "learner", "vary", "rust", [])
    task = crack(["task"], cwd=repo)
    assert task.exit_code == 0 and "code in rust" in task.output, task.output
    assert "code in python" not in task.output and "code in go" not in task.output
    hint = crack(["hint"], cwd=repo)
    assert hint.exit_code == 0 and "hint in rust" in hint.output and "in python" not in hint.output

    from rich.console import Console

    from crack.views import show_debrief

    console = Console(record=True, width=200)
    challenge = load_challenge("vary")
    show_debrief(console, challenge, challenge.stages[0], "java")
    assert "algorithm in java" in console.export_text()


# --- crack solution in a language without its own reference ------------------------------------
def _with_reference(folder: Path, language: str, text: str) -> None:
    stages = folder.parent.parent / "reference_solutions" / folder.name / language / "stages"
    stages.mkdir(parents=True, exist_ok=True)
    (stages / "one.diff").write_text(text)


def test_solution_falls_back_to_the_python_reference_with_a_note(
    crack: Callable[..., Any], fake_challenges: Callable[..., Path], tmp_path: Path
) -> None:
    folder = fake_challenges("vary", [{"slug": "one"}], "from crack.tester import Tester\n")
    _with_reference(folder, "python", "--- a/app/main.py\n+++ b/app/main.py\n+python reference line\n")
    repo = _learner_repo(tmp_path / "learner", "vary", "go", ["one"])
    result = crack(["solution"], cwd=repo)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "No Go reference yet; showing the Python one."
    assert "python reference line" in result.output

    _with_reference(folder, "go", "--- a/app/main.go\n+++ b/app/main.go\n+go reference line\n")
    result = crack(["solution"], cwd=repo)
    assert result.exit_code == 0 and "go reference line" in result.output
    assert "No Go reference" not in result.output and "python reference line" not in result.output


def test_solution_without_python_falls_back_to_the_first_language(
    crack: Callable[..., Any], fake_challenges: Callable[..., Path], tmp_path: Path
) -> None:
    """A challenge taken in C and C++ only, with a C reference: a C++ learner sees the C one."""
    folder = fake_challenges(
        "native", [{"slug": "one"}], "from crack.tester import Tester\n", "languages: [c, cpp]\n"
    )
    _with_reference(folder, "c", "--- a/app/main.c\n+++ b/app/main.c\n+c reference line\n")
    repo = _learner_repo(tmp_path / "learner", "native", "cpp", ["one"])
    result = crack(["solution"], cwd=repo)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "No C++ reference yet; showing the C one."
    assert "c reference line" in result.output


def test_every_challenge_shows_a_reference_to_every_learner() -> None:
    for challenge in _builtin_challenges():
        for language in challenge.languages:
            shown = reference_language(challenge, language)
            assert (ROOT / "reference_solutions" / challenge.slug / shown / "stages").is_dir()
            if shown != language:
                assert shown == ("python" if "python" in challenge.languages else challenge.languages[0])
                note = fallback_note(language, shown)
                assert note.startswith("No ") and note.endswith(f"showing the {display_name(shown)} one.")


def test_solution_into_writes_the_fallback_reference(
    crack: Callable[..., Any], fake_challenges: Callable[..., Path], tmp_path: Path
) -> None:
    folder = fake_challenges("vary", [{"slug": "one"}], "from crack.tester import Tester\n")
    stages = folder.parent.parent / "reference_solutions" / "vary" / "python" / "stages"
    stages.mkdir(parents=True)
    (stages / "one.diff").write_text(
        "diff --git a/reference.txt b/reference.txt\nnew file mode 100644\n--- /dev/null\n"
        "+++ b/reference.txt\n@@ -0,0 +1 @@\n+the python reference\n"
    )
    repo = _learner_repo(tmp_path / "learner", "vary", "c", ["one"])
    result = crack(["solution", "--into", str(tmp_path / "out")], cwd=repo)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("No C reference yet; showing the Python one.\n")
    assert (tmp_path / "out" / "reference.txt").read_text() == "the python reference\n"


def test_a_go_learner_starts_with_go_instructions(crack: Callable[..., Any], tmp_path: Path) -> None:
    """Through the CLI, on a real challenge: the first page names the Go entry file only."""
    result = crack(["start", "redis", "r", "--lang", "go"], cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "app/main.go" in result.output
    assert "main.py" not in result.output and "Python" not in result.output
    task = crack(["task"], cwd=tmp_path / "r")
    assert "app/main.go" in task.output and "src/main.rs" not in task.output
