"""crack grade --dask: the same grading function, run as tasks on a real Dask cluster.

A scheduler and two workers start on loopback; a batch graded through them gets the same
verdicts as the same batch graded on local threads, and the tasks really ran on the workers.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import REDIS
from crack.authoring.scenarios import load_scenarios
from crack.schemas import schema_errors

UNTIL = "concurrent-clients"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the Dask scheduler exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"the Dask scheduler did not listen on {port} in {seconds} s")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``tcp://127.0.0.1:PORT``: a scheduler and two one-thread workers, all on loopback."""
    from distributed import Client

    base = tmp_path_factory.mktemp("dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--dashboard-address",
                ":0",
                "--no-show",
            ],
            cwd=base,
            **quiet,
        )
    ]
    try:
        _wait_for_port(port, processes[0])
        for index in range(2):
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "distributed.cli.dask_worker",
                        address,
                        "--host",
                        "127.0.0.1",
                        "--nthreads",
                        "1",
                        "--nworkers",
                        "1",
                        "--no-dashboard",
                        "--name",
                        f"worker-{index}",
                        "--local-directory",
                        str(base / f"worker-{index}"),
                    ],
                    cwd=base,
                    **quiet,
                )
            )
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    from crack.authoring.solutions import materialize

    base = tmp_path_factory.mktemp("subs")
    scenarios = {s.name: s for s in load_scenarios(REDIS)}
    return [
        str(materialize(REDIS, "python", UNTIL, base / "correct")),
        str(materialize(REDIS, "python", "ping", base / "stops-at-ping")),
        str(scenarios["one-client-at-a-time"].build(REDIS, base / "one-at-a-time")),
        str(base / "missing"),
    ]


def _grade(tmp_path: Path, name: str, submissions: list[str], *extra: str) -> dict[str, Any]:
    out = tmp_path / f"{name}.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "crack",
            "grade",
            *submissions,
            "--challenge",
            "redis",
            "--until",
            UNTIL,
            "--seed",
            "11",
            "--format",
            "json",
            "--output",
            str(out),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.returncode == 1, done.stderr  # 1: the missing submission could not be graded
    batch: dict[str, Any] = json.loads(out.read_text())
    assert schema_errors(batch, "batch") == []
    return batch


def _verdicts(batch: dict[str, Any]) -> list[tuple[str, str | None, list[str]]]:
    return [
        (entry["name"], entry["error"], [stage["status"] for stage in entry["stages"]])
        for entry in batch["submissions"]
    ]


@pytest.mark.slow
def test_dask_cluster_grades_with_the_same_verdicts_as_local(
    cluster: str, submissions: list[str], tmp_path: Path
) -> None:
    from distributed import Client

    local = _grade(tmp_path, "local", submissions, "--jobs", "2")
    on_dask = _grade(tmp_path, "dask", submissions, "--dask", cluster)
    assert on_dask["executor"] == f"dask {cluster}" and local["executor"] == "local (2 jobs)"
    assert _verdicts(on_dask) == _verdicts(local)
    assert _verdicts(local) == [
        ("correct", None, ["passed"] * 4),
        ("stops-at-ping", None, ["passed", "passed", "failed", "skipped"]),
        ("one-at-a-time", None, ["passed", "passed", "passed", "failed"]),
        ("missing", f"{submissions[3]}: no such folder", ["skipped"] * 4),
    ]
    # Messages match too: the same function graded each submission, only elsewhere.
    for ours, theirs in zip(local["submissions"], on_dask["submissions"], strict=True):
        assert [s["message"] for s in ours["stages"]] == [s["message"] for s in theirs["stages"]]
    # The tasks ran on the cluster's workers, and on both of them.
    with Client(cluster, timeout=30) as client:
        executed = client.run(lambda dask_worker: dask_worker.state.executed_count)
    assert sum(executed.values()) == len(submissions), executed
    assert all(count > 0 for count in executed.values()), executed


@pytest.mark.slow
def test_unreachable_scheduler_is_a_plain_error(submissions: list[str]) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "crack",
            "grade",
            submissions[0],
            "--challenge",
            "redis",
            "--dask",
            f"tcp://127.0.0.1:{_free_port()}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1", "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "3s"},
    )
    assert done.returncode == 2, done.stderr
    assert "--dask: cannot reach the Dask scheduler at tcp://127.0.0.1:" in done.stderr
    assert "Traceback" not in done.stderr
