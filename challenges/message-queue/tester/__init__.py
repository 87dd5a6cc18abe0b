"""The message-queue challenge's tester: one function per stage slug of challenge.yaml.

The program is a TCP server (``--port N --data-dir D``) speaking beanstalk's protocol
(client.py), so beanstalkd itself is the oracle. Delivery is at-least-once, so the checks
compare sets of jobs and the order of one producer's jobs, and check invariants (nothing
lost, nothing handed to two consumers at once, ids never reused or going back), never one
exact interleaving. Time bounds (TTR, delays) are wide: a lower bound a correct server
cannot break, an upper bound seconds later.
"""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import greenstalk
import redis

from crack.harness import Harness, ProgramProcess, StageFailure, WriteMode
from crack.tester import Tester

from .client import PRI, Client, Job, hinted, short
from .resp import Reply, RespClient, RespError, brief, library_client

tester = Tester("message-queue")

WORDS = ["order", "invoice", "email", "resize", "refund", "report", "ping", "sync", "audit", "export"]
EARLY_SLACK = 0.6
"""Seconds by which a job may come back before its TTR or delay has run out, on crack's
clock (the program's clock and the network's latency differ a little)."""


def data_dir(h: Harness, name: str = "data") -> Path:
    folder = h.scratch / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def start(h: Harness, folder: Path | None = None) -> tuple[int, ProgramProcess]:
    port = h.free_port()
    process = h.start_server(["--port", str(port), "--data-dir", str(folder or data_dir(h))], port)
    return port, process


def body(h: Harness, tag: str = "") -> bytes:
    word = h.random.choice(WORDS)
    return f"{word}{tag}:{h.random.randrange(10**6):06d}".encode()


def tube_name(h: Harness, base: str) -> str:
    return f"{base}.{h.random.choice(['eu', 'us', 'ap'])}-{h.random.randrange(1000):03d}"


def check_ids(ids: list[int], what: str) -> None:
    for before, after in itertools.pairwise(ids):
        if after <= before:
            raise StageFailure(
                f"{what}: job ids {before} then {after}\n  expected each new job's id to be greater than "
                "every id handed out before it",
                "keep one counter for the whole server, start it at 1 and add one per put",
            )


def expect_job(c: Client, job: Job | None, want: Job, sent: str, hint: str | None = None) -> None:
    got = "TIMED_OUT" if job is None else f"RESERVED {job.id} {len(job.body)} (body {short(job.body)})"
    if job != want:
        raise StageFailure(
            f"{c.name} sent {sent}\n"
            f"  expected RESERVED {want.id} {len(want.body)} (body {short(want.body)})\n"
            f"       got {got}",
            hint,
        )


# --- 1 -----------------------------------------------------------------------------------
@tester.stage("put-reserve")
def put_reserve(h: Harness) -> None:
    port, _ = start(h)
    c = Client(h, port, "client 1")
    c.reserve_none(0, hint="an empty queue answers reserve-with-timeout 0 with TIMED_OUT at once")
    bodies = [
        body(h),
        b"a body with spaces in it",
        b"two lines\r\ninside one body",
        f"{h.data.non_ascii_word()} {h.data.non_ascii_word()}".encode(),
        b"",
        h.data.long_text(50_000).encode()[:50_000],
    ]
    ids = [c.put(b) for b in bodies]
    check_ids(ids, "six puts")
    want = [Job(i, b) for i, b in zip(ids, bodies, strict=True)]
    for job in want:
        got = c.reserve(0)
        expect_job(
            c,
            got,
            job,
            "reserve-with-timeout 0",
            "jobs come out in the order they were put (first in, first out); a body is exactly the "
            "bytes the put announced, read by its byte count: it may hold spaces and \\r\\n",
        )
    c.reserve_none(0, hint="a reserved job is handed to nobody else until it is deleted")
    for job in want:
        c.delete(job.id)
    c.delete(ids[0], expected="NOT_FOUND", hint="a deleted job is gone: deleting it again answers NOT_FOUND")
    c.delete(ids[-1] + 1000, expected="NOT_FOUND", hint="an id that was never handed out answers NOT_FOUND")

    first, second = c.put(body(h)), c.put(body(h))
    job = c.reserve_job(0)
    c.delete(job.id)
    job2 = c.reserve_job(0, hint="the second job is still ready after the first was reserved and deleted")
    if (job.id, job2.id) != (first, second):
        raise StageFailure(
            f"client 1 reserved jobs {job.id} then {job2.id}\n"
            f"  expected {first} then {second} (the order of their puts)"
        )
    c.delete(job2.id)

    bodies = [body(h, f"-{n}") for n in range(60)]
    ids = c.put_many(bodies)
    check_ids(ids, "60 pipelined puts")
    h.log("Reserving and deleting all 60, in one write each…")
    c.conn.send(b"reserve-with-timeout 0\r\n" * 60)
    replies = [c.reserved("reserve-with-timeout 0", quiet=True) for _ in range(60)]
    want = [Job(i, b) for i, b in zip(ids, bodies, strict=True)]
    for index, (g, w) in enumerate(zip(replies, want, strict=True)):
        if g != w:
            expect_job(
                c,
                g,
                w,
                f"reserve-with-timeout 0 (the {index + 1}th of 60 in one write)",
                "handle every complete command in what you read, in order, before reading again",
            )
    c.conn.send(b"".join(f"delete {i}\r\n".encode() for i in ids))
    for i in ids:
        reply = c.read(f"delete {i}", quiet=True)
        if reply.line != "DELETED":
            raise c.mismatch(f"delete {i}", "DELETED", reply)
    h.log("All 60 came back in order and were deleted.")


