"""The audit log in words: one sentence per event ("Sam Jones opened 12 call-outs of Heathview"),
and a label per kind of event for the log's filter. Pure: the service looks up the names.

Actions are named ``<record>_<verb>`` (docs/development.md). Each has a label and a sentence
here; a family of actions made from a record type (``flag_viewed``, ``callout_not_found``,
``authority_created``) is described from the record's noun and the verb. An action nobody
described falls back to its words, and ``describe`` says so (``known``): a test fails on it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..vocab import ActionStatus, FlagRule, Source
from . import report_history
from .time import Month

#: Each kind of record, as (one, many).
NOUNS: dict[str, tuple[str, str]] = {
    "callout": ("call-out", "call-outs"),
    "review": ("review", "reviews"),
    "action": ("action", "actions"),
    "flag": ("flag", "flags"),
    "user": ("person", "people"),
    "home": ("home", "homes"),
    "authority": ("authority", "authorities"),
    "force": ("police force", "police forces"),
    "police_force": ("police force", "police forces"),
    "summary": ("monthly summary", "monthly summaries"),
    "summary_snapshot": ("monthly summary", "monthly summaries"),
    "audit_log": ("audit log", "audit logs"),
    "channel_setting": ("alert channel", "alert channels"),
    "outbox_message": ("message", "messages"),
    "delivery": ("delivery of a message", "deliveries"),
    "setting": ("setting", "settings"),
    "import_run": ("import", "imports"),
    "saved_form": ("saved form", "saved forms"),
    "api_token": ("API token", "API tokens"),
    "identity_provider": ("organisation's sign-in", "organisations' sign-ins"),
    "group_mapping": ("group of an organisation's sign-in", "groups"),
}

#: What an action-family verb means, as (label, what the person did to the record).
VERBS: dict[str, tuple[str, str]] = {
    "viewed": ("opened", "opened {record}"),
    "not_found": (
        "asked for, not found",
        "asked for {record}, which does not exist or is not theirs to see",
    ),
    "created": ("added", "added {record}"),
    "changed": ("changed", "changed {record}"),
}

PERMISSIONS: dict[str, str] = {
    "file_home_report": "file or correct a home's report",
    "file_police_record": "file or update a police record",
    "review": "review call-outs",
    "manage_flags": "deal with flags",
    "view_summaries": "see the monthly summaries",
    "read_free_text": "read free text",
    "administer": "administer the service",
}


@dataclass(frozen=True)
class Facts:
    """One audit row, with the names the service looked up for it."""

    action: str
    record_type: str | None
    record_id: int | None
    changes: Mapping[str, Any]
    who: str  # the person's name or email; "The service" for the scheduler and imports
    #: ``record`` (the record's own name, like a person's or a home's), ``callout_homes``
    #: (call-out id → its home's name), ``users`` (id → name), ``authorities`` (code → name)
    names: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Description:
    sentence: str
    details: list[str] = field(default_factory=list)
    known: bool = True


def noun(record_type: str | None, many: bool = False) -> str:
    if not record_type:
        return "record"
    one, more = NOUNS.get(
        record_type, (record_type.replace("_", " "), record_type.replace("_", " ") + "s")
    )
    return more if many else one


def record_words(facts: Facts) -> str:
    """``call-out 52 (Harbour View)``, ``Sam Jones``, ``the audit log``."""
    if facts.record_type in (None, "audit_log", "setting"):
        return "the " + noun(facts.record_type) if facts.record_type else "the service"
    name = facts.names.get("record")
    if facts.record_type == "user":
        return name or (f"person {facts.record_id}" if facts.record_id is not None else "a person")
    if facts.record_id is None:
        return noun(facts.record_type, many=True)
    words = f"{noun(facts.record_type)} {facts.record_id}"
    if facts.record_type == "callout":
        home = facts.names.get("callout_homes", {}).get(facts.record_id)
        return f"{words} ({home})" if home else words
    return f"{name} ({words})" if name else words


def _month(value: Any) -> str:
    try:
        return Month.parse(str(value)).label
    except ValueError:
        return str(value)


def _label(vocabulary: Any, slug: Any) -> str:
    try:
        return vocabulary(slug).label
    except ValueError:
        return str(slug)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _listing(names: Sequence[str], limit: int = 3) -> str:
    names = sorted(set(names))
    if len(names) > limit:
        shown = names[:limit]
        return ", ".join(shown) + f" and {_count(len(names) - limit, 'other', 'others')}"
    if len(names) > 1:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return names[0] if names else ""


def _path(changes: Mapping[str, Any]) -> list[str]:
    return [f"Page asked for: {changes['path']}"] if changes.get("path") else []


# Actions with more to say than their record ------------------------------------------------


def _callout_list_viewed(facts: Facts) -> Description:
    ids = list(facts.changes.get("ids") or [])
    homes = [facts.names.get("callout_homes", {}).get(i) for i in ids]
    homes = [h for h in homes if h]
    what = _count(len(ids), "call-out", "call-outs")
    sentence = f"{facts.who} listed {what}" + (f" of {_listing(homes)}" if homes else "")
    filters = facts.changes.get("filters") or {}
    details = []
    if filters.get("page"):
        details.append(f"Page {filters['page']} of the list")
    if filters.get("month"):
        details.append(f"Month: {_month(filters['month'])}")
    if filters.get("category"):
        details.append(f"Category: {report_history.value_text('category', filters['category'])}")
    return Description(sentence, details)


def _callout_searched(facts: Facts) -> Description:
    ids = list(facts.changes.get("ids") or [])
    looked_for = facts.changes.get("looked_for") or ""
    homes = [facts.names.get("callout_homes", {}).get(i) for i in ids]
    homes = [h for h in homes if h]
    what = _count(len(ids), "call-out", "call-outs") if ids else "no call-outs"
    sentence = f"{facts.who} looked for {looked_for} and found {what}" + (
        f" of {_listing(homes)}" if homes else ""
    )
    return Description(sentence, [])


def _report_fields(facts: Facts, key: str = "fields") -> list[str]:
    fields = facts.changes.get(key) or {}
    if not isinstance(fields, Mapping):
        return []
    names = {"home_id": {}, "placing_authority_id": {}}
    rows = report_history.changes(
        {name: [_plain(v) for v in values] for name, values in fields.items()}, names=names
    )
    return [f"{r.field}: {r.before} → {r.after}" for r in rows]


def _plain(value: Any) -> Any:
    return "(withheld)" if value == "(withheld)" else value


def _callout_created(facts: Facts) -> Description:
    source = _label(Source, facts.changes.get("source", "home")).lower()
    details = [
        line
        for line in _report_fields(facts)
        if not line.startswith(("Home:", "Placing authority:")) and "(withheld)" not in line
    ]
    return Description(f"{facts.who} filed a {source} as {record_words(facts)}", details)


def _callout_changed(facts: Facts) -> Description:
    source = _label(Source, facts.changes.get("source", "home")).lower()
    details = _report_fields(facts)
    if facts.changes.get("reason"):
        details.append("A reason was given (shown on the call-out's page)")
    return Description(f"{facts.who} corrected the {source} of {record_words(facts)}", details)


def _callout_matched(facts: Facts) -> Description:
    source = _label(Source, facts.changes.get("source", "police")).lower()
    merged = facts.changes.get("merged_callout_id")
    return Description(
        f"The service matched a {source} to {record_words(facts)}, so it is counted once"
        + (f" (it was call-out {merged})" if merged else "")
    )


def _callout_unmatched(facts: Facts) -> Description:
    separate = facts.changes.get("separated_callout_id")
    return Description(
        f"The service parted the two reports of {record_words(facts)}"
        + (f"; the police record is now call-out {separate}" if separate else "")
    )


def _flag_raised(facts: Facts) -> Description:
    rule = _label(FlagRule, facts.changes.get("rule"))
    callouts = facts.changes.get("callouts") or []
    return Description(
        f"The service raised {record_words(facts)}: {rule}",
        [f"About {_count(len(callouts), 'call-out', 'call-outs')}"] if callouts else [],
    )


def _flag_callouts_attached(facts: Facts) -> Description:
    added = _count(len(facts.changes.get("callouts") or []), "call-out", "call-outs")
    return Description(f"The service added {added} to {record_words(facts)}")


def _summary(verb: str) -> Callable[[Facts], Description]:
    def describe(facts: Facts) -> Description:
        month = _month(facts.changes.get("month", ""))
        fmt = facts.changes.get("format")
        as_ = f" as {'Excel' if fmt == 'xlsx' else 'CSV'}" if fmt else ""
        version = facts.changes.get("version")
        if verb == "compiled":
            return Description(f"The service compiled the summary for {month} (version {version})")
        return Description(f"{facts.who} {verb} the summary for {month}{as_}")

    return describe


def _digest_viewed(facts: Facts) -> Description:
    month = _month(facts.changes.get("month", ""))
    return Description(f"{facts.who} opened the digest for {month}")


def _yearly(verb: str) -> Callable[[Facts], Description]:
    def describe(facts: Facts) -> Description:
        year = facts.changes.get("year")
        basis = facts.changes.get("basis")
        if not isinstance(year, int):
            return Description(f"{facts.who} {verb} the yearly report")
        which = (
            f"the three calendar years to {year}"
            if basis == "calendar"
            else f"the three financial years to March {year + 1}"
        )
        return Description(f"{facts.who} {verb} the yearly report for {which}")

    return describe


def _board_report(verb: str) -> Callable[[Facts], Description]:
    def describe(facts: Facts) -> Description:
        ending = facts.changes.get("year_ending") or ""
        try:
            year = f"the three years to {Month.parse(ending).label}"
        except ValueError:
            year = "three years"
        version = "public" if facts.changes.get("version") == "public" else "internal"
        fmt = {"xlsx": " as Excel", "docx": " as Word", "json": " as data (JSON)"}.get(
            facts.changes.get("format") or "", ""
        )
        return Description(f"{facts.who} {verb} the {version} board report for {year}{fmt}")

    return describe


def _permission_refused(facts: Facts) -> Description:
    permission = facts.changes.get("permission", "")
    what = PERMISSIONS.get(permission, "do that")
    return Description(
        f"{facts.who} was refused: only people who may {what} can do that", _path(facts.changes)
    )


def _sign_in_failed(facts: Facts) -> Description:
    reason = facts.changes.get("reason")
    reasons = {
        "not an email address": "what was entered is not an email address",
        "unknown account": "no account has that email address",
    }
    return Description(
        f"A sign-in as {facts.who if facts.who != 'The service' else 'an unknown person'} failed",
        [f"Why: {reasons.get(reason, reason)}"] if reason else [],
    )


def _someone(facts: Facts) -> str:
    """Who a sign-in was for: the person, or "an email address with no account"."""
    return facts.who if facts.who != "The service" else "an email address with no account"


def _sign_in_locked(facts: Facts) -> Description:
    attempts = facts.changes.get("attempts")
    details = [f"Wrong passwords: {attempts}"] if attempts else []
    return Description(
        f"Signing in as {_someone(facts)} was locked after too many wrong passwords", details
    )


def _sign_in_refused_locked(facts: Facts) -> Description:
    return Description(f"A sign-in as {_someone(facts)} was refused: it is locked")


def _imported(facts: Facts) -> Description:
    c = facts.changes
    source = c.get("source")
    what = (
        "home reports" if source == "home" else "police records" if source == "police" else "homes"
    )
    parts = [
        _count(c.get("created", 0), "new", "new"),
        _count(c.get("updated", 0), "updated", "updated"),
        _count(c.get("unchanged", 0), "unchanged", "unchanged"),
    ]
    details = [f"File: {c['file']}"] if c.get("file") else []
    if c.get("rows") is not None:
        details.append(_count(c["rows"], "row", "rows"))
    if c.get("matched"):
        details.append(f"{c['matched']} joined a call-out the other side had reported")
    return Description(f"{facts.who} imported {what}: {', '.join(parts)}", details)


def _status_changed(facts: Facts) -> Description:
    before, after = [*list(facts.changes.get("status") or []), None, None][:2]
    return Description(
        f"{facts.who} moved {record_words(facts)} from "
        f"{_label(ActionStatus, before)} to {_label(ActionStatus, after)}"
    )


def _review_changed(facts: Facts) -> Description:
    fields = facts.changes.get("fields") or []
    names = {
        "protocol_applied": "whether the protocol was applied",
        "police_necessary": "whether the police were needed",
        "police_response_proportionate": "whether the police response was proportionate",
        "outcome_proportionate": "whether the outcome was proportionate",
        "learning_points": "the learning points",
    }
    changed = (
        [names.get(f, str(f).replace("_", " ")) for f in fields] if isinstance(fields, list) else []
    )
    return Description(
        f"{facts.who} changed {record_words(facts)}",
        [f"Changed: {', '.join(changed)}"] if changed else [],
    )


def _subject_access(facts: Facts) -> Description:
    ids = facts.changes.get("callout_ids") or []
    authority = facts.changes.get("placing_authority")
    name = facts.names.get("authorities", {}).get(authority, authority)
    via = facts.changes.get("via")
    return Description(
        f"{facts.who} exported the records of a child placed by {name}: "
        f"{_count(len(ids), 'call-out', 'call-outs')}",
        [f"From the {via}"] if via == "command line" else [],
    )


def _retention(facts: Facts) -> Description:
    c = facts.changes
    callouts = _count(c.get("callouts", 0), "call-out", "call-outs")
    details = []
    if c.get("saved_forms"):
        forms = _count(c["saved_forms"], "draft or held form", "drafts and held forms")
        details.append(f"Also removed {forms} older than the days they are kept")
    return Description(
        f"The service removed the details of {callouts} older than the retention period "
        f"({c.get('retention_months')} months)",
        details,
    )


def _start_page_viewed(facts: Facts) -> Description:
    ids = list(facts.changes.get("callouts") or [])
    return Description(
        f"{facts.who} opened their start page"
        + (f", which listed {_count(len(ids), 'call-out', 'call-outs')}" if ids else "")
    )


def _form_held(facts: Facts) -> Description:
    whose = "its author's" if facts.who == "The service" else f"{facts.who}'s"
    return Description(
        f"A form sent after {whose} session had ended was kept for them ({record_words(facts)})",
        [f"Page: {facts.changes['path']}"] if facts.changes.get("path") else [],
    )


def _sentence(text: str) -> Callable[[Facts], Description]:
    def describe(facts: Facts) -> Description:
        return Description(
            text.format(who=facts.who, record=record_words(facts)), _path(facts.changes)
        )

    return describe


#: Every action the service records, with its label (for the filter) and how to say it.
EVENTS: dict[str, tuple[str, Callable[[Facts], Description]]] = {
    # Call-outs
    "callout_created": ("Call-out filed", _callout_created),
    "callout_changed": ("Call-out corrected", _callout_changed),
    "callout_viewed": ("Call-out opened", _sentence("{who} opened {record}")),
    "callout_list_viewed": ("Call-outs listed", _callout_list_viewed),
    "callout_searched": ("Call-outs looked for", _callout_searched),
    "callout_matched": ("Reports matched", _callout_matched),
    "callout_unmatched": ("Reports parted", _callout_unmatched),
    "callout_not_found": (
        "Call-out not found",
        _sentence("{who} asked for {record}, which does not exist or is not theirs to see"),
    ),
    "callouts_imported": ("Call-outs imported", _imported),
    # Reviews, actions, flags
    "review_recorded": ("Review recorded", _sentence("{who} reviewed a call-out ({record})")),
    "review_changed": ("Review changed", _review_changed),
    "action_created": ("Action agreed", _sentence("{who} agreed {record}")),
    "action_status_changed": ("Action moved on", _status_changed),
    "flag_raised": ("Flag raised", _flag_raised),
    "flag_callouts_attached": ("Call-outs added to a flag", _flag_callouts_attached),
    "flag_acknowledged": ("Flag acknowledged", _sentence("{who} acknowledged {record}")),
    "flag_resolved": ("Flag resolved", _sentence("{who} resolved {record}")),
    "flag_thresholds_changed": (
        "Flag thresholds changed",
        _sentence("{who} changed when flags are raised"),
    ),
    # Summaries and reports
    "summary_compiled": ("Summary compiled", _summary("compiled")),
    "summary_viewed": ("Summary opened", _summary("opened")),
    "summary_downloaded": ("Summary downloaded", _summary("downloaded")),
    "digest_viewed": ("Digest opened", _digest_viewed),
    "yearly_report_viewed": ("Yearly report opened", _yearly("opened")),
    "yearly_report_downloaded": ("Yearly report downloaded", _yearly("downloaded")),
    "board_report_viewed": ("Board report opened", _board_report("opened")),
    "board_report_downloaded": ("Board report downloaded", _board_report("downloaded")),
    "api_read": ("Read through the API", _sentence("{who} read {record} through the API")),
    "start_page_viewed": ("Start page opened", _start_page_viewed),
    # Drafts and forms held after a session ended (their contents are never recorded)
    "form_held": ("Form kept after signing out", _form_held),
    "form_restored": (
        "Kept form given back",
        _sentence("{who} signed in again and got back the form they had sent ({record})"),
    ),
    "draft_saved": ("Draft saved", _sentence("{who} saved a draft call-out ({record})")),
    "draft_opened": ("Draft opened", _sentence("{who} opened their draft ({record})")),
    "draft_deleted": ("Draft deleted", _sentence("{who} deleted their draft ({record})")),
    "draft_filed": ("Draft filed", _sentence("{who} filed their draft ({record})")),
    # Administration
    "home_created": ("Home added", _sentence("{who} added {record}")),
    "home_changed": ("Home changed", _sentence("{who} changed {record}")),
    "homes_imported": ("Homes imported", _imported),
    "channel_settings_changed": (
        "Alert channel changed",
        _sentence("{who} changed where alerts go ({record})"),
    ),
    "outbox_rerouted": ("Message sent again", _sentence("{who} sent {record} again")),
    "delivery_retried": ("Delivery tried again", _sentence("{who} tried a {record} again")),
    "audit_log_viewed": ("Audit log searched", _sentence("{who} searched the audit log")),
    "audit_log_exported": (
        "Audit log downloaded",
        _sentence("{who} downloaded entries of the audit log"),
    ),
    "subject_access_exported": ("Subject access export", _subject_access),
    "retention_purged": ("Old details removed", _retention),
    # People and signing in
    "user_created": ("Person added", _sentence("{who} added {record}")),
    "user_changed": ("Person changed", _sentence("{who} changed {record}'s account")),
    "user_invited": ("Person invited", _sentence("{who} invited {record}")),
    "user_viewed": ("Person's account opened", _sentence("{who} opened {record}'s account")),
    "user_deactivated": ("Account closed", _sentence("{who} closed {record}'s account")),
    "user_reactivated": ("Account reopened", _sentence("{who} reopened {record}'s account")),
    "user_unlocked": ("Account unlocked", _sentence("{who} unlocked {record}'s account")),
    "user_password_set": ("Password set", _sentence("{who} set a new password for {record}")),
    "user_language_changed": (
        "Language changed",
        _sentence("{who} changed the language of {record}'s pages and emails"),
    ),
    "password_changed": ("Password changed", _sentence("{who} changed their password")),
    "email_choices_changed": (
        "Email choices changed",
        _sentence("{who} changed which emails they get"),
    ),
    "invitation_sent": ("Invitation sent", _sentence("{who} invited {record} to the service")),
    "invitation_emailed": (
        "Invitation emailed",
        _sentence("{who}'s invitation to {record} went by email"),
    ),
    "invitation_accepted": (
        "Invitation accepted",
        _sentence("{who} accepted their invitation and chose a password"),
    ),
    "invitation_withdrawn": (
        "Invitation withdrawn",
        _sentence("{who} withdrew the invitation of {record}"),
    ),
    "password_reset_requested": (
        "Password reset asked for",
        _sentence("{who} asked for a link to reset their password"),
    ),
    "password_reset_issued": (
        "Reset link made",
        _sentence("{who} made a password reset link for {record}"),
    ),
    "password_reset": ("Password reset", _sentence("{who} reset their password with a link")),
    "password_sign_in_changed": (
        "Password sign-in changed",
        _sentence("{who} changed whether {record} may sign in with a password"),
    ),
    "two_factor_enabled": (
        "Two-factor sign-in on",
        _sentence("{who} turned on two-factor sign-in"),
    ),
    "two_factor_reset": (
        "Two-factor sign-in reset",
        _sentence("{who} reset two-factor sign-in for {record}"),
    ),
    "two_factor_locked": (
        "Two-factor codes locked",
        _sentence("{who}'s two-factor codes were locked after too many wrong codes"),
    ),
    "recovery_codes_created": ("Recovery codes made", _sentence("{who} made new recovery codes")),
    "api_token_created": ("API token made", _sentence("{who} made an API token")),
    "api_token_revoked": ("API token revoked", _sentence("{who} revoked an API token")),
    "sign_in": ("Signed in", _sentence("{who} signed in")),
    "sign_in_two_factor": (
        "Signed in with a code",
        _sentence("{who} signed in with a two-factor code"),
    ),
    "sign_in_recovery_code": (
        "Signed in with a recovery code",
        _sentence("{who} signed in with a recovery code"),
    ),
    "sign_in_failed": ("Sign-in failed", _sign_in_failed),
    "sign_in_refused_locked": ("Sign-in refused: locked", _sign_in_refused_locked),
    "sign_in_locked": ("Sign-in locked", _sign_in_locked),
    "sign_in_refused_password_off": (
        "Sign-in refused: password off",
        _sentence(
            "{who} could not sign in with a password: they sign in through their organisation"
        ),
    ),
    "sign_out": ("Signed out", _sentence("{who} signed out")),
    "signed_out_everywhere": (
        "Signed out everywhere",
        _sentence("{who} signed out on every device"),
    ),
    "permission_refused": ("Refused", _permission_refused),
    # Organisations' sign-in
    "identity_provider_created": ("Organisation sign-in added", _sentence("{who} added {record}")),
    "identity_provider_changed": (
        "Organisation sign-in changed",
        _sentence("{who} changed {record}"),
    ),
    "scim_token_issued": (
        "Provisioning token made",
        _sentence("{who} made a provisioning token for {record}"),
    ),
    "scim_token_rotated": (
        "Provisioning token replaced",
        _sentence("{who} replaced the provisioning token of {record}"),
    ),
    "group_mapping_added": ("Group added", _sentence("{who} added a group to {record}")),
    "group_mapping_removed": ("Group removed", _sentence("{who} removed a group from {record}")),
    "single_sign_on_refused": (
        "Organisation sign-in refused",
        _sentence("A sign-in through {record} was refused"),
    ),
}


def _family(action: str) -> tuple[str, str, str] | None:
    """``flag_viewed`` → (record type, label, sentence template), for the action families."""
    for verb, (verb_label, template) in VERBS.items():
        suffix = "_" + verb
        if action.endswith(suffix) and action[: -len(suffix)] in NOUNS:
            record_type = action[: -len(suffix)]
            return record_type, f"{noun(record_type).capitalize()} {verb_label}", template
    return None


def label(action: str) -> str:
    """The kind of event, for the log's filter: "Call-out opened"."""
    if action in EVENTS:
        return EVENTS[action][0]
    family = _family(action)
    if family:
        return family[1]
    return action.replace("_", " ").capitalize()


def describe(facts: Facts) -> Description:
    """The event as one sentence, with any details worth a line each."""
    if facts.action in EVENTS:
        return EVENTS[facts.action][1](facts)
    family = _family(facts.action)
    if family:
        template = family[2]
        return Description(
            f"{facts.who} " + template.format(record=record_words(facts)), _path(facts.changes)
        )
    return Description(
        f"{facts.who}: {facts.action.replace('_', ' ')} ({record_words(facts)})", known=False
    )
