"""The audit log in words: one sentence per event ("Sam Jones opened 12 call-outs of Heathview"),
and a label per kind of event for the log's filter. Pure: the service looks up the names.

Actions are named ``<record>_<verb>`` (docs/development.md). Each has a label and a sentence
here; a family of actions made from a record type (``flag_viewed``, ``callout_not_found``,
``authority_created``) is described from the record's noun and the verb. An action nobody
described falls back to its words, and ``describe`` says so (``known``): a test fails on it.

Every sentence is one message with placeholders (``%(who)s``, ``%(record)s``, …), in the
language of the page that shows it (i18n): labels and sentences are marked with ``N_`` and read
through gettext when an event is described, never built from pieces.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..i18n import N_, _, ngettext, translate
from ..vocab import ActionStatus, FlagRule, Source
from . import report_history
from .time import Month

#: Who did what the scheduler, an import or the service itself did (``Facts.who``).
SERVICE = "The service"
#: The service as a sentence names it (lower case: "… gan y gwasanaeth").
SERVICE_NAME = N_("the service")

#: Each kind of record, as (one, many).
NOUNS: dict[str, tuple[str, str]] = {
    "callout": (N_("call-out"), N_("call-outs")),
    "review": (N_("review"), N_("reviews")),
    "action": (N_("action"), N_("actions")),
    "flag": (N_("flag"), N_("flags")),
    "user": (N_("person"), N_("people")),
    "home": (N_("home"), N_("homes")),
    "authority": (N_("authority"), N_("authorities")),
    "force": (N_("police force"), N_("police forces")),
    "police_force": (N_("police force"), N_("police forces")),
    "summary": (N_("monthly summary"), N_("monthly summaries")),
    "summary_snapshot": (N_("monthly summary"), N_("monthly summaries")),
    "audit_log": (N_("audit log"), N_("audit logs")),
    "channel_setting": (N_("alert channel"), N_("alert channels")),
    "outbox_message": (N_("message"), N_("messages")),
    "delivery": (N_("delivery of a message"), N_("deliveries")),
    "setting": (N_("setting"), N_("settings")),
    "import_run": (N_("import"), N_("imports")),
    "saved_form": (N_("saved form"), N_("saved forms")),
    "api_token": (N_("API token"), N_("API tokens")),
    "identity_provider": (N_("organisation's sign-in"), N_("organisations' sign-ins")),
    "group_mapping": (N_("group of an organisation's sign-in"), N_("groups")),
}

#: What an action-family verb means, as (label, sentence): each a whole message.
VERBS: dict[str, tuple[str, str]] = {
    "viewed": (N_("%(noun)s opened"), N_("%(who)s opened %(record)s")),
    "not_found": (
        N_("%(noun)s asked for, not found"),
        N_("%(who)s asked for %(record)s, which does not exist or is not theirs to see"),
    ),
    "created": (N_("%(noun)s added"), N_("%(who)s added %(record)s")),
    "changed": (N_("%(noun)s changed"), N_("%(who)s changed %(record)s")),
}

#: Why a person was refused: the whole sentence for each permission.
PERMISSIONS: dict[str, str] = {
    "file_home_report": N_(
        "%(who)s was refused: only people who may file or correct a home's report can do that"
    ),
    "file_police_record": N_(
        "%(who)s was refused: only people who may file or update a police record can do that"
    ),
    "review": N_("%(who)s was refused: only people who may review call-outs can do that"),
    "manage_flags": N_("%(who)s was refused: only people who may deal with flags can do that"),
    "view_summaries": N_(
        "%(who)s was refused: only people who may see the monthly summaries can do that"
    ),
    "read_free_text": N_("%(who)s was refused: only people who may read free text can do that"),
    "administer": N_("%(who)s was refused: only people who may administer the service can do that"),
}
_REFUSED = N_("%(who)s was refused: only people who may do that can do that")


@dataclass(frozen=True)
class Facts:
    """One audit row, with the names the service looked up for it."""

    action: str
    record_type: str | None
    record_id: int | None
    changes: Mapping[str, Any]
    who: str  # the person's name or email; SERVICE for the scheduler and imports
    #: ``record`` (the record's own name, like a person's or a home's), ``callout_homes``
    #: (call-out id → its home's name), ``users`` (id → name), ``authorities`` (code → name)
    names: Mapping[str, Any] = field(default_factory=dict)

    @property
    def by_service(self) -> bool:
        return self.who == SERVICE

    @property
    def actor(self) -> str:
        """Who, in the current language: the person, or "the service" (a sentence begins with a
        capital: ``_sentence_case``)."""
        return translate(SERVICE_NAME) if self.by_service else self.who


@dataclass(frozen=True)
class Description:
    sentence: str
    details: list[str] = field(default_factory=list)
    known: bool = True
    #: The page (a path, a code: shown as one) the event was about, and what it was to the
    #: person: ``asked`` for (a refusal, a page opened) or ``sent`` to (a form kept).
    page: str | None = None
    page_kind: str = "asked"


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def noun(record_type: str | None, many: bool = False) -> str:
    """The kind of record in the current language: "call-out", or "call-outs" (``many``)."""
    if not record_type:
        return _("record")
    if record_type not in NOUNS:
        words = record_type.replace("_", " ")
        return words + "s" if many else words
    one, more = NOUNS[record_type]
    return translate(more if many else one)


def record_words(facts: Facts) -> str:
    """``call-out 52 (Harbour View)``, ``Sam Jones``, ``the audit log``."""
    if facts.record_type is None:
        return translate(SERVICE_NAME)
    if facts.record_type == "audit_log":
        return _("the audit log")
    if facts.record_type == "setting":
        return _("the setting")
    name = facts.names.get("record")
    if facts.record_type == "user":
        if name:
            return name
        if facts.record_id is not None:
            return _("person %(number)s", number=facts.record_id)
        return _("a person")
    if facts.record_id is None:
        return noun(facts.record_type, many=True)
    words = _("%(noun)s %(number)s", noun=noun(facts.record_type), number=facts.record_id)
    if facts.record_type == "callout":
        home = facts.names.get("callout_homes", {}).get(facts.record_id)
        return _("%(callout)s (%(home)s)", callout=words, home=home) if home else words
    return _("%(name)s (%(record)s)", name=name, record=words) if name else words


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


def _callouts(n: int) -> str:
    return ngettext("%(num)d call-out", "%(num)d call-outs", n)


def _listing(names: Sequence[str], limit: int = 3) -> str:
    names = sorted(set(names))
    if len(names) > limit:
        others = ngettext("%(num)d other", "%(num)d others", len(names) - limit)
        return _("%(names)s and %(others)s", names=", ".join(names[:limit]), others=others)
    if len(names) > 1:
        return _("%(names)s and %(last)s", names=", ".join(names[:-1]), last=names[-1])
    return names[0] if names else ""


def _page(changes: Mapping[str, Any]) -> str | None:
    path = changes.get("path")
    return str(path) if path else None


# Actions with more to say than their record ------------------------------------------------


def _callout_list_viewed(facts: Facts) -> Description:
    ids = list(facts.changes.get("ids") or [])
    homes = [facts.names.get("callout_homes", {}).get(i) for i in ids]
    homes = [h for h in homes if h]
    if homes:
        sentence = _(
            "%(who)s listed %(callouts)s of %(homes)s",
            who=facts.actor,
            callouts=_callouts(len(ids)),
            homes=_listing(homes),
        )
    else:
        sentence = _("%(who)s listed %(callouts)s", who=facts.actor, callouts=_callouts(len(ids)))
    filters = facts.changes.get("filters") or {}
    details = []
    if filters.get("page"):
        details.append(_("Page %(number)s of the list", number=filters["page"]))
    if filters.get("month"):
        details.append(_("Month: %(month)s", month=_month(filters["month"])))
    if filters.get("category"):
        category = report_history.value_text("category", filters["category"])
        details.append(_("Category: %(category)s", category=category))
    return Description(sentence, details)


def _callout_searched(facts: Facts) -> Description:
    ids = list(facts.changes.get("ids") or [])
    looked_for = facts.changes.get("looked_for") or ""
    homes = [facts.names.get("callout_homes", {}).get(i) for i in ids]
    homes = [h for h in homes if h]
    if not ids:
        sentence = _(
            "%(who)s looked for %(text)s and found no call-outs", who=facts.actor, text=looked_for
        )
    elif homes:
        sentence = _(
            "%(who)s looked for %(text)s and found %(callouts)s of %(homes)s",
            who=facts.actor,
            text=looked_for,
            callouts=_callouts(len(ids)),
            homes=_listing(homes),
        )
    else:
        sentence = _(
            "%(who)s looked for %(text)s and found %(callouts)s",
            who=facts.actor,
            text=looked_for,
            callouts=_callouts(len(ids)),
        )
    return Description(sentence, [])


#: Fields a filing's details leave out: the call-out's own line names its home already.
_NOT_DETAILED = frozenset({"home_id", "placing_authority_id"})


def _report_fields(facts: Facts, key: str = "fields", *, leave_out: bool = False) -> list[str]:
    fields = facts.changes.get(key) or {}
    if not isinstance(fields, Mapping):
        return []
    names = {"home_id": {}, "placing_authority_id": {}}
    lines = []
    for name, values in fields.items():
        values = [_plain(v) for v in values]
        if leave_out and (name in _NOT_DETAILED or WITHHELD in values):
            continue
        (row,) = report_history.changes({name: values}, names=names)
        row = report_history.Change(
            row.field,
            _("(withheld)") if row.before == WITHHELD else row.before,
            _("(withheld)") if row.after == WITHHELD else row.after,
        )
        lines.append(
            (
                name,
                _(
                    "%(field)s: %(before)s → %(after)s",
                    field=row.field,
                    before=row.before,
                    after=row.after,
                ),
            )
        )
    order = list(report_history.FIELD_LABELS)
    lines.sort(key=lambda line: order.index(line[0]) if line[0] in order else len(order))
    return [text for _name, text in lines]


#: What the audit row holds in place of a value it must not keep.
WITHHELD = "(withheld)"


def _plain(value: Any) -> Any:
    return WITHHELD if value == WITHHELD else value


def _callout_created(facts: Facts) -> Description:
    record = record_words(facts)
    if facts.changes.get("source", "home") == Source.POLICE.value:
        sentence = _("%(who)s filed a police record as %(record)s", who=facts.actor, record=record)
    else:
        sentence = _("%(who)s filed a home report as %(record)s", who=facts.actor, record=record)
    return Description(sentence, _report_fields(facts, leave_out=True))


def _callout_changed(facts: Facts) -> Description:
    record = record_words(facts)
    if facts.changes.get("source", "home") == Source.POLICE.value:
        sentence = _(
            "%(who)s corrected the police record of %(record)s", who=facts.actor, record=record
        )
    else:
        sentence = _(
            "%(who)s corrected the home report of %(record)s", who=facts.actor, record=record
        )
    details = _report_fields(facts)
    if facts.changes.get("reason"):
        details.append(_("A reason was given (shown on the call-out's page)"))
    return Description(sentence, details)


def _callout_matched(facts: Facts) -> Description:
    record = record_words(facts)
    merged = facts.changes.get("merged_callout_id")
    if facts.changes.get("source", "police") == Source.HOME.value:
        if merged:
            sentence = _(
                "The service matched a home report to %(record)s, so it is counted once (it was "
                "call-out %(merged)s)",
                record=record,
                merged=merged,
            )
        else:
            sentence = _(
                "The service matched a home report to %(record)s, so it is counted once",
                record=record,
            )
    elif merged:
        sentence = _(
            "The service matched a police record to %(record)s, so it is counted once (it was "
            "call-out %(merged)s)",
            record=record,
            merged=merged,
        )
    else:
        sentence = _(
            "The service matched a police record to %(record)s, so it is counted once",
            record=record,
        )
    return Description(sentence)


def _callout_unmatched(facts: Facts) -> Description:
    separate = facts.changes.get("separated_callout_id")
    record = record_words(facts)
    if separate:
        return Description(
            _(
                "The service parted the two reports of %(record)s; the police record is now "
                "call-out %(separate)s",
                record=record,
                separate=separate,
            )
        )
    return Description(_("The service parted the two reports of %(record)s", record=record))


def _flag_raised(facts: Facts) -> Description:
    rule = _label(FlagRule, facts.changes.get("rule"))
    callouts = facts.changes.get("callouts") or []
    return Description(
        _("The service raised %(record)s: %(rule)s", record=record_words(facts), rule=rule),
        [_("About %(callouts)s", callouts=_callouts(len(callouts)))] if callouts else [],
    )


def _flag_callouts_attached(facts: Facts) -> Description:
    added = _callouts(len(facts.changes.get("callouts") or []))
    return Description(
        _(
            "The service added %(callouts)s to %(record)s",
            callouts=added,
            record=record_words(facts),
        )
    )


#: The summary events' sentences: (without a format, as CSV, as Excel).
_SUMMARY = {
    "opened": (
        N_("%(who)s opened the summary for %(month)s"),
        N_("%(who)s opened the summary for %(month)s as CSV"),
        N_("%(who)s opened the summary for %(month)s as Excel"),
    ),
    "downloaded": (
        N_("%(who)s downloaded the summary for %(month)s"),
        N_("%(who)s downloaded the summary for %(month)s as CSV"),
        N_("%(who)s downloaded the summary for %(month)s as Excel"),
    ),
}


def _summary(verb: str) -> Callable[[Facts], Description]:
    def describe(facts: Facts) -> Description:
        month = _month(facts.changes.get("month", ""))
        fmt = facts.changes.get("format")
        if verb == "compiled":
            return Description(
                _(
                    "The service compiled the summary for %(month)s (version %(version)s)",
                    month=month,
                    version=facts.changes.get("version"),
                )
            )
        plain, csv, excel = _SUMMARY[verb]
        message = (excel if fmt == "xlsx" else csv) if fmt else plain
        return Description(_(message, who=facts.actor, month=month))

    return describe


def _digest_viewed(facts: Facts) -> Description:
    month = _month(facts.changes.get("month", ""))
    return Description(_("%(who)s opened the digest for %(month)s", who=facts.actor, month=month))


#: The yearly report's sentences: (no year, calendar years, financial years).
_YEARLY = {
    "opened": (
        N_("%(who)s opened the yearly report"),
        N_("%(who)s opened the yearly report for the three calendar years to %(year)s"),
        N_("%(who)s opened the yearly report for the three financial years to March %(year)s"),
    ),
    "downloaded": (
        N_("%(who)s downloaded the yearly report"),
        N_("%(who)s downloaded the yearly report for the three calendar years to %(year)s"),
        N_("%(who)s downloaded the yearly report for the three financial years to March %(year)s"),
    ),
}


def _yearly(verb: str) -> Callable[[Facts], Description]:
    def describe(facts: Facts) -> Description:
        year = facts.changes.get("year")
        basis = facts.changes.get("basis")
        plain, calendar, financial = _YEARLY[verb]
        if not isinstance(year, int):
            return Description(_(plain, who=facts.actor))
        if basis == "calendar":
            return Description(_(calendar, who=facts.actor, year=year))
        return Description(_(financial, who=facts.actor, year=year + 1))

    return describe


#: The board report's sentences by (verb, version).
_BOARD = {
    ("opened", "public"): N_("%(who)s opened the public board report for %(years)s"),
    ("opened", "internal"): N_("%(who)s opened the internal board report for %(years)s"),
    ("downloaded", "public"): N_("%(who)s downloaded the public board report for %(years)s"),
    ("downloaded", "internal"): N_("%(who)s downloaded the internal board report for %(years)s"),
}
#: The board report's formats: (format, a sentence ending "… as <format>").
_AS_FORMAT = {
    "xlsx": N_("%(sentence)s as Excel"),
    "docx": N_("%(sentence)s as Word"),
    "json": N_("%(sentence)s as data (JSON)"),
}


def _board_report(verb: str) -> Callable[[Facts], Description]:
    def describe(facts: Facts) -> Description:
        ending = facts.changes.get("year_ending") or ""
        try:
            years = _("the three years to %(month)s", month=Month.parse(ending).label)
        except ValueError:
            years = _("three years")
        version = "public" if facts.changes.get("version") == "public" else "internal"
        sentence = _(_BOARD[(verb, version)], who=facts.actor, years=years)
        fmt = _AS_FORMAT.get(facts.changes.get("format") or "")
        return Description(_(fmt, sentence=sentence) if fmt else sentence)

    return describe


def _permission_refused(facts: Facts) -> Description:
    message = PERMISSIONS.get(facts.changes.get("permission", ""), _REFUSED)
    return Description(_(message, who=facts.actor), page=_page(facts.changes))


#: Why a sign-in failed, as the audit row records it.
_SIGN_IN_REASONS = {
    "not an email address": N_("what was entered is not an email address"),
    "unknown account": N_("no account has that email address"),
}


def _sign_in_failed(facts: Facts) -> Description:
    reason = facts.changes.get("reason")
    if facts.by_service:
        sentence = _("A sign-in as an unknown person failed")
    else:
        sentence = _("A sign-in as %(who)s failed", who=facts.who)
    why = translate(_SIGN_IN_REASONS[reason]) if reason in _SIGN_IN_REASONS else reason
    return Description(sentence, [_("Why: %(reason)s", reason=why)] if reason else [])


def _sign_in_locked(facts: Facts) -> Description:
    attempts = facts.changes.get("attempts")
    details = [_("Wrong passwords: %(attempts)s", attempts=attempts)] if attempts else []
    if facts.by_service:
        sentence = _(
            "Signing in as an email address with no account was locked after too many wrong "
            "passwords"
        )
    else:
        sentence = _(
            "Signing in as %(who)s was locked after too many wrong passwords", who=facts.who
        )
    return Description(sentence, details)


def _sign_in_refused_locked(facts: Facts) -> Description:
    if facts.by_service:
        return Description(
            _("A sign-in as an email address with no account was refused: it is locked")
        )
    return Description(_("A sign-in as %(who)s was refused: it is locked", who=facts.who))


#: What was imported: (kind of import, sentence).
_IMPORTED = {
    "home": N_(
        "%(who)s imported home reports: %(created)s new, %(updated)s updated, "
        "%(unchanged)s unchanged"
    ),
    "police": N_(
        "%(who)s imported police records: %(created)s new, %(updated)s updated, "
        "%(unchanged)s unchanged"
    ),
    None: N_(
        "%(who)s imported homes: %(created)s new, %(updated)s updated, %(unchanged)s unchanged"
    ),
}


def _imported(facts: Facts) -> Description:
    c = facts.changes
    message = _IMPORTED.get(c.get("source"), _IMPORTED[None])
    details = [_("File: %(file)s", file=c["file"])] if c.get("file") else []
    if c.get("rows") is not None:
        details.append(ngettext("%(num)d row", "%(num)d rows", c["rows"]))
    if c.get("matched"):
        details.append(
            _("%(matched)s joined a call-out the other side had reported", matched=c["matched"])
        )
    sentence = _(
        message,
        who=facts.actor,
        created=c.get("created", 0),
        updated=c.get("updated", 0),
        unchanged=c.get("unchanged", 0),
    )
    return Description(sentence, details)


def _status_changed(facts: Facts) -> Description:
    before, after = [*list(facts.changes.get("status") or []), None, None][:2]
    return Description(
        _(
            "%(who)s moved %(record)s from %(before)s to %(after)s",
            who=facts.actor,
            record=record_words(facts),
            before=_label(ActionStatus, before),
            after=_label(ActionStatus, after),
        )
    )


#: A review's answers, as "Changed: …" names them.
_REVIEW_FIELDS = {
    "protocol_applied": N_("whether the protocol was applied"),
    "police_necessary": N_("whether the police were needed"),
    "police_response_proportionate": N_("whether the police response was proportionate"),
    "outcome_proportionate": N_("whether the outcome was proportionate"),
    "learning_points": N_("the learning points"),
}


def _review_changed(facts: Facts) -> Description:
    fields = facts.changes.get("fields") or []
    changed = (
        [
            translate(_REVIEW_FIELDS[f]) if f in _REVIEW_FIELDS else str(f).replace("_", " ")
            for f in fields
        ]
        if isinstance(fields, list)
        else []
    )
    return Description(
        _("%(who)s changed %(record)s", who=facts.actor, record=record_words(facts)),
        [_("Changed: %(answers)s", answers=", ".join(changed))] if changed else [],
    )


def _subject_access(facts: Facts) -> Description:
    ids = facts.changes.get("callout_ids") or []
    authority = facts.changes.get("placing_authority")
    name = facts.names.get("authorities", {}).get(authority, authority)
    via = facts.changes.get("via")
    return Description(
        _(
            "%(who)s exported the records of a child placed by %(authority)s: %(callouts)s",
            who=facts.actor,
            authority=name,
            callouts=_callouts(len(ids)),
        ),
        [_("From the command line")] if via == "command line" else [],
    )


def _retention(facts: Facts) -> Description:
    c = facts.changes
    details = []
    if c.get("saved_forms"):
        details.append(
            ngettext(
                "Also removed %(num)d draft or held form older than the days they are kept",
                "Also removed %(num)d drafts and held forms older than the days they are kept",
                c["saved_forms"],
            )
        )
    return Description(
        _(
            "The service removed the details of %(callouts)s older than the retention period "
            "(%(months)s months)",
            callouts=_callouts(c.get("callouts", 0)),
            months=c.get("retention_months"),
        ),
        details,
    )


def _start_page_viewed(facts: Facts) -> Description:
    ids = list(facts.changes.get("callouts") or [])
    if ids:
        return Description(
            _(
                "%(who)s opened their start page, which listed %(callouts)s",
                who=facts.actor,
                callouts=_callouts(len(ids)),
            )
        )
    return Description(_("%(who)s opened their start page", who=facts.actor))


def _form_held(facts: Facts) -> Description:
    record = record_words(facts)
    if facts.by_service:
        sentence = _(
            "A form sent after its author's session had ended was kept for them (%(record)s)",
            record=record,
        )
    else:
        sentence = _(
            "A form sent after %(who)s's session had ended was kept for them (%(record)s)",
            who=facts.who,
            record=record,
        )
    return Description(sentence, page=_page(facts.changes), page_kind="sent")


def _sentence(message: str) -> Callable[[Facts], Description]:
    """An event said in one sentence (``message``, marked with N_) about who and the record."""

    def describe(facts: Facts) -> Description:
        return Description(
            _(message, who=facts.actor, record=record_words(facts)), page=_page(facts.changes)
        )

    return describe


#: Every action the service records, with its label (for the filter) and how to say it.
EVENTS: dict[str, tuple[str, Callable[[Facts], Description]]] = {
    # Call-outs
    "callout_created": (N_("Call-out filed"), _callout_created),
    "callout_changed": (N_("Call-out corrected"), _callout_changed),
    "callout_viewed": (N_("Call-out opened"), _sentence(N_("%(who)s opened %(record)s"))),
    "callout_list_viewed": (N_("Call-outs listed"), _callout_list_viewed),
    "callout_searched": (N_("Call-outs looked for"), _callout_searched),
    "callout_matched": (N_("Reports matched"), _callout_matched),
    "callout_unmatched": (N_("Reports parted"), _callout_unmatched),
    "callout_not_found": (
        N_("Call-out not found"),
        _sentence(N_("%(who)s asked for %(record)s, which does not exist or is not theirs to see")),
    ),
    "callouts_imported": (N_("Call-outs imported"), _imported),
    # Reviews, actions, flags
    "review_recorded": (
        N_("Review recorded"),
        _sentence(N_("%(who)s reviewed a call-out (%(record)s)")),
    ),
    "review_changed": (N_("Review changed"), _review_changed),
    "action_created": (N_("Action agreed"), _sentence(N_("%(who)s agreed %(record)s"))),
    "action_status_changed": (N_("Action moved on"), _status_changed),
    "flag_raised": (N_("Flag raised"), _flag_raised),
    "flag_callouts_attached": (N_("Call-outs added to a flag"), _flag_callouts_attached),
    "flag_acknowledged": (
        N_("Flag acknowledged"),
        _sentence(N_("%(who)s acknowledged %(record)s")),
    ),
    "flag_resolved": (N_("Flag resolved"), _sentence(N_("%(who)s resolved %(record)s"))),
    "flag_thresholds_changed": (
        N_("Flag thresholds changed"),
        _sentence(N_("%(who)s changed when flags are raised")),
    ),
    # Summaries and reports
    "summary_compiled": (N_("Summary compiled"), _summary("compiled")),
    "summary_viewed": (N_("Summary opened"), _summary("opened")),
    "summary_downloaded": (N_("Summary downloaded"), _summary("downloaded")),
    "digest_viewed": (N_("Digest opened"), _digest_viewed),
    "yearly_report_viewed": (N_("Yearly report opened"), _yearly("opened")),
    "yearly_report_downloaded": (N_("Yearly report downloaded"), _yearly("downloaded")),
    "board_report_viewed": (N_("Board report opened"), _board_report("opened")),
    "board_report_downloaded": (N_("Board report downloaded"), _board_report("downloaded")),
    "api_read": (
        N_("Read through the API"),
        _sentence(N_("%(who)s read %(record)s through the API")),
    ),
    "start_page_viewed": (N_("Start page opened"), _start_page_viewed),
    # Drafts and forms held after a session ended (their contents are never recorded)
    "form_held": (N_("Form kept after signing out"), _form_held),
    "form_restored": (
        N_("Kept form given back"),
        _sentence(N_("%(who)s signed in again and got back the form they had sent (%(record)s)")),
    ),
    "draft_saved": (
        N_("Draft saved"),
        _sentence(N_("%(who)s saved a draft call-out (%(record)s)")),
    ),
    "draft_opened": (N_("Draft opened"), _sentence(N_("%(who)s opened their draft (%(record)s)"))),
    "draft_deleted": (
        N_("Draft deleted"),
        _sentence(N_("%(who)s deleted their draft (%(record)s)")),
    ),
    "draft_filed": (N_("Draft filed"), _sentence(N_("%(who)s filed their draft (%(record)s)"))),
    # Administration
    "home_created": (N_("Home added"), _sentence(N_("%(who)s added %(record)s"))),
    "home_changed": (N_("Home changed"), _sentence(N_("%(who)s changed %(record)s"))),
    "homes_imported": (N_("Homes imported"), _imported),
    "channel_settings_changed": (
        N_("Alert channel changed"),
        _sentence(N_("%(who)s changed where alerts go (%(record)s)")),
    ),
    "outbox_rerouted": (N_("Message sent again"), _sentence(N_("%(who)s sent %(record)s again"))),
    "delivery_retried": (
        N_("Delivery tried again"),
        _sentence(N_("%(who)s tried a %(record)s again")),
    ),
    "audit_log_viewed": (N_("Audit log searched"), _sentence(N_("%(who)s searched the audit log"))),
    "audit_log_exported": (
        N_("Audit log downloaded"),
        _sentence(N_("%(who)s downloaded entries of the audit log")),
    ),
    "subject_access_exported": (N_("Subject access export"), _subject_access),
    "retention_purged": (N_("Old details removed"), _retention),
    # People and signing in
    "user_created": (N_("Person added"), _sentence(N_("%(who)s added %(record)s"))),
    "user_changed": (N_("Person changed"), _sentence(N_("%(who)s changed %(record)s's account"))),
    "user_invited": (N_("Person invited"), _sentence(N_("%(who)s invited %(record)s"))),
    "user_viewed": (
        N_("Person's account opened"),
        _sentence(N_("%(who)s opened %(record)s's account")),
    ),
    "user_deactivated": (
        N_("Account closed"),
        _sentence(N_("%(who)s closed %(record)s's account")),
    ),
    "user_reactivated": (
        N_("Account reopened"),
        _sentence(N_("%(who)s reopened %(record)s's account")),
    ),
    "user_unlocked": (
        N_("Account unlocked"),
        _sentence(N_("%(who)s unlocked %(record)s's account")),
    ),
    "user_password_set": (
        N_("Password set"),
        _sentence(N_("%(who)s set a new password for %(record)s")),
    ),
    "user_language_changed": (
        N_("Language changed"),
        _sentence(N_("%(who)s changed the language of %(record)s's pages and emails")),
    ),
    "password_changed": (N_("Password changed"), _sentence(N_("%(who)s changed their password"))),
    "email_choices_changed": (
        N_("Email choices changed"),
        _sentence(N_("%(who)s changed which emails they get")),
    ),
    "invitation_sent": (
        N_("Invitation sent"),
        _sentence(N_("%(who)s invited %(record)s to the service")),
    ),
    "invitation_emailed": (
        N_("Invitation emailed"),
        _sentence(N_("%(who)s's invitation to %(record)s went by email")),
    ),
    "invitation_accepted": (
        N_("Invitation accepted"),
        _sentence(N_("%(who)s accepted their invitation and chose a password")),
    ),
    "invitation_withdrawn": (
        N_("Invitation withdrawn"),
        _sentence(N_("%(who)s withdrew the invitation of %(record)s")),
    ),
    "password_reset_requested": (
        N_("Password reset asked for"),
        _sentence(N_("%(who)s asked for a link to reset their password")),
    ),
    "password_reset_issued": (
        N_("Reset link made"),
        _sentence(N_("%(who)s made a password reset link for %(record)s")),
    ),
    "password_reset": (
        N_("Password reset"),
        _sentence(N_("%(who)s reset their password with a link")),
    ),
    "password_sign_in_changed": (
        N_("Password sign-in changed"),
        _sentence(N_("%(who)s changed whether %(record)s may sign in with a password")),
    ),
    "two_factor_enabled": (
        N_("Two-factor sign-in on"),
        _sentence(N_("%(who)s turned on two-factor sign-in")),
    ),
    "two_factor_reset": (
        N_("Two-factor sign-in reset"),
        _sentence(N_("%(who)s reset two-factor sign-in for %(record)s")),
    ),
    "two_factor_locked": (
        N_("Two-factor codes locked"),
        _sentence(N_("%(who)s's two-factor codes were locked after too many wrong codes")),
    ),
    "recovery_codes_created": (
        N_("Recovery codes made"),
        _sentence(N_("%(who)s made new recovery codes")),
    ),
    "api_token_created": (N_("API token made"), _sentence(N_("%(who)s made an API token"))),
    "api_token_revoked": (N_("API token revoked"), _sentence(N_("%(who)s revoked an API token"))),
    "sign_in": (N_("Signed in"), _sentence(N_("%(who)s signed in"))),
    "sign_in_two_factor": (
        N_("Signed in with a code"),
        _sentence(N_("%(who)s signed in with a two-factor code")),
    ),
    "sign_in_recovery_code": (
        N_("Signed in with a recovery code"),
        _sentence(N_("%(who)s signed in with a recovery code")),
    ),
    "sign_in_failed": (N_("Sign-in failed"), _sign_in_failed),
    "sign_in_refused_locked": (N_("Sign-in refused: locked"), _sign_in_refused_locked),
    "sign_in_locked": (N_("Sign-in locked"), _sign_in_locked),
    "sign_in_refused_password_off": (
        N_("Sign-in refused: password off"),
        _sentence(
            N_("%(who)s could not sign in with a password: they sign in through their organisation")
        ),
    ),
    "sign_out": (N_("Signed out"), _sentence(N_("%(who)s signed out"))),
    "signed_out_everywhere": (
        N_("Signed out everywhere"),
        _sentence(N_("%(who)s signed out on every device")),
    ),
    "permission_refused": (N_("Refused"), _permission_refused),
    # Organisations' sign-in
    "identity_provider_created": (
        N_("Organisation sign-in added"),
        _sentence(N_("%(who)s added %(record)s")),
    ),
    "identity_provider_changed": (
        N_("Organisation sign-in changed"),
        _sentence(N_("%(who)s changed %(record)s")),
    ),
    "scim_token_issued": (
        N_("Provisioning token made"),
        _sentence(N_("%(who)s made a provisioning token for %(record)s")),
    ),
    "scim_token_rotated": (
        N_("Provisioning token replaced"),
        _sentence(N_("%(who)s replaced the provisioning token of %(record)s")),
    ),
    "group_mapping_added": (
        N_("Group added"),
        _sentence(N_("%(who)s added a group to %(record)s")),
    ),
    "group_mapping_removed": (
        N_("Group removed"),
        _sentence(N_("%(who)s removed a group from %(record)s")),
    ),
    "single_sign_on_refused": (
        N_("Organisation sign-in refused"),
        _sentence(N_("A sign-in through %(record)s was refused")),
    ),
}


def _family(action: str) -> tuple[str, str, str] | None:
    """``flag_viewed`` → (record type, label, sentence), for the action families."""
    for verb, (label_message, sentence) in VERBS.items():
        suffix = "_" + verb
        if action.endswith(suffix) and action[: -len(suffix)] in NOUNS:
            return action[: -len(suffix)], label_message, sentence
    return None


def label(action: str) -> str:
    """The kind of event, for the log's filter: "Call-out opened"."""
    if action in EVENTS:
        return translate(EVENTS[action][0])
    family = _family(action)
    if family:
        record_type, message, _sentence_message = family
        return _sentence_case(_(message, noun=noun(record_type)))
    return action.replace("_", " ").capitalize()


def describe(facts: Facts) -> Description:
    """The event as one sentence, with any details worth a line each."""
    if facts.action in EVENTS:
        description = EVENTS[facts.action][1](facts)
    else:
        family = _family(facts.action)
        if family:
            description = _sentence(family[2])(facts)
        else:
            description = Description(
                _(
                    "%(who)s: %(action)s (%(record)s)",
                    who=facts.actor,
                    action=facts.action.replace("_", " "),
                    record=record_words(facts),
                ),
                known=False,
            )
    if facts.by_service:
        return replace(description, sentence=_sentence_case(description.sentence))
    return description
