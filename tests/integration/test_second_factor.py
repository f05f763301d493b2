"""The second factor under attack: wrong codes lock the account whatever the password step does,
and recovery codes for people who lose their phone (issue 12, finding 2)."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pyotp
from sqlalchemy import select

from protocol_monitor.db import db, utcnow
from protocol_monitor.identity import two_factor as totp
from protocol_monitor.models import AuditEvent, RecoveryCode, User
from tests.conftest import Pages, error_messages
from tests.support.factories import PASSWORD
from tests.support.live import Client, serving

LOCKED = (
    "There have been too many attempts to sign in to this account. Try again later, "
    "or ask an administrator to unlock it."
)
CODE = re.compile(r"^[0-9a-z]{5}-[0-9a-z]{5}$")


def _actions(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _wrong_code(secret: str) -> str:
    """A 6-digit code that is not valid now, nor one step either side."""
    totp = pyotp.TOTP(secret)
    step = totp.timecode(utcnow())
    valid = {totp.generate_otp(s) for s in (step - 1, step, step + 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def _enrol(pages: Pages) -> tuple[str, list[str]]:
    """Turn on two-factor sign-in; the key, and the recovery codes the page shows once."""
    page = pages.get("/account/two-factor")
    secret = page.select_one("#totp-secret").get_text(strip=True)
    page = pages.post("/account/two-factor", {"code": pyotp.TOTP(secret).now()})
    codes = [li.get_text(strip=True) for li in page.select("#recovery-codes li")]
    return secret, codes


def _password_step(pages: Pages, user: User) -> None:
    pages.get("/sign-in")
    response = pages.raw_post("/sign-in", {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/sign-in/two-factor")


def test_the_password_step_does_not_reset_the_code_counter(app, make):
    """Password, 4 wrong codes, password again, 4 wrong codes: locked at the 5th wrong code
    (before the fix a correct password reset the shared counter, so this never locked)."""
    user = make.user("group", authorities=[make.authority()])
    pages = Pages(app.test_client())
    pages.sign_in(user)
    secret, _codes = _enrol(pages)
    pages.raw_post("/sign-out", {})
    wrong = _wrong_code(secret)
    answers = []
    for _round in range(3):
        _password_step(pages, user)
        for _ in range(4):
            page = pages.post("/sign-in/two-factor", {"code": wrong})
            answers.append(error_messages(page))
            if answers[-1] == [LOCKED]:
                break
        if answers[-1] == [LOCKED]:
            break
    assert answers[:5] == [["Enter the 6-digit code from your authenticator app"]] * 5
    assert answers[5] == [LOCKED]
    # Locked: even the right code is refused, and the lock is in the audit log.
    page = pages.post("/sign-in/two-factor", {"code": pyotp.TOTP(secret).now()})
    assert error_messages(page) == [LOCKED]
    (locked,) = _actions("two_factor_locked")
    assert locked.user_id == user.id and locked.changes == {"wrong_codes": 5}
    assert len([e for e in _actions("sign_in_failed") if e.user_id == user.id]) == 5


def test_after_a_lock_each_wrong_code_locks_again_until_a_right_one(app, make):
    user = make.user("group", authorities=[make.authority()])
    pages = Pages(app.test_client())
    pages.sign_in(user)
    secret, _codes = _enrol(pages)
    pages.raw_post("/sign-out", {})
    _password_step(pages, user)
    for _ in range(5):
        pages.post("/sign-in/two-factor", {"code": _wrong_code(secret)})
    # The lock has run out; the wrong codes are still counted, so one more locks again.
    db.session.expire_all()
    user.locked_until = None
    db.session.commit()
    _password_step(pages, user)
    pages.post("/sign-in/two-factor", {"code": _wrong_code(secret)})
    db.session.expire_all()
    assert user.locked_until is not None and user.failed_codes == 6
    assert len(_actions("two_factor_locked")) == 2
    # An administrator's unlock clears the count; a right code signs in and clears it too.
    admin = Pages(app.test_client())
    admin.sign_in(make.user("admin", authorities=[make.authority()]))
    admin.post(f"/admin/users/{user.id}/unlock", {})
    db.session.expire_all()
    assert user.locked_until is None and user.failed_codes == 0


def test_recovery_codes_are_shown_once_stored_hashed_and_work_once(app, make, client):
    user = make.user("group", authorities=[make.authority()])
    pages = Pages(client)
    pages.sign_in(user)
    _secret, codes = _enrol(pages)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(CODE.match(code) for code in codes), codes
    stored = db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10
    for row in stored:
        assert all(code.replace("-", "") not in row.code_hash for code in codes)
    # Not shown again.
    page = pages.get("/account/two-factor")
    assert not any(code in page.get_text() for code in codes)
    assert "10 recovery codes left" in pages.get("/account/").get_text()
    pages.raw_post("/sign-out", {})

    # Signing in with a recovery code instead of the app, written in capitals with spaces.
    _password_step(pages, user)
    page = pages.get("/sign-in/two-factor")
    assert page.select_one("a[href='/sign-in/recovery-code']") is not None
    page = pages.post("/sign-in/recovery-code", {"code": "aaaaa-bbbbb"})
    assert error_messages(page) == ["Enter one of your recovery codes, like abcde-12345"]
    typed = " " + codes[0].upper().replace("-", " ") + " "
    response = pages.raw_post("/sign-in/recovery-code", {"code": typed})
    assert response.status_code == 302
    assert client.get("/callouts/").status_code == 200
    (used,) = _actions("sign_in_recovery_code")
    assert used.user_id == user.id and used.changes == {"remaining": 9}
    assert "9 recovery codes left" in pages.get("/account/").get_text()
    pages.raw_post("/sign-out", {})

    # The same code a second time is refused, and counts as a wrong code.
    _password_step(pages, user)
    page = pages.post("/sign-in/recovery-code", {"code": codes[0]})
    assert error_messages(page) == ["Enter one of your recovery codes, like abcde-12345"]
    db.session.expire_all()
    assert user.failed_codes == 1
    response = pages.raw_post("/sign-in/recovery-code", {"code": codes[1]})
    assert response.status_code == 302
    db.session.expire_all()
    assert user.failed_codes == 0


def test_new_recovery_codes_need_the_password_and_replace_the_old(app, make, client):
    user = make.user("group", authorities=[make.authority()])
    pages = Pages(client)
    pages.sign_in(user)
    _secret, old = _enrol(pages)
    pages.get("/account/recovery-codes")
    page = pages.post("/account/recovery-codes", {"current_password": "not my password"})
    assert error_messages(page) == ["Enter your current password correctly"]
    assert page.select("#recovery-codes li") == []
    page = pages.post("/account/recovery-codes", {"current_password": PASSWORD})
    new = [li.get_text(strip=True) for li in page.select("#recovery-codes li")]
    assert len(new) == 10 and not set(new) & set(old)
    assert [e.changes for e in _actions("recovery_codes_created")] == [
        {"codes": 10, "replaced": 0},
        {"codes": 10, "replaced": 10},
    ]
    pages.raw_post("/sign-out", {})
    _password_step(pages, user)
    page = pages.post("/sign-in/recovery-code", {"code": old[0]})
    assert error_messages(page) == ["Enter one of your recovery codes, like abcde-12345"]
    assert pages.raw_post("/sign-in/recovery-code", {"code": new[0]}).status_code == 302


def test_turning_two_factor_off_or_an_admin_reset_removes_the_recovery_codes(app, make):
    user = make.user("group", authorities=[make.authority()])
    pages = Pages(app.test_client())
    pages.sign_in(user)
    _enrol(pages)
    pages.raw_post("/account/two-factor/turn-off", {})
    assert db.session.scalars(select(RecoveryCode)).all() == []
    pages.sign_in(user)
    _enrol(pages)
    result = app.test_cli_runner().invoke(args=["reset-two-factor", user.email])
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(RecoveryCode)).all() == []


def test_parallel_wrong_codes_are_checked_no_more_than_the_limit(app, make):
    """Each code is counted before it is checked, so 30 wrong codes sent at once are not all
    checked before the lock."""
    user = make.user("group", authorities=[make.authority()])
    secret = totp.new_secret()
    totp.enrol(user, secret, pyotp.TOTP(secret).now())
    wrong = _wrong_code(secret)
    with serving(app) as url:
        clients = [Client(url) for _ in range(30)]
        for client in clients:
            client.get("/sign-in")
            _status, landed, _body = client.post(
                "/sign-in", {"email": user.email, "password": PASSWORD}
            )
            assert landed.endswith("/sign-in/two-factor")
        start = threading.Barrier(len(clients))

        def attempt(client: Client) -> str:
            start.wait()
            return client.post("/sign-in/two-factor", {"code": wrong})[2]

        with ThreadPoolExecutor(len(clients)) as pool:
            bodies = list(pool.map(attempt, clients))
    checked = [e for e in _actions("sign_in_failed") if e.user_id == user.id]
    assert len(checked) == 5, f"{len(checked)} of 30 parallel wrong codes were checked"
    assert sum("too many attempts" in body for body in bodies) == 25
    assert len(_actions("two_factor_locked")) == 1