# --- 2 -----------------------------------------------------------------------------------
@tester.stage("tubes")
def tubes(h: Harness) -> None:
    port, _ = start(h)
    orders, emails = tube_name(h, "orders"), tube_name(h, "emails")
    producer = Client(h, port, "producer")
    producer.expect(
        f"use {orders}", f"USING {orders}", hint="use <tube> answers USING <tube>, the tube's name"
    )
    order_jobs = [Job(producer.put(b), b) for b in (body(h, "-o") for _ in range(3))]
    producer.expect(f"use {emails}", f"USING {emails}")
    email_jobs = [Job(producer.put(b), b) for b in (body(h, "-e") for _ in range(3))]
    check_ids([j.id for j in order_jobs + email_jobs], "puts in two tubes")

    mail = Client(h, port, "mail worker")
    mail.expect(
        f"watch {emails}",
        "WATCHING 2",
        hint="a new connection watches the tube named default; watch adds one, and the reply "
        "counts the watched tubes",
    )
    mail.expect(
        "ignore default",
        "WATCHING 1",
        hint="ignore removes a tube from the watch list and answers with the count left",
    )
    mail.expect(
        f"ignore {emails}",
        "NOT_IGNORED",
        hint="a connection must watch at least one tube: ignoring the last one answers NOT_IGNORED",
    )
    for job in email_jobs:
        expect_job(
            mail,
            mail.reserve(0),
            job,
            "reserve-with-timeout 0",
            "reserve hands out jobs only from the tubes this connection watches, oldest first",
        )
    mail.reserve_none(0, hint=f"the jobs of {orders} are not for a connection that watches only {emails}")

    other = Client(h, port, "worker 2")
    other.reserve_none(0, hint="a new connection watches only default, and nothing was put there")
    other.expect(f"watch {orders}", "WATCHING 2")
    other.expect(f"watch {orders}", "WATCHING 2", hint="watching a tube already watched changes nothing")
    for job in order_jobs:
        expect_job(other, other.reserve(0), job, "reserve-with-timeout 0")

    plain = Client(h, port, "client 4")
    job = Job(plain.put(body(h, "-d")), b"")
    h.log("client 4 never sent use: its job goes to the tube named default.")
    mail.reserve_none(0, hint="use is per connection: a connection that never sent use puts into default")
    got = other.reserve_job(
        0, hint="a connection that never sent use puts into default, which worker 2 still watches"
    )
    if got.id != job.id:
        raise StageFailure(
            f"worker 2 reserved job {got.id}\n  expected job {job.id}, put by client 4 into default"
        )
    for j in [*email_jobs]:
        mail.delete(j.id, quiet=True)
    for j in [*order_jobs, got]:
        other.delete(j.id, quiet=True)

    h.log("Several tubes, random puts, each worker watching a seeded set of them…")
    names = [tube_name(h, w) for w in ("alpha", "beta", "gamma")]
    put_in: dict[str, list[Job]] = {n: [] for n in names}
    for n in names:
        producer.expect(f"use {n}", f"USING {n}")
        for _ in range(h.random.randint(2, 5)):
            b = body(h)
            put_in[n].append(Job(producer.put(b, quiet=True), b))
    watched = h.random.sample(names, 2)
    w = Client(h, port, "worker 5")
    for n in watched:
        w.call(f"watch {n}")
    w.expect("ignore default", "WATCHING 2")
    got_all: list[Job] = []
    while (found := w.reserve(0, quiet=True)) is not None:
        got_all.append(found)
        if len(got_all) > 40:
            break
    want_set = {j for n in watched for j in put_in[n]}
    if set(got_all) != want_set:
        extra = sorted(j.id for j in set(got_all) - want_set)
        missing = sorted(j.id for j in want_set - set(got_all))
        raise StageFailure(
            f"worker 5 watches {', '.join(watched)} and reserved {len(got_all)} jobs\n"
            f"  expected the {len(want_set)} jobs put in those tubes\n"
            + (f"  jobs from other tubes: {extra}\n" if extra else "")
            + (f"  missing: {missing}" if missing else ""),
            "reserve looks at every tube the connection watches, and only those",
        )
    for n in watched:
        ids = [j.id for j in got_all if j in put_in[n]]
        if ids != sorted(ids):
            raise StageFailure(
                f"worker 5 reserved the jobs of {n} in the order {ids}\n"
                f"  expected the order of their puts {sorted(ids)}"
            )
    h.log(f"worker 5 got the {len(got_all)} jobs of its tubes, each tube in order.")


# --- 3 -----------------------------------------------------------------------------------
@tester.stage("competing-consumers")
def competing_consumers(h: Harness) -> None:
    port, _ = start(h)
    producer = Client(h, port, "producer")
    waiting = Client(h, port, "consumer 1")
    began = time.monotonic()
    job = waiting.reserve(1, wait=6)
    took = time.monotonic() - began
    if job is not None:
        raise StageFailure(
            "consumer 1 sent reserve-with-timeout 1 on an empty queue\n"
            f"  expected TIMED_OUT\n       got RESERVED {job.id}"
        )
    if took < 1 - EARLY_SLACK:
        raise StageFailure(
            "consumer 1 sent reserve-with-timeout 1 on an empty queue\n"
            "  expected TIMED_OUT after about 1 s\n"
            f"       got TIMED_OUT after {took:.2f} s",
            "reserve-with-timeout N waits up to N seconds for a job before answering TIMED_OUT",
        )

    consumers = [waiting] + [Client(h, port, f"consumer {n}") for n in range(2, 5)]
    for c in consumers:
        c.send("reserve-with-timeout 20")
    for c in consumers:
        c.conn.expect_silence(0.3, "to reserve-with-timeout 20 while the queue is empty (it must wait)")
    h.log("Four consumers wait; the producer puts four jobs.")
    with hinted(
        "while consumers wait in reserve, your server must go on answering other connections: "
        "a waiting reserve must not block the whole server"
    ):
        jobs = {Job(producer.put(b), b) for b in (body(h, f"-{n}") for n in range(4))}
    got: dict[str, Job] = {}
    for c in consumers:
        with hinted(
            "a waiting reserve must get a job as soon as one is put in a tube it watches, not "
            "look at the queue only when its timeout ends"
        ):
            j = c.reserved("reserve-with-timeout 20", wait=10)
        if j is None:
            raise StageFailure(
                f"{c.name} sent reserve-with-timeout 20 before four jobs were put\n"
                "  expected RESERVED <id> <bytes>\n       got TIMED_OUT"
            )
        got[c.name] = j
    check_each_once(got, jobs)
    for c in consumers:
        c.delete(got[c.name].id)

    h.log("A reserve without a timeout waits for as long as it takes.")
    consumers[0].send("reserve")
    consumers[0].conn.expect_silence(0.5, "to reserve while the queue is empty")
    b = body(h)
    j = Job(producer.put(b), b)
    expect_job(consumers[0], consumers[0].reserved("reserve", wait=5), j, "reserve")
    consumers[0].delete(j.id)

    library_consumers(h, port, producer)


def check_each_once(got: dict[str, Job], jobs: set[Job]) -> None:
    seen: dict[int, str] = {}
    for name, job in got.items():
        if job.id in seen:
            raise StageFailure(
                f"{seen[job.id]} and {name} both reserved job {job.id}\n"
                "  expected each job handed to one consumer only",
                "a reserved job leaves the ready queue: take it out before you answer, so no other "
                "waiting consumer can get it",
            )
        seen[job.id] = name
    if set(got.values()) != jobs:
        raise StageFailure(
            f"the consumers reserved {sorted(j.id for j in got.values())}\n  expected the jobs put: "
            f"{sorted(j.id for j in jobs)}, with their bodies"
        )


