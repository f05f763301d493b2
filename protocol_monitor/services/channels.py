"""Channel settings (set by admins) and what a Slack channel may be told (its scope)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import pgettext
from sqlalchemy import ColumnElement, select

from .. import access, audit
from ..db import db, utcnow
from ..i18n import _, format_day, format_number, local_name, ngettext
from ..models import ChannelSetting, Flag, Home, User
from ..rules.time import Month, to_london
from ..vocab import ChannelLanguage, FlagStatus
from . import NotFound, ServiceError, audit_trail, monthly_facts, reference, summaries


@dataclass(frozen=True)
class Scope:
    key: str
    label: str
    authority_id: int | None = None
    police_force_id: int | None = None


def scopes() -> list[Scope]:
    """Every place a channel can be set: the group, each authority, each police force."""
    result = [Scope("group", _("The group (digest and reminders)"))]
    for authority in reference.authorities():
        result.append(
            Scope(f"authority:{authority.id}", authority.local_name, authority_id=authority.id)
        )
    for force in reference.forces():
        result.append(Scope(f"force:{force.id}", force.name, police_force_id=force.id))
    return result


def scope(key: str) -> Scope:
    for item in scopes():
        if item.key == key:
            return item
    audit_trail.not_found("channel_setting", None)
    raise NotFound()


def settings_by_key() -> dict[str, ChannelSetting]:
    return {s.scope_key: s for s in db.session.scalars(select(ChannelSetting))}


def save(
    key: str,
    user: User,
    *,
    slack_channel_id: str,
    teams_webhook_url: str,
    remove_teams_webhook: bool,
    email_recipients: list[str],
    allow_child_reference: bool,
    language: str = ChannelLanguage.EN.value,
) -> ChannelSetting:
    """Store one scope's channels and the language of their messages (English, Welsh, or both:
    Welsh first). A blank webhook URL keeps the stored one (it is not shown)."""
    target = scope(key)
    if language not in ChannelLanguage.slugs():
        raise ServiceError(_("Select the language of the messages"), field="language")
    setting = db.session.scalar(select(ChannelSetting).where(ChannelSetting.scope_key == key))
    if setting is None:
        setting = ChannelSetting(
            scope_key=key,
            authority_id=target.authority_id,
            police_force_id=target.police_force_id,
        )
        db.session.add(setting)
    if slack_channel_id:
        clash = db.session.scalar(
            select(ChannelSetting).where(
                ChannelSetting.slack_channel_id == slack_channel_id,
                ChannelSetting.scope_key != key,
            )
        )
        if clash is not None:
            raise ServiceError(
                _("That Slack channel is already set for another area"), field="slack_channel_id"
            )
    changes = {
        "slack_channel_id": [setting.slack_channel_id, slack_channel_id or None],
        "email_recipients": [setting.email_recipients, ", ".join(email_recipients) or None],
        "allow_child_reference": [setting.allow_child_reference, allow_child_reference],
        "language": [setting.language, language],
    }
    setting.slack_channel_id = slack_channel_id or None
    setting.email_recipients = ", ".join(email_recipients) or None
    setting.allow_child_reference = allow_child_reference
    setting.language = language
    if remove_teams_webhook:
        setting.teams_webhook_url = None
        changes["teams_webhook_url"] = ["set", "removed"]
    elif teams_webhook_url:
        setting.teams_webhook_url = teams_webhook_url
        changes["teams_webhook_url"] = ["", "changed"]  # never the URL itself
    setting.updated_by_id = user.id
    setting.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "channel_settings_changed", "channel_setting", setting.id, user=user, changes=changes
    )
    db.session.commit()
    return setting


def _authority_name(row: dict) -> str:
    """An authority's name in a summary row: its Welsh name on a Welsh answer, if it has one."""
    return local_name(row["name"], row.get("name_cy"))


# --- what a Slack channel may be told -----------------------------------------------------------


def setting_for_slack_channel(channel_id: str) -> ChannelSetting | None:
    return db.session.scalar(
        select(ChannelSetting).where(ChannelSetting.slack_channel_id == channel_id)
    )


