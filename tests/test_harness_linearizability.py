"""The linearizability checker against histories whose verdict is known, the classic
tricky ones included, and the witness it shows for a violation."""

from __future__ import annotations

import random

from crack.harness.linearizability import (
    Kind,
    Operation,
    Outcome,
    QueueCall,
    QueueKind,
    check,
    check_key,
    check_queue,
    first_violation,
)


def put(client: str, start: float, end: float | None, value: str, key: str = "x") -> Operation:
    return Operation(client, Kind.PUT, key, start, end, value=value)


def get(client: str, start: float, end: float | None, value: str | None, key: str = "x") -> Operation:
    return Operation(client, Kind.GET, key, start, end, value=value)


def cas(
    client: str, start: float, end: float | None, old: str | None, new: str, ok: bool, key: str = "x"
) -> Operation:
    return Operation(client, Kind.CAS, key, start, end, value=new, expected=old, ok=ok)


def outcome(*ops: Operation) -> Outcome:
    return check_key("x", ops).outcome


def test_a_sequential_history_is_linearizable() -> None:
    assert (
        outcome(
            put("c1", 0, 1, "1"), get("c1", 2, 3, "1"), cas("c1", 4, 5, "1", "2", True), get("c2", 6, 7, "2")
        )
        is Outcome.LINEARIZABLE
    )


def test_a_read_of_a_missing_key_before_any_write() -> None:
    assert outcome(get("c1", 0, 1, None), put("c1", 2, 3, "1")) is Outcome.LINEARIZABLE
    assert outcome(put("c1", 0, 1, "1"), get("c1", 2, 3, None)) is Outcome.VIOLATION


def test_a_read_overlapping_a_write_may_see_either_value() -> None:
    assert outcome(put("c1", 0, 1, "0"), put("c1", 2, 5, "1"), get("c2", 3, 4, "0")) is Outcome.LINEARIZABLE
    assert outcome(put("c1", 0, 1, "0"), put("c1", 2, 5, "1"), get("c2", 3, 4, "1")) is Outcome.LINEARIZABLE


def test_a_stale_read_after_the_write_returned_is_a_violation() -> None:
    assert outcome(put("c1", 0, 1, "0"), put("c1", 2, 3, "1"), get("c2", 4, 5, "0")) is Outcome.VIOLATION


def test_new_then_old_during_a_slow_write_is_a_violation() -> None:
    """The classic inversion: both reads overlap the write, but once one read has seen the
    new value, a read that starts after it ends may not see the old one."""
    history = (put("c1", 0, 1, "0"), put("c1", 2, 10, "1"), get("c2", 3, 4, "1"), get("c3", 5, 6, "0"))
    assert outcome(*history) is Outcome.VIOLATION
    assert outcome(history[0], history[1], history[3], get("c2", 7, 8, "1")) is Outcome.LINEARIZABLE


def test_a_value_nobody_wrote_is_a_violation() -> None:
    assert outcome(put("c1", 0, 1, "1"), get("c2", 2, 3, "7")) is Outcome.VIOLATION


def test_a_timed_out_write_may_or_may_not_have_happened() -> None:
    assert (
        outcome(put("c1", 0, 1, "0"), put("c2", 2, None, "1"), get("c3", 5, 6, "1")) is Outcome.LINEARIZABLE
    )
    assert (
        outcome(put("c1", 0, 1, "0"), put("c2", 2, None, "1"), get("c3", 5, 6, "0")) is Outcome.LINEARIZABLE
    )
    # ...but once seen it has happened: a later read cannot see the value before it.
    seen_then_lost = (
        put("c1", 0, 1, "0"),
        put("c2", 2, None, "1"),
        get("c3", 5, 6, "1"),
        get("c3", 7, 8, "0"),
    )
    assert outcome(*seen_then_lost) is Outcome.VIOLATION


def test_a_timed_out_write_cannot_take_effect_before_it_was_sent() -> None:
    assert outcome(get("c1", 0, 1, "1"), put("c2", 2, None, "1")) is Outcome.VIOLATION


def test_two_compare_and_sets_from_the_same_value_cannot_both_win() -> None:
    base = put("c1", 0, 1, "0")
    assert (
        outcome(base, cas("c2", 2, 5, "0", "a", True), cas("c3", 2, 5, "0", "b", True)) is Outcome.VIOLATION
    )
    assert (
        outcome(base, cas("c2", 2, 5, "0", "a", True), cas("c3", 2, 5, "0", "b", False))
        is Outcome.LINEARIZABLE
    )


