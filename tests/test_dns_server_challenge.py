"""Tests of the dns-server challenge beyond those every challenge gets (tests/test_challenges.py)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from crack.authoring.scenarios import grade_silently, load_scenarios
from crack.authoring.solutions import materialize
from crack.challenge import load_challenge
from crack.harness.net import free_port
from crack.tester import load_tester

CHALLENGE = load_challenge("dns-server")
TESTER = load_tester(CHALLENGE)
PACKAGE = "crack_challenges.dns_server.tester"


def _module(name: str) -> ModuleType:
    return sys.modules[f"{PACKAGE}.{name}"]


def test_stages_in_order() -> None:
    assert CHALLENGE.stage_slugs == [
        "bind", "header", "question", "a-records", "record-types", "nxdomain", "compression",
        "forwarding", "truncation",
    ]  # fmt: skip


def test_oracle_is_bind_through_the_adapter() -> None:
    assert CHALLENGE.oracle is not None
    assert CHALLENGE.oracle.requires == ["named"]
    assert "oracle/run.py" in CHALLENGE.oracle.command


def test_starter_fails_the_first_stage_with_a_clear_message(tmp_path: Path) -> None:
    program = materialize(CHALLENGE, "python", None, tmp_path / "starter")
    report = grade_silently(CHALLENGE, program, until="bind")
    stage = report.stages[0]
    assert stage.status.value == "failed"
    assert "before it bound UDP port" in stage.message
    assert "Logs from your program will appear here!" in stage.message


def test_a_response_without_the_echoed_id_fails_the_header_stage_with_a_hint(tmp_path: Path) -> None:
    scenario = next(s for s in load_scenarios(CHALLENGE) if s.name == "id-not-echoed")
    program = scenario.build(CHALLENGE, tmp_path / "program")
    report = grade_silently(CHALLENGE, program, until="header")
    assert [s.status.value for s in report.stages] == ["passed", "failed"]
    header = report.stages[1]
    assert "the response's ID is 0" in header.message
    assert "Query sent over UDP" in header.message and "Response received (12 bytes)" in header.message
    assert header.hint is not None and "copy the query's ID" in header.hint


def test_unusual_but_correct_programs_are_kept() -> None:
    passing = {s.name for s in load_scenarios(CHALLENGE) if s.spec.fails_at is None}
    assert {"slow-start", "noisy-logs", "shuffled-answers", "tcp-in-pieces", "partial-truncation"} <= passing


def test_blind_spots_have_a_broken_program_each() -> None:
    fails_at = {s.name: s.spec.fails_at for s in load_scenarios(CHALLENGE)}
    assert {
        "zone-check-case-sensitive": "forwarding",
        "waits-for-upstream-inline": "forwarding",
        "tcp-one-recv-per-query": "truncation",
        "follows-every-pointer": "compression",
    }.items() <= fails_at.items()


def test_every_stage_has_a_broken_scenario() -> None:
    failing = {s.spec.fails_at for s in load_scenarios(CHALLENGE)}
    assert set(CHALLENGE.stage_slugs) <= failing


# --- the wire diagnostics ------------------------------------------------------------------


def test_diagnose_names_a_wrong_rdlength() -> None:
    wire = _module("wire")
    import dns.message
    import dns.rrset

    query = dns.message.make_query("host.example.test.", "A")
    response = dns.message.make_response(query)
    response.answer.append(dns.rrset.from_text("host.example.test.", 60, "IN", "A", "10.0.0.1"))
    data = bytearray(response.to_wire())
    data[-6:-4] = (8).to_bytes(2, "big")  # RDLENGTH 8 instead of 4
    problem = wire.diagnose(bytes(data))
    assert problem is not None and "RDLENGTH is 8" in problem.message


def test_diagnose_names_a_forward_pointer() -> None:
    wire = _module("wire")
    data = bytes.fromhex("123481800001000000000000") + b"\x04host\xc0\x20\x00\x01\x00\x01"
    problem = wire.diagnose(data)
    assert problem is not None and "points to offset 32" in problem.message


def test_diagnose_accepts_a_pointer_into_the_header() -> None:
    wire = _module("wire")
    import dns.name

    query = wire.query_bytes(0x1234, dns.name.from_text("host.example.test."), 1, name_end=b"\xc0\x04")
    assert wire.diagnose(query) is None


# --- dig, the real client, against the reference (and BIND) ---------------------------------


def _wait_for_udp(port: int, process: subprocess.Popen[bytes]) -> None:
    import dns.message
    import dns.query

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            dns.query.udp(dns.message.make_query("probe.invalid.", "A"), "127.0.0.1", port=port, timeout=0.2)
            return
        except Exception:
            time.sleep(0.05)
    raise AssertionError(f"nothing answered on UDP port {port}")


@contextmanager
def _serve(command: list[str], port: int, zone: Path) -> Iterator[None]:
    process = subprocess.Popen(
        [*command, "--port", str(port), "--zone", str(zone)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for_udp(port, process)
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _dig(port: int, *query: str) -> tuple[str, set[str]]:
    """dig's header line and its answer records (as set of 'name ttl class type data')."""
    out = subprocess.run(
        ["dig", "@127.0.0.1", "-p", str(port), "+noedns", "+nocookie", "+norecurse", "+tries=1",
         "+time=2", *query],
        capture_output=True, text=True, timeout=15, check=True,
    ).stdout  # fmt: skip
    header = next(line for line in out.splitlines() if "->>HEADER<<-" in line)
    flags = next(line for line in out.splitlines() if line.startswith(";; flags:"))
    answers: set[str] = set()
    section = None
    for line in out.splitlines():
        if line.startswith(";; ") and "SECTION" in line:
            section = line
        elif line and not line.startswith(";") and section == ";; ANSWER SECTION:":
            answers.add(" ".join(line.split()).lower())
    return f"{header}\n{flags}", answers


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _module("zone").make_zone(random.Random(20), tmp_path_factory.mktemp("zone"))