def library_consumers(h: Harness, port: int, producer: Client) -> None:
    """Three greenstalk clients (a real beanstalk library) drain 150 jobs while they are put."""
    count = 150
    bodies = [body(h, f"-{n}") for n in range(count)]
    h.log(f"Three consumers using greenstalk (a beanstalk client library) take {count} jobs as they are put…")
    delivered: list[tuple[str, int, bytes]] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def consume(name: str) -> None:
        try:
            with greenstalk.Client(("127.0.0.1", port), encoding=None) as client:
                while not stop.is_set():
                    try:
                        job = client.reserve(timeout=1)
                    except greenstalk.TimedOutError:
                        continue
                    assert isinstance(job.body, bytes)
                    with lock:
                        delivered.append((name, job.id, job.body))
                    client.delete(job)
        except (greenstalk.Error, OSError) as exc:
            with lock:
                errors.append(f"{name}: {type(exc).__name__} {exc}")

    threads = [
        threading.Thread(target=consume, args=(f"greenstalk consumer {n}",), daemon=True) for n in (1, 2, 3)
    ]
    for t in threads:
        t.start()
    ids = producer.put_many(bodies)
    deadline = time.monotonic() + min(20.0, h.remaining() - 2)
    while time.monotonic() < deadline:
        with lock:
            if len(delivered) >= count or errors:
                break
        h.sleep(0.05)
    stop.set()
    for t in threads:
        t.join(timeout=3)
    if errors:
        raise StageFailure(
            f"a greenstalk consumer failed: {errors[0]}",
            "greenstalk sends reserve-with-timeout 1 and delete <id>; its error names the "
            "reply it did not expect",
        )
    want = dict(zip(ids, bodies, strict=True))
    by_id: dict[int, list[str]] = {}
    for name, job_id, job_body in delivered:
        by_id.setdefault(job_id, []).append(name)
        if want.get(job_id) != job_body:
            raise StageFailure(
                f"{name} reserved job {job_id} with body {short(job_body)}\n  expected "
                + (f"body {short(want[job_id])}" if job_id in want else f"one of the {count} ids put")
            )
    twice = {i: names for i, names in by_id.items() if len(names) > 1}
    if twice:
        i, names = next(iter(twice.items()))
        raise StageFailure(
            f"job {i} was reserved {len(names)} times ({', '.join(names)}), and deleted each time\n"
            "  expected each job handed to one consumer",
            "take a job out of the ready queue as you hand it out, in one step no other "
            "connection can interleave with",
        )
    missing = sorted(set(want) - set(by_id))
    if missing:
        raise StageFailure(
            f"{len(missing)} of {count} jobs were never handed to the three consumers "
            f"(first: {missing[:5]})\n  expected every job put to reach one consumer",
            "every waiting reserve must be woken when a job is put, not only the first one",
        )
    h.log(f"All {count} jobs were delivered, each to one consumer.")


# --- 4 -----------------------------------------------------------------------------------
NUDGE_AFTER = 0.7
"""Seconds after a TTR runs out at which the holder sends a command that changes nothing."""


def nudge(h: Harness, holder: Client, after: float) -> None:
    """The holder of expiring jobs sends ``use default`` once their TTR has run out.

    beanstalkd 1.12 can lose a silent connection's TTR timer (it drops the connection from
    its timer heap when the timer fires a hair early, beanstalkd PR #334) until that
    connection's next command: without this, the oracle fails a third of the runs. The
    command changes no job, and by then a correct server has released the jobs already.
    """
    h.sleep(after)
    holder.expect("use default", "USING default")


@tester.stage("ttr-redelivery")
def ttr_redelivery(h: Harness) -> None:
    port, _ = start(h)
    producer = Client(h, port, "producer")
    slow, other = Client(h, port, "worker 1"), Client(h, port, "worker 2")
    b = body(h)
    job = Job(producer.put(b, ttr=2), b)
    # The holders use reserve, not reserve-with-timeout: beanstalkd keeps a spent
    # reserve-with-timeout's timer on the connection, which can hold back that connection's
    # TTR expiries until its next command.
    expect_job(slow, slow.reserve(None), job, "reserve")
    h.log("worker 1 holds the job (TTR 2 s) and does not delete it; worker 2 waits for it.")
    began = time.monotonic()
    other.send("reserve-with-timeout 10")
    nudge(h, slow, 2 + NUDGE_AFTER)
    got = other.reserved("reserve-with-timeout 10", wait=10)
    took = time.monotonic() - began
    expect_job(
        other,
        got,
        job,
        "reserve-with-timeout 10",
        "a reserved job that is not deleted within its TTR (the third number of its put) goes back "
        "to the ready queue, and a waiting reserve gets it",
    )
    if took < 2 - EARLY_SLACK - 0.5:
        raise StageFailure(
            f"worker 2 got job {job.id} {took:.2f} s after worker 1 reserved it\n  expected it back only "
            "when its TTR of 2 s had run out",
            "the TTR counts from the moment of the reserve; until then the job belongs to worker 1",
        )
    h.log("worker 2 got it once the TTR had run out, not before.")
    slow.delete(
        job.id,
        expected="NOT_FOUND",
        hint="worker 1's TTR ran out and worker 2 holds the job now: worker 1 may no longer delete it",
    )
    other.delete(job.id)

    h.log("A job deleted within its TTR never comes back.")
    b = body(h)
    done = Job(producer.put(b, ttr=1), b)
    expect_job(slow, slow.reserve(None), done, "reserve")
    slow.delete(done.id)
    other.reserve_none(2, hint="a deleted job is done: it must not come back when its TTR would have run out")

    h.log("A worker that disconnects gives its jobs back at once.")
    quitter = Client(h, port, "worker 3")
    b = body(h)
    held = Job(producer.put(b, ttr=60), b)
    expect_job(quitter, quitter.reserve(0), held, "reserve-with-timeout 0")
    quitter.close()
    began = time.monotonic()
    got = other.reserve(5, wait=7)
    expect_job(
        other,
        got,
        held,
        "reserve-with-timeout 5 (the job's TTR is 60 s)",
        "when a connection closes, every job it held goes back to ready at once, long before its TTR",
    )
    other.delete(held.id)

    h.log(
        "worker 1 reserves five jobs with a TTR of 2 s, deletes two, then stops; worker "
        "2 gets the other three."
    )
    bodies = [body(h, f"-{n}") for n in range(5)]
    ids = [producer.put(x, ttr=2, quiet=True) for x in bodies]
    jobs = [slow.reserve_job(None, quiet=True) for _ in ids]
    if {j.id for j in jobs} != set(ids):
        raise StageFailure(f"worker 1 reserved {[j.id for j in jobs]}\n  expected the five jobs put: {ids}")
    kept = h.random.sample(jobs, 2)
    for j in kept:
        slow.delete(j.id, quiet=True)
    nudge(h, slow, 2 + NUDGE_AFTER)
    back: list[Job] = []
    deadline = time.monotonic() + 10
    while len(back) < 3 and time.monotonic() < deadline:
        came = other.reserve(4, wait=6, quiet=True)
        if came is None:
            break
        back.append(came)
        other.delete(came.id, quiet=True)
    want = {j for j in jobs if j not in kept}
    if set(back) != want:
        raise StageFailure(
            f"worker 2 got {sorted(j.id for j in back)} after worker 1's TTRs ran out\n  expected the three "
            f"jobs worker 1 did not delete: {sorted(j.id for j in want)}",
            "every reserved job has its own deadline; when it passes, that job (and only one "
            "not deleted) goes back",
        )
    other.reserve_none(0)
    h.log("The three undeleted jobs came back, each once; the two deleted ones did not.")