def test_a_failed_compare_and_set_is_a_read() -> None:
    assert outcome(put("c1", 0, 1, "0"), cas("c2", 2, 3, "0", "1", False)) is Outcome.VIOLATION
    assert outcome(put("c1", 0, 1, "0"), cas("c2", 2, 3, "5", "1", False)) is Outcome.LINEARIZABLE


def test_keys_are_checked_apart() -> None:
    history = [
        put("c1", 0, 1, "1", key="a"),
        get("c2", 2, 3, "1", key="a"),
        put("c1", 0, 1, "2", key="b"),
        get("c2", 2, 3, None, key="b"),
    ]
    verdicts = check(history)
    assert [(v.key, v.outcome) for v in verdicts] == [("a", Outcome.LINEARIZABLE), ("b", Outcome.VIOLATION)]


def test_the_witness_is_the_smallest_impossible_part_and_reads_well() -> None:
    history = [put("c1", 0, 1, "0")]
    history += [get(f"c{i}", 1 + i, 1.5 + i, "0") for i in range(2, 8)]
    history += [put("c1", 9, 10, "1"), get("c2", 11, 12, "1"), get("c3", 13, 14, "0")]
    history += [put("c1", 20, 21, "2"), get("c2", 22, 23, "2")]
    verdict = first_violation(history)
    assert verdict is not None
    assert [op.describe() for op in verdict.witness] == [
        "put 'x' = \"0\"",
        "put 'x' = \"1\"",
        "get 'x' -> \"0\"",
    ]
    assert verdict.describe() == (
        "key 'x': no order of these operations, each taking effect at one moment between its "
        "invocation and its return, explains what they returned:\n"
        "  client  operation       invoked   returned\n"
        "  c1      put 'x' = \"0\"   0.000 s   1.000 s\n"
        "  c1      put 'x' = \"1\"   9.000 s   10.000 s\n"
        "  c3      get 'x' -> \"0\"  13.000 s  14.000 s"
    )


def test_a_timed_out_operation_is_shown_as_such() -> None:
    verdict = first_violation(
        [put("c1", 0, 1, "0"), put("c2", 2, None, "1"), get("c3", 5, 6, "1"), get("c3", 7, 8, "0")]
    )
    assert verdict is not None
    assert "never (timed out)" in verdict.describe()


def test_a_search_past_its_budget_gives_no_verdict() -> None:
    history = [put(f"c{i}", 0, 100, str(i)) for i in range(12)] + [get("r", 101, 102, "nobody wrote this")]
    assert check_key("x", history, budget=50).outcome is Outcome.UNKNOWN


def test_a_busy_concurrent_history_built_linearizable_is_found_so() -> None:
    """A register driven by 5 clients at once, each operation applied at a random instant
    inside its interval: linearizable by construction."""
    rng = random.Random(7)
    history, value = [], None
    events = []
    for client in range(5):
        t = 0.0
        for _ in range(12):
            start = t + rng.random()
            end = start + rng.random() * 3
            events.append((rng.uniform(start, end), f"c{client}", start, end, rng.choice("pgc")))
            t = end
    for at, client, start, end, kind in sorted(events):
        if kind == "p":
            value = str(rng.randrange(3))
            history.append(put(client, start, end, value))
        elif kind == "g":
            history.append(get(client, start, end, value))
        else:
            old = str(rng.randrange(3))
            won = old == value
            history.append(cas(client, start, end, old, "n" + str(at), won))
            value = "n" + str(at) if won else value
    assert check_key("x", history).outcome is Outcome.LINEARIZABLE


def test_memoisation_decides_what_trying_every_order_could_not() -> None:
    """9 concurrent puts, then a read no order explains: 9! = 362,880 orders to try, but only
    2^9 sets of operations placed, times 10 values, to remember."""
    history = [put(f"c{i}", 0, 100, str(i)) for i in range(9)] + [get("r", 101, 102, "nobody wrote this")]
    assert check_key("x", history, budget=6_000).outcome is Outcome.VIOLATION


def enq(client: str, start: float, end: float | None, value: str, ok: bool = True) -> QueueCall:
    return QueueCall(client, QueueKind.ENQUEUE, start, end, value=value, ok=ok)