@pytest.fixture(scope="module")
def reference_port(tmp_path_factory: pytest.TempPathFactory, zone: Any) -> Iterator[int]:
    final = CHALLENGE.stage_slugs[-1]
    program = materialize(CHALLENGE, "python", final, tmp_path_factory.mktemp("ref") / "program")
    port = free_port(udp=True)
    with _serve([str(program / "your_program.sh")], port, zone.path):
        yield port


needs_dig = pytest.mark.skipif(shutil.which("dig") is None, reason="dig is not installed (dnsutils)")


@needs_dig
def test_dig_gets_the_zones_a_records_from_the_reference(zone: Any, reference_port: int) -> None:
    name = zone.multi_a
    header, answers = _dig(reference_port, str(name), "A")
    assert "status: NOERROR" in header and " aa" in header
    expected = {f"{name} {r.ttl} in a {r.rdata}".lower() for r in zone.answer(name, 1).records}
    assert len(expected) >= 3 and answers == expected


@needs_dig
def test_dig_sees_the_cname_chain_and_nxdomain_of_the_reference(zone: Any, reference_port: int) -> None:
    www = zone.chain[0]
    header, answers = _dig(reference_port, str(www), "A")
    assert "status: NOERROR" in header
    assert {line.split()[3] for line in answers} == {"cname", "a"} and len(answers) == 3
    missing = zone.absent_name(random.Random(1))
    header, answers = _dig(reference_port, str(missing), "A")
    assert "status: NXDOMAIN" in header and answers == set()


@needs_dig
def test_dig_retries_a_truncated_answer_over_tcp(zone: Any, reference_port: int) -> None:
    big = zone.big_a
    _, answers = _dig(reference_port, "+ignore", str(big), "A")  # +ignore: show the UDP answer
    _, full = _dig(reference_port, str(big), "A")  # dig sees TC and asks over TCP
    assert len(full) == len(zone.records(big, 1))
    assert len(answers) < len(full)


@needs_dig
@pytest.mark.skipif(shutil.which("named") is None, reason="the oracle (named) is not installed")
def test_dig_gets_the_same_answers_from_the_reference_and_from_bind(zone: Any, reference_port: int) -> None:
    oracle = [sys.executable, str(CHALLENGE.directory / "oracle" / "run.py")]
    port = free_port(udp=True)
    questions = [
        (str(zone.multi_a), "A"),
        (str(zone.chain[0]), "AAAA"),
        (str(zone.origin), "MX"),
        (str(zone.txt_multi), "TXT"),
    ]
    with _serve(oracle, port, zone.path):
        for question in questions:
            assert _dig(reference_port, *question)[1] == _dig(port, *question)[1], question