# --- 5 -----------------------------------------------------------------------------------
@tester.stage("release-delay")
def release_delay(h: Harness) -> None:
    port, _ = start(h)
    producer, worker = Client(h, port, "producer"), Client(h, port, "worker")
    b = body(h)
    job = Job(producer.put(b), b)
    expect_job(worker, worker.reserve(0), job, "reserve-with-timeout 0")
    worker.expect(f"release {job.id} {PRI} 0", "RELEASED", hint="release <id> <pri> <delay> answers RELEASED")
    expect_job(
        worker,
        worker.reserve(0),
        job,
        "reserve-with-timeout 0",
        "a job released with delay 0 is ready again at once",
    )

    h.log("Released with a delay of 2 s: invisible until then.")
    worker.expect(f"release {job.id} {PRI} 2", "RELEASED")
    began = time.monotonic()
    worker.reserve_none(0, hint="a job released with a delay is not ready until the delay has passed")
    got = worker.reserve(10, wait=12)
    took = time.monotonic() - began
    expect_job(
        worker,
        got,
        job,
        "reserve-with-timeout 10",
        "once its delay has passed, a released job is ready again, without any other command",
    )
    if took < 2 - EARLY_SLACK - 0.5:
        raise StageFailure(
            f"worker got job {job.id} back {took:.2f} s after release with delay 2\n"
            "  expected it after about 2 s"
        )
    h.log("It came back once the delay had passed, not before.")

    stranger = Client(h, port, "client 3")
    stranger.expect(
        f"release {job.id} {PRI} 0",
        "NOT_FOUND",
        hint="only the connection that reserved a job may release it",
    )
    worker.delete(job.id)

    h.log("A put with a delay, then one without: the second is reserved first.")
    late_body, now_body = body(h, "-late"), body(h, "-now")
    late = Job(producer.put(late_body, delay=2), late_body)
    now = Job(producer.put(now_body), now_body)
    began = time.monotonic()
    expect_job(
        worker,
        worker.reserve(0),
        now,
        "reserve-with-timeout 0",
        "a job put with a delay waits that many seconds before it is ready; the other one is ready now",
    )
    worker.delete(now.id)
    got = worker.reserve(10, wait=12)
    took = time.monotonic() - began
    expect_job(worker, got, late, "reserve-with-timeout 10")
    if took < 2 - EARLY_SLACK - 0.5:
        raise StageFailure(
            f"the job put with delay 2 was reserved {took:.2f} s after its put\n  expected after about 2 s"
        )
    worker.delete(late.id)

    h.log("A flaky job: the worker releases it with a delay of 1 s three times, then deletes it.")
    b = body(h)
    flaky = Job(producer.put(b), b)
    for _attempt in range(3):
        expect_job(
            worker,
            worker.reserve(10, wait=12),
            flaky,
            "reserve-with-timeout 10",
            "a released job comes back after its delay, as many times as it is released",
        )
        worker.expect(f"release {flaky.id} {PRI} 1", "RELEASED")
    expect_job(worker, worker.reserve(10, wait=12), flaky, "reserve-with-timeout 10")
    worker.delete(flaky.id)
    worker.reserve_none(0)


# --- 6 -----------------------------------------------------------------------------------
TUBE_COUNTS = ("current-jobs-ready", "current-jobs-reserved", "current-jobs-delayed", "current-jobs-buried")


def expect_stats(c: Client, line: str, want: dict[str, object], hint: str | None = None) -> None:
    stats = c.stats(line)
    for k, v in want.items():
        if stats.get(k) != v:
            shown = "missing" if k not in stats else repr(stats[k])
            raise StageFailure(
                f"{c.name} sent {line}\n  expected {k}: {v}\n       got {k}: {shown}",
                hint or 'stats answer YAML lines "key: value" with the current counts',
            )