def deq(client: str, start: float, end: float | None, value: str | None) -> QueueCall:
    return QueueCall(client, QueueKind.DEQUEUE, start, end, value=value, ok=value is not None)


def test_the_queue_model_takes_the_oldest_item_first() -> None:
    assert check_queue([enq("a", 0, 1, "x"), enq("b", 2, 3, "y"), deq("c", 4, 5, "x")]).outcome is (
        Outcome.LINEARIZABLE
    )
    # y was enqueued after x had returned: it cannot come out first.
    verdict = check_queue([enq("a", 0, 1, "x"), enq("b", 2, 3, "y"), deq("c", 4, 5, "y")])
    assert verdict.outcome is Outcome.VIOLATION


def test_overlapping_enqueues_may_come_out_in_either_order() -> None:
    assert check_queue([enq("a", 0, 3, "x"), enq("b", 1, 4, "y"), deq("c", 5, 6, "y")]).outcome is (
        Outcome.LINEARIZABLE
    )


def test_empty_is_a_result_like_any_other() -> None:
    """An "empty" while an item that was enqueued before is still there is a violation;
    while the enqueue is still running, it is not."""
    assert check_queue([enq("a", 0, 1, "x"), deq("b", 2, 3, None)]).outcome is Outcome.VIOLATION
    assert check_queue([enq("a", 0, 5, "x"), deq("b", 2, 3, None)]).outcome is Outcome.LINEARIZABLE
    assert check_queue([deq("b", 0, 1, None), enq("a", 2, 3, "x")]).outcome is Outcome.LINEARIZABLE


def test_a_bounded_queue_refuses_only_when_full() -> None:
    full = [enq("a", 0, 1, "x"), enq("b", 2, 3, "y", ok=False)]
    assert check_queue(full, capacity=1).outcome is Outcome.LINEARIZABLE
    assert check_queue(full, capacity=2).outcome is Outcome.VIOLATION
    assert check_queue(full).outcome is Outcome.VIOLATION


def test_a_call_with_no_known_result_may_or_may_not_have_happened() -> None:
    assert check_queue([enq("a", 0, None, "x"), deq("b", 2, 3, "x")]).outcome is Outcome.LINEARIZABLE
    assert check_queue([enq("a", 0, None, "x"), deq("b", 2, 3, None)]).outcome is Outcome.LINEARIZABLE
    assert check_queue([enq("a", 0, 1, "x"), deq("b", 0, None, None), deq("c", 2, 3, None)]).outcome is (
        Outcome.LINEARIZABLE
    )


def test_the_queue_witness_keeps_only_what_the_impossibility_needs() -> None:
    """The items nobody took, the empty results that do not matter and everything after
    the first impossible return are left out; the table shows the rest in call order."""
    history = [
        deq("3", 0, 4, None),  # empty before anything: fine, and not needed
        enq("1", 5, 10, "x"),
        enq("2", 20, 30, "y"),
        enq("2", 32, 34, "z"),  # nobody takes z
        deq("3", 40, 50, "y"),  # x was there first: impossible from here
        deq("3", 60, 70, "x"),
        enq("1", 80, 90, "w"),
    ]
    verdict = check_queue(history)
    assert verdict.outcome is Outcome.VIOLATION
    assert [(op.client, op.describe()) for op in verdict.witness] == [
        ("1", "enqueue(x) -> true"),
        ("2", "enqueue(y) -> true"),
        ("3", "dequeue() -> true, y"),
    ]
    assert verdict.describe(unit="µs", scale=1000).splitlines() == [
        "  thread  call                   invoked  returned",
        "  1       enqueue(x) -> true    0.005 µs  0.010 µs",
        "  2       enqueue(y) -> true    0.020 µs  0.030 µs",
        "  3       dequeue() -> true, y  0.040 µs  0.050 µs",
    ]


def test_random_sequential_queue_histories_are_linearizable() -> None:
    rng = random.Random(7)
    for _ in range(50):
        queue: list[str] = []
        calls: list[QueueCall] = []
        for t in range(12):
            if rng.random() < 0.5:
                queue.append(f"v{t}")
                calls.append(enq(str(rng.randrange(3)), 2 * t, 2 * t + 1, f"v{t}"))
            else:
                calls.append(deq(str(rng.randrange(3)), 2 * t, 2 * t + 1, queue.pop(0) if queue else None))
        assert check_queue(calls).outcome is Outcome.LINEARIZABLE