def _month_counts(home_id: int, months: list[Month]) -> dict[str, int]:
    """In-scope call-outs at one home in each of these months (the monthly fact table)."""
    wanted = [str(m) for m in months]
    rows = monthly_facts.callout_totals(
        min(wanted), max(wanted), by=("month",), measures=("callouts",),
        home_condition=Home.id == home_id,
    )  # fmt: skip
    found = {row.month: int(row.callouts) for row in rows}
    return {month: found.get(month, 0) for month in wanted}


def _open_flags(condition: ColumnElement[bool]) -> list[Flag]:
    return list(
        db.session.scalars(
            select(Flag)
            .join(Home, Flag.home_id == Home.id)
            .where(condition, Flag.status != FlagStatus.RESOLVED.value)
            .order_by(Flag.raised_at.desc())
            .limit(20)
        )
    )


def answer_home(setting: ChannelSetting, urn: str, now: datetime, base_url: str) -> str:
    home = db.session.scalar(
        select(Home).where(Home.urn == urn.upper(), access.channel_homes_condition(setting))
    )
    if home is None:
        return _("No home with URN %(urn)s in this channel's area.", urn=urn.upper())
    this_month = Month.of(now)
    counts = _month_counts(home.id, [this_month, this_month.previous()])
    flags = _open_flags(Home.id == home.id)
    lines = [f"*{home.name} ({home.urn})*"]
    for month, count in counts.items():
        lines.append(
            ngettext(
                "%(month)s: %(num)d call-out",
                "%(month)s: %(num)d call-outs",
                count,
                month=Month.parse(month).label,
            )
        )
    lines.append(_("Open flags: %(count)s", count=len(flags)))
    lines.extend(f"• {flag.rule_label} <{base_url}/flags/{flag.id}|{_open()}>" for flag in flags)
    return "\n".join(lines)


def _open() -> str:
    """The word of a link to a record, in Slack's mrkdwn."""
    return pgettext("link", "open")


def answer_flags(setting: ChannelSetting, base_url: str) -> str:
    flags = _open_flags(access.channel_homes_condition(setting))
    if not flags:
        return _("No open flags in this channel's area.")
    lines = ["*" + ngettext("%(num)d open flag", "%(num)d open flags", len(flags)) + "*"]
    lines.extend(
        f"• {flag.home.name} ({flag.home.urn}): {flag.rule_label} "
        f"<{base_url}/flags/{flag.id}|{_open()}>"
        for flag in flags
    )
    return "\n".join(lines)


def answer_summary(setting: ChannelSetting, month: Month, now: datetime, base_url: str) -> str:
    """The month's compiled summary (compiled now if the month has ended and never was), with
    the authorities of the channel's area only. No child references."""
    link = f"<{base_url}/summaries/?month={month}|{_('Open the summary')}>"
    snapshot = summaries.compiled_or_compile(month, now)
    if snapshot is None:
        return f"{summaries.not_compilable(month, now) or _('No such summary')}.\n{link}"
    document = access.scoped_summary(snapshot.as_document(), access.channel_summary_scope(setting))
    compiled = format_day(to_london(snapshot.compiled_at).date())
    lines = [
        _(
            "*Call-outs in %(month)s* (version %(version)s, compiled %(day)s)",
            month=month.label,
            version=snapshot.version,
            day=compiled,
        )
    ]
    if not document["authorities"]:
        lines.append(_("None recorded."))
    for row in document["authorities"]:
        rate = row["rate_per_10_places"]
        values = {
            "name": _authority_name(row),
            "callouts": row["callouts"],
            "last_year": row["same_month_last_year"],
            "missing": row["missing_excluded"],
            "criminal": row["criminal_outcomes"],
            "rate": format_number(rate) if rate is not None else "",
        }
        if rate is not None:
            text = _(
                "• %(name)s: %(callouts)s (same month last year %(last_year)s; %(missing)s "
                "missing or absent not counted; %(rate)s per 10 places; %(criminal)s criminal "
                "outcomes)",
                **values,
            )
        else:
            text = _(
                "• %(name)s: %(callouts)s (same month last year %(last_year)s; %(missing)s "
                "missing or absent not counted; %(criminal)s criminal outcomes)",
                **values,
            )
        lines.append(text)
    repeat = len(document["repeat_children"])
    if repeat:
        lines.append(_("Children with repeated call-outs: %(count)s", count=repeat))
    lines.append(link)
    return "\n".join(lines)