@tester.stage("bury-kick")
def bury_kick(h: Harness) -> None:
    port, _ = start(h)
    tube = tube_name(h, "jobs")
    producer, worker = Client(h, port, "producer"), Client(h, port, "worker")
    producer.expect(f"use {tube}", f"USING {tube}")
    worker.expect(f"watch {tube}", "WATCHING 2")
    b = body(h)
    poison = Job(producer.put(b), b)
    h.log("A poison job: the worker gives it back after each failure and buries it on its third delivery.")
    for delivery in range(1, 4):
        expect_job(worker, worker.reserve(0), poison, "reserve-with-timeout 0")
        expect_stats(
            worker,
            f"stats-job {poison.id}",
            {"id": poison.id, "tube": tube, "state": "reserved", "reserves": delivery},
            "stats-job counts how many times the job was reserved (reserves), and shows its tube and state",
        )
        if delivery < 3:
            worker.expect(f"release {poison.id} {PRI} 0", "RELEASED")
    worker.expect(f"bury {poison.id} {PRI}", "BURIED", hint="bury <id> <pri> answers BURIED")
    worker.reserve_none(0, hint="a buried job is set aside: reserve never hands it out")
    expect_stats(worker, f"stats-job {poison.id}", {"state": "buried", "reserves": 3, "buries": 1})
    others = [Job(producer.put(x), x) for x in (body(h, f"-{n}") for n in range(3))]
    ok = others[0]
    expect_job(worker, worker.reserve(0), ok, "reserve-with-timeout 0")
    expect_stats(
        producer,
        f"stats-tube {tube}",
        {
            "name": tube,
            "current-jobs-ready": 2,
            "current-jobs-reserved": 1,
            "current-jobs-delayed": 0,
            "current-jobs-buried": 1,
            "total-jobs": 4,
        },
        "stats-tube counts the tube's jobs in each state now, and every job ever put there (total-jobs)",
    )
    for j in others[1:]:
        expect_job(worker, worker.reserve(0), j, "reserve-with-timeout 0")
        worker.expect(f"bury {j.id} {PRI}", "BURIED")
    worker.delete(ok.id)
    expect_stats(
        producer,
        f"stats-tube {tube}",
        {"current-jobs-ready": 0, "current-jobs-reserved": 0, "current-jobs-buried": 3},
    )
    producer.expect(
        "stats-tube no-such-tube",
        "NOT_FOUND",
        hint="stats-tube of a tube nobody uses or watches answers NOT_FOUND",
    )
    stranger = Client(h, port, "client 3")
    stranger.expect(
        f"bury {poison.id} {PRI}", "NOT_FOUND", hint="only the connection holding a reserved job may bury it"
    )

    h.log("kick works on the producer's tube (its use): at most the number asked.")
    producer.expect(
        "kick 2",
        "KICKED 2",
        hint="kick <n> moves up to n buried jobs of the used tube back to ready and answers KICKED <count>",
    )
    stranger.expect(
        "kick 10", "KICKED 0", hint="kick moves jobs of the connection's used tube only (default here)"
    )
    producer.expect("kick 10", "KICKED 1", hint="the third buried job is still there: kick 10 moves it")
    back: list[Job] = []
    while (came := worker.reserve(0)) is not None:
        back.append(came)
        worker.delete(came.id)
        if len(back) > 5:
            break
    want = {poison, *others[1:]}
    if set(back) != want:
        raise StageFailure(
            f"after the kicks, worker reserved {sorted(j.id for j in back)}\n"
            "  expected the three buried jobs "
            f"{sorted(j.id for j in want)}, with their bodies"
        )
    expect_stats(
        producer, f"stats-tube {tube}", {"current-jobs-buried": 0, "current-jobs-ready": 0, "total-jobs": 4}
    )


# --- 7 -----------------------------------------------------------------------------------
HINT_LOST = (
    "every job answered INSERTED must be in a file under --data-dir before the reply is sent, and "
    "the program must read its files back when it starts"
)


@tester.stage("durable-jobs")
def durable_jobs(h: Harness) -> None:
    folder = data_dir(h)
    port, process = start(h, folder)
    tubes_ = [tube_name(h, "mail"), tube_name(h, "billing")]
    producer, worker = Client(h, port, "producer"), Client(h, port, "worker")
    put: dict[int, tuple[str, bytes]] = {}
    for tube in tubes_:
        producer.expect(f"use {tube}", f"USING {tube}")
        worker.call(f"watch {tube}")
        bodies = [body(h, f"-{n}") for n in range(12)]
        bodies[0] = b"line one\r\nline two"
        for i, b in zip(producer.put_many(bodies), bodies, strict=True):
            put[i] = (tube, b)
    ids = sorted(put)
    worker.expect("ignore default", "WATCHING 2")
    reserved = [worker.reserve_job(0, quiet=True) for _ in range(12)]
    deleted = {j.id for j in h.random.sample(reserved, 6)}
    rest = [j for j in reserved if j.id not in deleted]
    buried = {j.id for j in rest[:3]}
    h.log("The worker reserved 12 jobs, deletes 6, buries 3 and still holds 3 when the server dies.")
    for i in sorted(deleted):
        worker.delete(i, quiet=True)
    for i in sorted(buried):
        worker.expect(f"bury {i} {PRI}", "BURIED")
    h.log("Killing your program with SIGKILL (no chance to save anything on exit).")
    for c in (producer, worker):
        c.conn.close()
    h.kill(process)
    h.log("Starting it again on the same --data-dir…")
    port, process = start(h, folder)
    worker = Client(h, port, "worker (run 2)")
    producer = Client(h, port, "producer (run 2)")
    for tube in tubes_:
        worker.call(f"watch {tube}")
    worker.expect("ignore default", "WATCHING 2")
    for tube in tubes_:
        mine = [i for i in ids if put[i][0] == tube]
        expect_stats(
            worker,
            f"stats-tube {tube}",
            {
                "current-jobs-buried": sum(1 for i in mine if i in buried),
                "current-jobs-ready": sum(1 for i in mine if i not in buried and i not in deleted),
                "current-jobs-reserved": 0,
            },
            "after a restart: deleted jobs stay deleted, buried jobs stay buried, and jobs that were "
            "reserved when the server died are ready again",
        )
    got: list[Job] = []
    while (j := worker.reserve(0, quiet=True)) is not None:
        got.append(j)
        if len(got) > len(ids):
            break
    want = {Job(i, put[i][1]) for i in ids if i not in deleted and i not in buried}
    if set(got) != want:
        lost = sorted(j.id for j in want - set(got))
        back = sorted(j.id for j in set(got) if j.id in deleted)
        raise StageFailure(
            f"after a restart on the same --data-dir, worker reserved {len(got)} jobs\n  expected the "
            f"{len(want)} jobs neither deleted nor buried (including the 3 held at the crash)"
            + (f"\n  lost: {lost}" if lost else "")
            + (f"\n  deleted, yet back: {back}" if back else ""),
            "a delete must be logged too (or the job comes back)" if back else HINT_LOST,
        )
    h.log(f"All {len(want)} jobs came back with their ids and bodies; none of the deleted ones.")
    for j in got:
        worker.delete(j.id, quiet=True)
    producer.expect(f"use {tubes_[0]}", f"USING {tubes_[0]}")
    new = producer.put(body(h))
    if new <= ids[-1]:
        raise StageFailure(
            f"producer (run 2) put a job and got INSERTED {new}\n  expected an id greater than {ids[-1]}, "
            "the highest id of the first run",
            "start the id counter above every id in your log: an id must never be handed out twice",
        )
    producer.delete(new)
    for tube in tubes_:
        producer.expect(f"use {tube}", f"USING {tube}")
        n = sum(1 for i in buried if put[i][0] == tube)
        producer.expect("kick 10", f"KICKED {n}", hint="buried jobs must still be buried after a restart")
    kicked: list[Job] = []
    while (j := worker.reserve(0, quiet=True)) is not None:
        kicked.append(j)
        if len(kicked) > 10:
            break
    want_buried = {Job(i, put[i][1]) for i in buried}
    if set(kicked) != want_buried:
        raise StageFailure(
            f"after kicking both tubes, worker reserved {sorted(j.id for j in kicked)}\n"
            "  expected the buried "
            f"jobs {sorted(buried)}, with their bodies",
            HINT_LOST,
        )
    for j in kicked:
        worker.delete(j.id, quiet=True)
    worker.reserve_none(0)
    highest = max(ids[-1], new)
    process = kill_during_burst(h, folder, port, process, [producer, worker], highest)

    h.log("Starting your program on a new, empty --data-dir: it must know no job.")
    h.kill(process)
    port, _ = start(h, data_dir(h, "empty"))
    fresh = Client(h, port, "client (empty data dir)")
    for tube in tubes_:
        fresh.call(f"watch {tube}")
    fresh.reserve_none(
        0,
        hint="this run has an empty --data-dir: keep your files inside the --data-dir folder, "
        "not in the working directory",
    )


