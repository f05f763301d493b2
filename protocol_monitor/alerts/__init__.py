"""Senders: Slack, Teams and email. Each renders a composition and reports a SendResult."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SendResult:
    ok: bool
    http_status: int | None = None
    error: str | None = None
    retry_after: float | None = None
    permanent: bool = False  # no point retrying (a bad address, a revoked webhook)
    external_id: str | None = None  # Slack's message ts
    external_channel: str | None = None
    #: The request may have reached the service but its answer was lost (a connection reset or
    #: a timeout after sending): sending again blindly could post twice.
    unconfirmed: bool = False


class NotConfigured(Exception):
    """The service has no credentials (SLACK_BOT_TOKEN, SMTP_HOST) in this installation."""
