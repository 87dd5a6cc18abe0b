"""The isolation modes, and grading a plan under the one it names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crack.errors import CrackUsageError

if TYPE_CHECKING:
    from crack.grading import GradingPlan, Reporter
    from crack.report import RunReport

ISOLATIONS = ("none", "namespace", "docker")
"""none: limits, user and environment only; namespace: plus Linux namespaces and a
read-only filesystem; docker: the grading in a container of the learner's language."""


def grade_isolated_plan(plan: GradingPlan, reporter: Reporter, language: str = "python") -> RunReport:
    """Grade ``plan`` under ``plan.isolation``; usage errors say how to fall back."""
    from crack.grading import grade

    if plan.isolation == "none":
        return grade(plan, reporter)
    from crack.containment.remote import grade_isolated, spec_for
    from crack.containment.sandbox import SANDBOX_USER, default_user

    if plan.isolation == "namespace":
        from crack.containment.namespace import NamespaceLauncher, NamespaceUnavailable, check_available

        try:
            check_available()
        except NamespaceUnavailable as exc:
            raise CrackUsageError(f"--isolation namespace: {exc}") from None
        spec = spec_for(plan, user=default_user(), writable=[])
        return grade_isolated(plan, reporter, NamespaceLauncher(), spec)
    if plan.isolation == "docker":
        if plan.challenge.containment.run_as == "root":
            raise CrackUsageError(
                f"--isolation docker: {plan.challenge.slug} runs your program as root on the machine "
                f"({plan.challenge.containment.reason}), which a container cannot give: "
                "use --isolation none or namespace"
            )
        from crack.containment.docker_mode import DockerLauncher, DockerUnavailable

        try:
            launcher = DockerLauncher.prepare(language, plan)
        except DockerUnavailable as exc:
            raise CrackUsageError(f"--isolation docker: {exc}") from None
        # The program runs as an unprivileged user in the container too: no cgroup can be
        # made in there, so its process limit is a per-user one, which the tester (root in
        # the container) must not share.
        spec = spec_for(plan, user=SANDBOX_USER, writable=[])
        return grade_isolated(plan, reporter, launcher, spec)
    raise CrackUsageError(f"unknown isolation '{plan.isolation}' (choose from {', '.join(ISOLATIONS)})")