def kill_during_burst(
    h: Harness, folder: Path, port: int, process: ProgramProcess, clients: list[Client], highest: int
) -> ProgramProcess:
    """200 puts in one write; SIGKILL after a seeded number of INSERTED replies. Every
    acknowledged job must come back; one sent but not acknowledged may or may not (its
    put may have been logged before the kill), but never twice, and ids never go back."""
    tube = tube_name(h, "burst")
    producer = Client(h, port, "producer (run 2, burst)")
    producer.expect(f"use {tube}", f"USING {tube}")
    bodies = [body(h, f"-b{n}") for n in range(200)]
    acknowledged = h.random.randint(60, 140)
    lines = [f"put {PRI} 0 60 {len(b)}" for b in bodies]
    h.log(
        f"producer (run 2, burst)> 200 puts in one write; crack kills your program after the "
        f"INSERTED of put {acknowledged}"
    )
    producer.conn.send(
        b"".join(line.encode() + b"\r\n" + b + b"\r\n" for line, b in zip(lines, bodies, strict=True)),
        mode=WriteMode.WHOLE,
    )
    acked: dict[int, bytes] = {}
    for line, b in zip(lines[:acknowledged], bodies[:acknowledged], strict=True):
        acked[producer.inserted(line, producer.read(line, timeout=20, quiet=True))] = b
    check_ids(sorted(acked), "the burst's acknowledged puts")
    if min(acked) <= highest:
        raise StageFailure(
            f"producer (run 2, burst) got INSERTED {min(acked)}\n  expected ids above {highest}, the highest "
            "handed out before",
            "ids never go back: start the counter above every id in your log",
        )
    h.log("Killing your program with SIGKILL in the middle of the burst.")
    for c in [*clients, producer]:
        c.conn.close()
    h.kill(process)
    h.log("Starting it again on the same --data-dir…")
    port, process = start(h, folder)
    worker = Client(h, port, "worker (run 3)")
    worker.expect(f"watch {tube}", "WATCHING 2")
    got: list[Job] = []
    while (found := worker.reserve(0, quiet=True)) is not None:
        got.append(found)
        worker.delete(found.id, quiet=True)
        if len(got) > 210:
            break
    by_id = {j.id: j.body for j in got}
    lost = sorted(i for i in acked if by_id.get(i) != acked[i])
    if lost:
        raise StageFailure(
            f"after a SIGKILL during 200 pipelined puts and a restart, {len(lost)} of the {len(acked)} "
            f"acknowledged jobs are missing or changed (first: {lost[:5]})\n  expected every job answered "
            "INSERTED before the kill",
            HINT_LOST,
        )
    unacked = set(bodies[acknowledged:])
    extra = [j for j in got if j.id not in acked]
    strange = [j for j in extra if j.body not in unacked]
    bodies_seen = [j.body for j in got]
    if strange or len(bodies_seen) != len(set(bodies_seen)):
        shown = strange[0] if strange else next(j for j in got if bodies_seen.count(j.body) > 1)
        raise StageFailure(
            f"after the restart, worker (run 3) reserved job {shown.id} (body {short(shown.body)})\n"
            "  expected only the burst's jobs, each once: the acknowledged ones, and perhaps some that "
            "were sent but not yet acknowledged",
            "replay each put record of the log once; a record cut short by the kill is not a job",
        )
    h.log(
        f"All {len(acked)} acknowledged jobs came back; of the {200 - acknowledged} sent but not "
        "acknowledged, those that came back came back once (either is allowed)."
    )
    return process


# --- 8 -----------------------------------------------------------------------------------
def entry_id(value: Reply, client: RespClient, sent: str) -> tuple[int, int]:
    """An entry id ``<ms>-<seq>`` as a pair of numbers, or a failure naming the reply."""
    if isinstance(value, bytes):
        ms, dash, seq = value.decode(errors="replace").partition("-")
        if dash and ms.isdigit() and seq.isdigit():
            return int(ms), int(seq)
    raise StageFailure(
        f"{client.name} sent {sent}\n"
        f"  expected the new entry's id as a bulk string <ms>-<seq>\n       got {brief(value)}",
        "XADD with * answers the id it made: milliseconds, a dash, a sequence number, as a bulk string",
    )


def id_key(text: str) -> tuple[int, int]:
    ms, _, seq = text.partition("-")
    return (int(ms), int(seq)) if ms.isdigit() and seq.isdigit() else (-1, -1)


def show_id(pair: tuple[int, int]) -> str:
    return f"{pair[0]}-{pair[1]}"


Entry = tuple[str, list[bytes]]


def entries_of(value: Reply, client: RespClient, sent: str) -> list[Entry]:
    """An XRANGE-shaped reply (an array of [id, [field, value, …]]) as a list."""
    wrong = StageFailure(
        f"{client.name} sent {sent}\n  expected an array of entries, each [id, [field, value, …]]\n"
        f"       got {brief(value)}",
        "each entry is an array of two: its id (bulk string), then an array of its fields and values",
    )
    if not isinstance(value, list):
        raise wrong
    out: list[Entry] = []
    for item in value:
        if not (
            isinstance(item, list)
            and len(item) == 2
            and isinstance(item[0], bytes)
            and isinstance(item[1], list)
        ):
            raise wrong
        if not all(isinstance(x, bytes) for x in item[1]):
            raise wrong
        out.append((item[0].decode(errors="replace"), [x for x in item[1] if isinstance(x, bytes)]))
    return out


