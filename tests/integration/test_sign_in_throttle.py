"""The sign-in lockout under attack (issue 12, finding 3): parallel wrong passwords are checked no
more than the limit, and an address without an account is counted, checked and answered exactly
like one with an account."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from protocol_monitor.db import db, utcnow
from protocol_monitor.identity import accounts, throttle
from protocol_monitor.identity.throttle import LOCKED, SignInPolicy, SignInRefused
from protocol_monitor.models import AuditEvent, SignInThrottle
from tests.conftest import Pages, error_messages
from tests.support.factories import PASSWORD
from tests.support.live import Client, serving

WRONG = "Enter a correct email address and password"
PARALLEL = 30


def _count(action: str, **where) -> int:
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return db.session.scalar(query)


def _race(base_url: str, email: str) -> list[str]:
    """PARALLEL browsers post a wrong password for ``email`` at the same moment; what each
    page says."""
    clients = [Client(base_url) for _ in range(PARALLEL)]
    for client in clients:
        client.get("/sign-in")
    start = threading.Barrier(PARALLEL)

    def attempt(client: Client) -> str:
        start.wait()
        _status, _url, body = client.post("/sign-in", {"email": email, "password": "wrong guess"})
        return LOCKED if "too many attempts" in body else WRONG if WRONG in body else body

    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(attempt, clients))


def test_parallel_wrong_passwords_are_checked_no_more_than_the_limit(app, make):
    """Before the fix the counter was read, changed and written back: 30 parallel wrong
    passwords were all checked before the lock (the issue saw 10 against 2 workers)."""
    user = make.user("group", authorities=[make.authority()])
    with serving(app) as url:
        answers = _race(url, user.email)
    checked = _count("sign_in_failed", user_id=user.id)
    assert checked == 5, f"{checked} of {PARALLEL} parallel wrong passwords were checked"
    assert sorted(answers) == sorted([WRONG] * 5 + [LOCKED] * (PARALLEL - 5))
    assert _count("sign_in_refused_locked", user_id=user.id) == PARALLEL - 5
    assert _count("sign_in_locked", user_id=user.id) == 1
    assert accounts.is_locked(user)


def test_an_unknown_address_races_and_locks_the_same_way(app):
    with serving(app) as url:
        answers = _race(url, "nobody@example.org")
    assert sorted(answers) == sorted([WRONG] * 5 + [LOCKED] * (PARALLEL - 5))
    assert _count("sign_in_failed") == 5
    assert _count("sign_in_refused_locked") == PARALLEL - 5


def _answers(pages: Pages, email: str, times: int) -> list[list[str]]:
    pages.get("/sign-in")
    return [
        error_messages(pages.post("/sign-in", {"email": email, "password": "wrong guess"}))
        for _ in range(times)
    ]


def test_an_unknown_address_gets_the_same_words_as_a_known_one(app, make):
    """Before the fix "too many attempts" appeared only for real accounts."""
    user = make.user("police", police=make.force())
    known = _answers(Pages(app.test_client()), user.email, 6)
    unknown = _answers(Pages(app.test_client()), "no-such-person@example.org", 6)
    assert known == unknown == [[WRONG]] * 5 + [[LOCKED]]
    # Not even the address's case tells them apart: it is the same address.
    assert _answers(Pages(app.test_client()), "NO-SUCH-PERSON@example.org", 1) == [[LOCKED]]


@pytest.fixture
def verifications(monkeypatch) -> list[str]:
    """Every argon2 verification made, by the hash's parameters (argon2 itself still runs)."""
    made: list[str] = []
    verify = PasswordHasher.verify

    def counting(self, stored, password):
        made.append(stored.split("$")[3] if isinstance(stored, str) else "?")
        return verify(self, stored, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return made


def test_an_unknown_address_does_the_same_work_as_a_known_one(app, make, verifications):
    """Before the fix an unknown address was refused without checking any hash (13 ms against
    181 ms in the issue)."""
    user = make.user("police", police=make.force())
    gone = make.user("police", police=make.force())
    gone.active = False
    db.session.commit()
    policy = SignInPolicy()
    for email in (user.email, "nobody@example.org", gone.email):
        with pytest.raises(SignInRefused) as refused:
            accounts.authenticate(email, "wrong guess", policy)
        assert str(refused.value) == WRONG
    # One hash checked each time, with the same parameters.
    assert len(verifications) == 3 and len(set(verifications)) == 1, verifications
    with pytest.raises(SignInRefused):  # a deactivated account: even the right password
        accounts.authenticate(gone.email, PASSWORD, policy)
    assert len(verifications) == 4


def test_the_count_is_forgotten_after_the_lockout_and_a_right_password_clears_it(app, make):
    user = make.user("provider", homes=[make.home()])
    policy = SignInPolicy(max_failures=3, lockout=timedelta(minutes=15))
    t0 = utcnow()

    def attempt(password: str, minutes: float) -> str:
        try:
            accounts.authenticate(user.email, password, policy, now=t0 + timedelta(minutes=minutes))
        except SignInRefused as refused:
            return str(refused)
        return "signed in"

    assert [attempt("wrong guess", m) for m in (0, 1, 2, 3)] == [WRONG, WRONG, WRONG, LOCKED]
    assert attempt(PASSWORD, 16) == LOCKED  # 15 minutes from the lock: not yet
    assert attempt(PASSWORD, 17.5) == "signed in"
    assert db.session.scalar(select(func.count()).select_from(SignInThrottle)) == 0
    # Two wrong, then quiet for the lockout: the count starts again.
    assert [attempt("wrong guess", m) for m in (20, 21, 37, 38, 39)] == [WRONG] * 5
    assert attempt("wrong guess", 40) == LOCKED
    # Another address's stale count is dropped when someone fails later: the table holds only
    # the addresses tried lately.
    with pytest.raises(SignInRefused):
        accounts.authenticate("x@example.org", "wrong", policy, now=t0 + timedelta(minutes=80))
    keys = set(db.session.scalars(select(SignInThrottle.address_key)))
    assert keys == {throttle.address_key("x@example.org")}
