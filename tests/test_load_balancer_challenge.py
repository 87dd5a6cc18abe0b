"""Tests of the load-balancer challenge beyond those every challenge gets (tests/test_challenges.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

from crack.authoring.scenarios import grade_silently, load_scenarios
from crack.authoring.solutions import materialize
from crack.challenge import load_challenge
from crack.report import RunReport, StageStatus
from crack.tester import load_tester

CHALLENGE = load_challenge("load-balancer")


def _edited_reference(tmp_path: Path, upto: str, old: str, new: str) -> Path:
    """The reference as of ``upto`` with one edit in app/main.py (a broken balancer)."""
    program = materialize(CHALLENGE, "python", upto, tmp_path / "program")
    main = program / "app" / "main.py"
    text = main.read_text()
    assert text.count(old) == 1, f"the reference as of {upto} no longer contains {old!r}"
    main.write_text(text.replace(old, new))
    return program


def _first_failure(report: RunReport) -> tuple[str, str]:
    stage = next(s for s in report.stages if s.status is not StageStatus.PASSED)
    return stage.slug, stage.message


def test_stages_in_order() -> None:
    assert CHALLENGE.stage_slugs == [
        "forward", "round-robin", "concurrent-clients", "health-checks", "weighted",
        "least-connections", "sticky-sessions", "all-backends-down", "config-reload",
    ]  # fmt: skip


def test_oracle_is_haproxy_behind_the_adapter() -> None:
    assert CHALLENGE.oracle is not None
    assert CHALLENGE.oracle.requires == ["haproxy"]
    assert "oracle/run.py" in CHALLENGE.oracle.command


def test_unusual_but_correct_programs_are_kept() -> None:
    passing = {s.name for s in load_scenarios(CHALLENGE) if s.spec.fails_at is None}
    assert {"slow-start", "random-start-smooth-weights", "small-writes-noisy-logs"} <= passing


def test_failing_backends_have_a_broken_program_per_stage() -> None:
    """Refused, hanging and dead backends, and bad reloads: each mistake fails where it is made."""
    fails_at = {s.name: s.spec.fails_at for s in load_scenarios(CHALLENGE)}
    assert {
        "closes-when-backend-refuses": "forward",
        "check-without-timeout": "health-checks",
        "weighted-ignores-health": "weighted",
        "least-connections-ignores-health": "least-connections",
        "reload-checks-old-backends": "config-reload",
        "reload-dies-on-invalid-config": "config-reload",
    }.items() <= fails_at.items()


def test_starter_fails_the_first_stage_with_a_clear_message(tmp_path: Path) -> None:
    program = materialize(CHALLENGE, "python", None, tmp_path / "starter")
    report = grade_silently(CHALLENGE, program, until=CHALLENGE.stage_slugs[0])
    stage = report.stages[0]
    assert stage.slug == "forward"
    assert stage.status is StageStatus.FAILED
    assert "exited with code 0 before it accepted connections on port" in stage.message


def test_a_balancer_that_keeps_sending_to_a_dead_backend_fails_health_checks(tmp_path: Path) -> None:
    """Health checks run, but the choice ignores them: the crashed backend keeps getting traffic."""
    program = _edited_reference(
        tmp_path,
        "health-checks",
        "candidates = [b for b in self.backends if b.healthy] or self.backends",
        "candidates = self.backends",
    )
    report = grade_silently(CHALLENGE, program, until="health-checks")
    slug, message = _first_failure(report)
    assert slug == "health-checks", message
    # It names the backend, and how long after its death it still got a request.
    pattern = r"backend b2 stopped answering .*still received a request \d+\.\d\d s later"
    assert re.search(pattern, message), message
    assert "should have left the pool within 1.00 s" in message


def test_responses_mixed_up_between_clients_are_caught(tmp_path: Path) -> None:
    """The request being forwarded lives in a global: concurrent clients overwrite each other's."""
    program = _edited_reference(
        tmp_path,
        "concurrent-clients",
        """            head, body = request
            forward(conn, balancer.choose(), head, body)""",
        """            global current
            current = request
            backend = balancer.choose()
            time.sleep(0.01)  # any pause here lets another client overwrite `current`
            head, body = current
            forward(conn, backend, head, body)""",
    )
    main = program / "app" / "main.py"
    main.write_text("import time\n" + main.read_text())
    report = grade_silently(CHALLENGE, program, until="concurrent-clients")
    slug, message = _first_failure(report)
    assert slug == "concurrent-clients", message
    assert "mixed up between concurrent clients" in message, message


def test_the_config_file_is_real_yaml() -> None:
    """What the tester writes in its YAML subset means the same to a full YAML parser."""
    load_tester(CHALLENGE)  # imports the tester package and its modules
    Backend = sys.modules["crack_challenges.load_balancer.tester.backends"].Backend
    config_module = sys.modules["crack_challenges.load_balancer.tester.config"]
    HealthCheck, LbConfig = config_module.HealthCheck, config_module.LbConfig
    b1, b2 = Backend("b1"), Backend("b2")
    try:
        config = LbConfig(
            "weighted", [b1, b2], weights={"b1": 3}, health=HealthCheck(path="/healthz"), sticky_cookie="SID"
        )
        data = yaml.safe_load(config.render("a comment"))
    finally:
        b1.close()
        b2.close()
    assert data == {
        "algorithm": "weighted",
        "backends": [
            {"name": "b1", "host": "127.0.0.1", "port": b1.port, "weight": 3},
            {"name": "b2", "host": "127.0.0.1", "port": b2.port},
        ],
        "health_check": {
            "path": "/healthz",
            "interval_ms": 100,
            "timeout_ms": 500,
            "unhealthy_threshold": 2,
            "healthy_threshold": 2,
        },
        "sticky": {"cookie": "SID"},
    }