def expect_entries(client: RespClient, args: list[str], want: list[Entry], hint: str) -> None:
    sent = " ".join(args)
    got = entries_of(client.call(*args), client, sent)
    if got != want:
        raise StageFailure(
            f"{client.name} sent {sent}\n  expected {len(want)} entries: ids {[e[0] for e in want][:8]}\n"
            f"       got {len(got)} entries: ids {[e[0] for e in got][:8]}",
            hint,
        )


@tester.stage("stream-log")
def stream_log(h: Harness) -> None:
    port, _ = start(h)
    producer = RespClient(h, port, "producer")
    orders, audit = f"orders:{h.random.randrange(1000):03d}", f"audit:{h.random.randrange(1000):03d}"
    log: dict[str, list[Entry]] = {orders: [], audit: []}
    # Explicit ids keep the log the same on every run (an id made by * holds the clock);
    # * is checked after them, quietly, and by redis-py below.
    clock = 1_700_000_000_000 + h.random.randrange(10**9)
    for n in range(12):
        stream = orders if n % 3 else audit
        clock += h.random.choice([0, 1, 7, 250])
        pair = (clock, 0)
        if log[stream] and pair <= id_key(log[stream][-1][0]):
            pair = (id_key(log[stream][-1][0])[0], id_key(log[stream][-1][0])[1] + 1)
        fields = ["n", str(n), "item", h.random.choice(WORDS)]
        sent = f"XADD {stream} {show_id(pair)} {' '.join(fields)}"
        got = entry_id(producer.call("XADD", stream, show_id(pair), *fields, quiet=n > 3), producer, sent)
        if got != pair:
            raise StageFailure(
                f"producer sent {sent}\n  expected the id it gave, {show_id(pair)}\n"
                f"       got {show_id(got)}",
                "XADD with an explicit id stores the entry under that id and answers it",
            )
        log[stream].append((show_id(pair), [f.encode() for f in fields]))
    top = id_key(log[orders][-1][0])
    reply = producer.call("XADD", orders, show_id(top), "n", "again")
    if not (isinstance(reply, RespError) and reply.message.startswith("ERR")):
        raise StageFailure(
            f"producer sent XADD {orders} {show_id(top)} n again (the stream's last id)\n"
            f"  expected an error starting with ERR\n       got {brief(reply)}",
            "an explicit id must be greater than the stream's last id, or XADD refuses it with an error",
        )
    auto = entry_id(
        producer.call("XADD", audit, "*", "n", "auto", quiet=True), producer, f"XADD {audit} * n auto"
    )
    if auto <= id_key(log[audit][-1][0]):
        raise StageFailure(
            f"producer sent XADD {audit} * n auto\n  expected an id greater than the stream's last, "
            f"{log[audit][-1][0]}\n       got {show_id(auto)}",
            "* makes an id from the clock, but never one at or below the stream's last id: when the clock "
            "is behind it, keep the last id's milliseconds and add one to the sequence",
        )
    log[audit].append((show_id(auto), [b"n", b"auto"]))
    h.log("13 entries added to two streams; * made an id above the stream's last one.")
    reply = producer.call("XLEN", orders)
    if reply != len(log[orders]):
        raise StageFailure(
            f"producer sent XLEN {orders}\n  expected {len(log[orders])}\n       got {brief(reply)}"
        )
    entries = log[orders]
    expect_entries(
        producer,
        ["XRANGE", orders, "-", "+"],
        entries,
        "XRANGE key - + answers every entry of that stream, oldest first, and none of another stream",
    )
    reader = RespClient(h, port, "reader")
    middle = entries[3][0]
    expect_entries(
        reader,
        ["XRANGE", orders, middle, "+"],
        entries[3:],
        "an id as the start replays the log from that offset: that entry included",
    )
    expect_entries(
        reader,
        ["XRANGE", orders, f"({middle}", "+"],
        entries[4:],
        "a start of (id excludes that entry: a reader resumes after the last id it saw",
    )
    expect_entries(
        reader, ["XRANGE", orders, "-", "+", "COUNT", "2"], entries[:2], "COUNT n stops after n entries"
    )
    expect_entries(reader, ["XRANGE", orders, "-", entries[1][0]], entries[:2], "the end id is included")
    expect_entries(reader, ["XRANGE", "missing:stream", "-", "+"], [], "a stream nobody wrote to is empty")
    library_replay(h, port)


def library_replay(h: Harness, port: int) -> None:
    """redis-py (a real client library) appends 120 entries and pages them back by offset."""
    stream = f"events:{h.random.randrange(1000):03d}"
    h.log(
        f"redis-py adds 120 entries to {stream} in one pipeline, then reads them back 25 at a time, "
        "each page from after the last id seen…"
    )
    # RESP2 and no CLIENT SETINFO handshake: the page asks for XADD and XRANGE only.
    client = library_client(port)
    try:
        pipe = client.pipeline(transaction=False)
        for n in range(120):
            pipe.xadd(stream, {"n": str(n)})
        ids = [i.decode() if isinstance(i, bytes) else str(i) for i in pipe.execute()]
        pages: list[str] = []
        start = "-"
        while len(pages) < 130:
            page = client.xrange(stream, min=start, max="+", count=25)
            if not page:
                break
            pages += [i.decode() if isinstance(i, bytes) else str(i) for i, _ in page]
            start = "(" + pages[-1]
    except redis.RedisError as exc:
        raise StageFailure(
            f"redis-py failed: {type(exc).__name__}: {exc}",
            "redis-py sends XADD key * n <n> and XRANGE key <start> + COUNT 25; its error names what "
            "it could not read",
        ) from None
    finally:
        client.close()
    if pages != ids:
        raise StageFailure(
            f"redis-py paged through {stream} and read {len(pages)} ids\n"
            f"  expected the {len(ids)} ids XADD returned, in order",
            "page by starting each XRANGE at (<last id read>: every entry once, none skipped",
        )
    h.log("redis-py read all 120 entries back in order, each once.")


# --- 9 -----------------------------------------------------------------------------------
def group_read(
    client: RespClient, group: str, consumer: str, stream: str, start: str, count: int | None
) -> list[Entry]:
    args = [
        "XREADGROUP",
        "GROUP",
        group,
        consumer,
        *(["COUNT", str(count)] if count else []),
        "STREAMS",
        stream,
        start,
    ]
    sent = " ".join(args)
    reply = client.call(*args)
    if reply is None or reply == []:
        return []
    if (
        isinstance(reply, list)
        and len(reply) == 1
        and isinstance(reply[0], list)
        and len(reply[0]) == 2
        and reply[0][0] == stream.encode()
    ):
        return entries_of(reply[0][1], client, sent)
    raise StageFailure(
        f"{client.name} sent {sent}\n"
        "  expected [[stream, [entries…]]] (or a null array when nothing is new)\n"
        f"       got {brief(reply)}",
        "XREADGROUP answers an array with one [stream name, entries] pair per stream asked for",
    )


@tester.stage("consumer-groups")
def consumer_groups(h: Harness) -> None:
    port, _ = start(h)
    producer = RespClient(h, port, "producer")
    stream, group = f"jobs:{h.random.randrange(1000):03d}", "workers"
    entries: list[Entry] = []
    base = 1_700_000_000_000 + h.random.randrange(10**9)
    for n in range(10):
        fields = ["n", str(n)]
        wanted = show_id((base + n * h.random.randint(1, 9), 0))
        if entries and id_key(wanted) <= id_key(entries[-1][0]):
            wanted = show_id((id_key(entries[-1][0])[0], id_key(entries[-1][0])[1] + 1))
        reply = producer.call("XADD", stream, wanted, *fields, quiet=n > 1)
        entries.append(
            (
                show_id(entry_id(reply, producer, f"XADD {stream} {wanted} n {n}")),
                [f.encode() for f in fields],
            )
        )
    reply = producer.call("XGROUP", "CREATE", stream, group, "0")
    if reply != "OK":
        raise StageFailure(
            f"producer sent XGROUP CREATE {stream} {group} 0\n  expected +OK\n       got {brief(reply)}"
        )
    reply = producer.call("XGROUP", "CREATE", stream, group, "0")
    if not (isinstance(reply, RespError) and reply.message.startswith("BUSYGROUP")):
        raise StageFailure(
            f"producer sent XGROUP CREATE {stream} {group} 0 a second time\n"
            "  expected an error starting with BUSYGROUP\n"
            f"       got {brief(reply)}",
        )
    alice, bob = RespClient(h, port, "alice"), RespClient(h, port, "bob")
    got_a = group_read(alice, group, "alice", stream, ">", 4)
    got_b = group_read(bob, group, "bob", stream, ">", 4)
    got_a += group_read(alice, group, "alice", stream, ">", 10)
    rest = group_read(bob, group, "bob", stream, ">", 10)
    if rest:
        raise StageFailure(
            f"bob sent XREADGROUP GROUP {group} bob COUNT 10 STREAMS {stream} > after all ten entries "
            "were delivered\n"
            f"  expected a null array (nothing new)\n       got {len(rest)} entries: {[e[0] for e in rest]}",
            "> asks for entries never delivered to anyone in the group: each entry goes to one consumer",
        )
    both = [e[0] for e in got_a] + [e[0] for e in got_b]
    if sorted(both, key=id_key) != [e[0] for e in entries] or len(set(both)) != len(both):
        raise StageFailure(
            f"alice got {[e[0] for e in got_a]} and bob got {[e[0] for e in got_b]}\n"
            f"  expected the ten entries {[e[0] for e in entries]}, each to exactly one of them",
            "the group keeps one last-delivered id: > hands out the entries after it, and moves it",
        )
    for mine in (got_a, got_b):
        if [e[0] for e in mine] != sorted((e[0] for e in mine), key=id_key):
            raise StageFailure(
                f"a consumer got {[e[0] for e in mine]}\n  expected them in the order of the log"
            )
    want_fields = dict(entries)
    for entry_id_, got_fields in got_a + got_b:
        if want_fields[entry_id_] != got_fields:
            raise StageFailure(
                f"entry {entry_id_} came with fields {got_fields}\n  expected {want_fields[entry_id_]}"
            )
    h.log(f"alice got {len(got_a)} entries and bob {len(got_b)}: the ten, each once.")
    expect_pending(producer, stream, group, {"alice": len(got_a), "bob": len(got_b)})
    acked = [e[0] for e in got_a[:3]]
    reply = alice.call("XACK", stream, group, *acked)
    if reply != 3:
        raise StageFailure(
            f"alice sent XACK {stream} {group} {' '.join(acked)}\n  expected :3\n       got {brief(reply)}",
            "XACK answers how many of the ids were pending and are now acknowledged",
        )
    reply = alice.call("XACK", stream, group, acked[0])
    if reply != 0:
        raise StageFailure(
            f"alice sent XACK {stream} {group} {acked[0]} again\n  expected :0\n       got {brief(reply)}",
            "an entry already acknowledged is not pending any more: XACK counts it 0",
        )
    expect_pending(producer, stream, group, {"alice": len(got_a) - 3, "bob": len(got_b)})
    history = group_read(alice, group, "alice", stream, "0", None)
    if [e[0] for e in history] != [e[0] for e in got_a[3:]]:
        raise StageFailure(
            f"alice read her pending entries (id 0 instead of >) and got {[e[0] for e in history]}\n"
            f"  expected the entries delivered to her and not acknowledged: {[e[0] for e in got_a[3:]]}",
            "an id instead of > reads the consumer's own pending entries after that id: a consumer "
            "that restarts "
            "finishes its unacknowledged work first",
        )


def expect_pending(client: RespClient, stream: str, group: str, counts: dict[str, int]) -> None:
    sent = f"XPENDING {stream} {group}"
    reply = client.call("XPENDING", stream, group)
    total = sum(counts.values())
    ok = isinstance(reply, list) and len(reply) == 4 and reply[0] == total
    per: dict[str, int] = {}
    if ok and isinstance(reply, list) and isinstance(reply[3], list):
        for pair in reply[3]:
            if (
                isinstance(pair, list)
                and len(pair) == 2
                and isinstance(pair[0], bytes)
                and isinstance(pair[1], bytes)
            ):
                per[pair[0].decode()] = int(pair[1]) if pair[1].isdigit() else -1
    want = {k: v for k, v in counts.items() if v}
    if not ok or per != want:
        raise StageFailure(
            f"{client.name} sent {sent}\n  expected [{total}, <smallest id>, <largest id>, "
            f"{[[k, str(v)] for k, v in want.items()]}]\n       got {brief(reply)}",
            "XPENDING key group answers the number of pending entries, the smallest and largest "
            "pending id, and "
            "per consumer with pending entries its name and count (a bulk string)",
        )


# --- 10 ----------------------------------------------------------------------------------
from .pubsub import pubsub_fanout  # noqa: E402

tester.stage("pubsub-fanout")(pubsub_fanout)


# --- 11 ----------------------------------------------------------------------------------
from .partitions import partitions_stage  # noqa: E402

tester.stage("partitions")(partitions_stage)


# --- 12 ----------------------------------------------------------------------------------
from .claims import claim_pending  # noqa: E402

tester.stage("claim-pending")(claim_pending)
