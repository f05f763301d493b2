"""The demo: a small pan-Dorset register loaded once into an empty database.

Two host authorities (Dorset, BCP) and two out-of-area placing authorities, Dorset Police, seven
homes of every setting type, one account per role, and about fifty call-outs over the last four
London months, each filed as a home report through ``callouts.file_home_report`` so that every
hook that follows a filed call-out (matching, flags) runs as it would for a person. Before them,
three years of history (fewer call-outs a month as the years go by, some reviewed, their flags
resolved by the group), during which one home closed and another opened, imported by the homes'
staff as an import files them (services.bulk_filing): the board report, the trends and the charts
have something real to show.
Then, through the real services again: Dorset Police file records of some attendances (matched
to the homes' reports by police reference, one never reported by its home), the police liaison
officer reviews a few call-outs and agrees actions (one overdue), the daily jobs raise the
``unreported`` flag and the overdue reminder, and the last complete month is compiled with its
digest queued. Children appear only as pseudonymous case references; no names anywhere.
In Wales (issue 18): Bridgend, which places children in Dorset, also hosts a home of its own
(South Wales Police's area), whose Welsh-speaking staff file its call-outs and read the service
and their emails in Welsh; Bridgend's alert channel is in Welsh, and Bridgend has its Welsh name.
"""

from __future__ import annotations

import os
import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from .. import access
from ..db import db, unit_of_work, utcnow
from ..identity import accounts
from ..models import Authority, Callout, ChannelSetting, Flag, Home, PoliceForce, Report, User
from ..rules.board_report import latest_year_ending
from ..rules.time import Month, london_to_utc, to_london
from ..vocab import Category, FlagStatus, Outcome, Restorative, Role, SettingType, Source
from . import bulk_filing, flag_workflow, flags, job_claims, reviews, summaries
from . import callouts as callout_service
from . import police as police_service

#: Fixed, so the same day gives the same demo.
SEED = 2016

HOST_AUTHORITIES = (
    ("E06000059", "Dorset Council"),
    ("E06000058", "Bournemouth, Christchurch and Poole Council"),
)
PLACING_AUTHORITIES = (
    ("E10000034", "Worcestershire County Council"),
    ("W06000013", "Bridgend County Borough Council"),
)
POLICE_FORCE = ("E23000039", "Dorset Police")
DORSET, BCP, WORCESTERSHIRE, BRIDGEND = "E06000059", "E06000058", "E10000034", "W06000013"
#: Authorities' Welsh names (authorities.name_cy), shown on Welsh pages and messages.
WELSH_NAMES = {BRIDGEND: "Cyngor Bwrdeistref Sirol Pen-y-bont ar Ogwr"}
#: The police force of the home in Wales (forces have no Welsh name kept: "Heddlu De Cymru").
WELSH_FORCE = ("W15000003", "South Wales Police")


@dataclass(frozen=True)
class DemoHome:
    urn: str
    name: str
    provider: str
    host: str
    places: int
    setting_type: SettingType
    opened_on: date | None = None  # None: the home opened years ago


HOMES = (
    DemoHome("SC481207", "Harbour View", "Harbour Care Ltd", DORSET, 4, SettingType.CHILDREN_HOME),
    DemoHome("SC492318", "Stour Lodge", "Harbour Care Ltd", DORSET, 3, SettingType.CHILDREN_HOME),
    DemoHome(
        "SC503142",
        "Heathside School (residential)",
        "Purbeck Learning Trust",
        DORSET,
        12,
        SettingType.RESIDENTIAL_SPECIAL_SCHOOL,
    ),
    DemoHome("SC041119", "Chalk Hill", "BCP Council", BCP, 8, SettingType.SECURE_CHILDREN_HOME),
    DemoHome(
        "SC512877",
        "Quayside Supported Living",
        "Coastline Youth Housing",
        BCP,
        6,
        SettingType.SUPPORTED_ACCOMMODATION,
    ),
    DemoHome(
        "SC520364",
        "Canford Heath House",
        "Coastline Youth Housing",
        BCP,
        5,
        SettingType.OTHER_RESIDENTIAL,
    ),
    # Opened part-way through the demo period (its opening date is set at load time).
    DemoHome("SC530119", "Wimborne Road", "Harbour Care Ltd", BCP, 2, SettingType.CHILDREN_HOME),
)
RECENTLY_OPENED = "SC530119"
#: The home in Wales: hosted by Bridgend, in South Wales Police's area, its call-outs filed by
#: its Welsh-speaking staff (the demo's Welsh account). Not in the three years of history.
WELSH_HOME = DemoHome(
    "SC545210", "Tŷ Afon", "Cwm Ogwr Care Ltd", BRIDGEND, 4, SettingType.CHILDREN_HOME,
    opened_on=date(2019, 9, 1),
)  # fmt: skip
WELSH_CHILDREN = [("WCS-223507", BRIDGEND, "male", 15), ("WCS-224118", BRIDGEND, "female", 14)]
#: Its call-outs: (days before now, category, child), in the last five weeks.
WELSH_CALLOUTS = (
    (33, Category.CRIMINAL_DAMAGE, 0),
    (19, Category.ASSAULT_STAFF, 1),
    (12, Category.MISSING, 0),
    (6, Category.THREATS_ABUSE, 0),
)
#: Bridgend's alert channel: its safeguarding team's email, in Welsh.
WELSH_CHANNEL_EMAIL = "diogelu@bridgend.demo.example"
#: The demo provider account's homes: one provider's homes in both authorities.
PROVIDER_HOMES = ("SC481207", "SC492318", "SC530119")

#: Homes of the history only: Purbeck View closed part-way through the three years.
HISTORY_HOMES = (
    DemoHome(
        "SC467731", "Purbeck View", "Purbeck Learning Trust", DORSET, 4, SettingType.CHILDREN_HOME
    ),
)
CLOSED_IN_HISTORY = "SC467731"
#: Supported accommodation for 16- and 17-year-olds that opened part-way through the three years
#: (the seeds' "projects that accommodate 16-17 year-olds", §11.4).
OPENED_IN_HISTORY = "SC512877"
#: Months after the history's first month when those two closed and opened.
CLOSED_AFTER, OPENED_AFTER = 15, 21

#: Children per home: (reference, placing authority, sex, age). Out-of-area placements included.
CHILDREN = {
    "SC481207": [
        ("LCS-104233", DORSET, "female", 15),
        ("LCS-104871", WORCESTERSHIRE, "male", 14),
        ("LCS-105120", DORSET, "male", 16),
    ],
    "SC492318": [("LCS-103318", DORSET, "male", 13), ("WCS-220417", BRIDGEND, "female", 16)],
    "SC503142": [
        ("LCS-106042", DORSET, "male", 12),
        ("MOS-588120", BCP, "male", 14),
        ("W-7730214", WORCESTERSHIRE, "other", 15),
    ],
    "SC041119": [("MOS-590031", BCP, "male", 15), ("LCS-104990", DORSET, "female", 14)],
    "SC512877": [("MOS-587744", BCP, "female", 17), ("WCS-221903", BRIDGEND, "male", 17)],
    "SC520364": [("MOS-589265", BCP, "male", 16), ("W-7731148", WORCESTERSHIRE, "female", 13)],
    "SC530119": [("LCS-107204", DORSET, "male", 14), ("MOS-591870", BCP, "unknown", 15)],
}

#: Children who lived in the homes earlier in the history: (reference, placing, sex, age now).
FORMER_CHILDREN = {
    "SC481207": [("LCS-101942", DORSET, "male", 18), ("MOS-584409", BCP, "female", 17)],
    "SC492318": [("LCS-102216", DORSET, "female", 17), ("W-7728840", WORCESTERSHIRE, "male", 18)],
    "SC503142": [("LCS-101377", DORSET, "male", 16), ("MOS-585012", BCP, "male", 17)],
    "SC041119": [("MOS-583361", BCP, "female", 17), ("LCS-102650", DORSET, "male", 18)],
    "SC512877": [("MOS-586113", BCP, "male", 18), ("WCS-219884", BRIDGEND, "female", 18)],
    "SC520364": [("MOS-585790", BCP, "female", 16), ("LCS-103004", DORSET, "male", 17)],
    "SC467731": [("LCS-102877", DORSET, "male", 16), ("MOS-586610", BCP, "female", 17)],
}
#: In-scope call-outs a month in the history: from the first month's down to the last's, as the
#: protocol takes hold; and a missing or absent call-out every other month.
HISTORY_RATE = (5, 3)
#: Of the history's in-scope call-outs, the police liaison officer reviewed one in this many.
HISTORY_REVIEWED = 4

#: The child whose repeated call-outs at one home the group should notice.
REPEAT_HOME, REPEAT_CHILD = "SC481207", "LCS-104233"

HOME_WEIGHTS = {
    "SC481207": 10,
    "SC492318": 6,
    "SC503142": 5,
    "SC041119": 6,
    "SC512877": 7,
    "SC520364": 5,
    "SC530119": 4,
}
CATEGORY_WEIGHTS = {
    Category.ASSAULT_STAFF: 7,
    Category.ASSAULT_CHILD: 4,
    Category.THREATS_ABUSE: 4,
    Category.CRIMINAL_DAMAGE: 7,
    Category.DAMAGE_STAFF_PROPERTY: 2,
    Category.THEFT: 2,
    Category.DISORDER: 2,
    Category.UNWANTED_ADULTS: 2,
    Category.SUBSTANCES: 2,
    Category.WEAPON: 1,
    Category.SEXUAL_INCIDENT: 1,
    Category.WELFARE_CONCERN: 4,
    Category.VICTIM_OF_CRIME: 2,
    Category.MISSING: 6,
    Category.ABSENT: 3,
    Category.OTHER: 1,
}
RANDOM_CALLOUTS = 42
#: Missing-person call-outs always present, whatever the dice say: (home, category).
FIXED_EXCLUDED = (
    ("SC512877", Category.MISSING),
    ("SC520364", Category.MISSING),
    ("SC492318", Category.MISSING),
    ("SC041119", Category.ABSENT),
)

RISK_REASONS = {
    Category.ASSAULT_STAFF: "Punching and kicking staff; could not be kept apart safely",
    Category.ASSAULT_CHILD: "Attacking another young person, staff unable to separate them",
    Category.THREATS_ABUSE: "Threatening to stab staff, holding a kitchen knife",
    Category.CRIMINAL_DAMAGE: "Smashing windows with others in the room",
    Category.WEAPON: "Carrying a knife and refusing to hand it over",
    Category.WELFARE_CONCERN: "Ligature risk; young person on the roof",
    Category.UNWANTED_ADULTS: "Unknown adults trying to force entry",
    Category.DISORDER: "Group throwing bottles at the building",
}
DESCRIPTIONS = {
    Category.ASSAULT_STAFF: "Young person became distressed after a phone call and hit a carer.",
    Category.ASSAULT_CHILD: "Argument over the games console turned into a fight.",
    Category.THREATS_ABUSE: "Verbal threats to staff after being asked to come in for the night.",
    Category.CRIMINAL_DAMAGE: "Doors and a window damaged during an outburst.",
    Category.DAMAGE_STAFF_PROPERTY: "Staff car scratched in the driveway.",
    Category.THEFT: "Money taken from the office; later returned.",
    Category.DISORDER: "Noise and stones thrown at neighbours' fence late at night.",
    Category.UNWANTED_ADULTS: "Adults waiting outside in a car, asking for a resident.",
    Category.SUBSTANCES: "Cannabis found in a bedroom.",
    Category.WEAPON: "Kitchen knife taken to a bedroom.",
    Category.SEXUAL_INCIDENT: "Concern about images shared between residents.",
    Category.WELFARE_CONCERN: "Young person threatening self-harm, out-of-hours team advised.",
    Category.VICTIM_OF_CRIME: "Young person reported being robbed of a phone in town.",
    Category.OTHER: "Dispute with a taxi driver on return to the home.",
}
INJURIES = {
    Category.ASSAULT_STAFF: "Bruised arm (staff)",
    Category.ASSAULT_CHILD: "Cut lip",
    Category.CRIMINAL_DAMAGE: "Broken window and door frame",
    Category.DAMAGE_STAFF_PROPERTY: "Scratched car",
}
LATER_OUTCOMES = (
    ("no_crime_advice", 5),
    ("nfa", 6),
    ("evidential_difficulties", 3),
    ("other_agency", 2),
    ("no_suspect", 1),
    ("community_resolution", 4),
    ("diversion", 3),
    ("not_in_public_interest", 2),
    ("youth_caution", 2),
    ("youth_conditional_caution", 1),
    ("charged", 2),
)


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str
    scope: str


@dataclass
class DemoResult:
    """What was loaded, and the demo accounts with the one-time passwords to print."""

    address: str
    accounts: list[DemoAccount]
    homes: int
    callouts: int
    excluded: int
    first_month: str
    last_month: str
    notes: list[str] = field(default_factory=list)

    def account_lines(self) -> list[str]:
        email_width = max(len(a.email) for a in self.accounts)
        password_width = max(len(a.password) for a in self.accounts)
        return [
            f"  {account.role:<9} {account.email:<{email_width}}  "
            f"{account.password:<{password_width}}  {account.scope}"
            for account in self.accounts
        ]

    def describe(self, accounts_file: Path | None = None) -> str:
        where = (
            f"They are also in {accounts_file}, which only you can read: delete it once you "
            "have them. The database keeps only their hashes:"
            if accounts_file
            else "These passwords are shown once only; the database keeps only their hashes:"
        )
        lines = [
            f"Demo loaded: {len(HOST_AUTHORITIES)} host authorities in Dorset (Dorset, BCP) and "
            "Bridgend in Wales, "
            f"{len(PLACING_AUTHORITIES)} out-of-area placing authorities, 2 police forces, "
            f"{self.homes} homes and {self.callouts} call-outs "
            f"({self.excluded} missing or absent) from {self.first_month} to {self.last_month}.",
            "",
            f"Open {self.address} and sign in with a demo account.",
            where,
            "",
            *self.account_lines(),
        ]
        lines.extend(["", *self.notes] if self.notes else [])
        return "\n".join(lines)


ACCOUNTS_FILE = "demo-accounts.txt"


def write_accounts_file(result: DemoResult, folder: Path) -> Path:
    """Write the demo's accounts and passwords once, to ``folder``/demo-accounts.txt, readable
    and writable by its owner only (0600, set before a byte is written), so they do not scroll
    away with the server's log. Replaces the file of an earlier demo."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ACCOUNTS_FILE
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # a file left by an earlier demo keeps its mode otherwise
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(
            f"Protocol monitor demo accounts, for {result.address}\n"
            "Passwords of the demo only: delete this file once you have them.\n\n"
        )
        handle.write("\n".join(result.account_lines()) + "\n")
    return path


def has_data() -> bool:
    """Whether the database already holds any authority, home or user."""
    return any(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Authority, Home, User)
    )


def load_if_empty(now: datetime | None = None, seed: int = SEED) -> DemoResult | None:
    """Load the demo in one transaction, or return None if the database already has data."""
    if has_data():
        return None
    now = (now or utcnow()).astimezone(UTC)
    # One unit of work: every service the loader calls joins it, so the demo is all-or-nothing.
    with unit_of_work():
        return _load(now, random.Random(seed), random.Random(seed + 1))


_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def strong_password() -> str:
    """A random password of four groups of six letters and digits (about 137 bits)."""
    return "-".join("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(6)) for _ in range(4))


def _load(now: datetime, rng: random.Random, history_rng: random.Random) -> DemoResult:
    authorities = {}
    for code, name in (*HOST_AUTHORITIES, *PLACING_AUTHORITIES):
        authorities[code] = Authority(code=code, name=name, name_cy=WELSH_NAMES.get(code))
        db.session.add(authorities[code])
    force = PoliceForce(code=POLICE_FORCE[0], name=POLICE_FORCE[1])
    db.session.add(force)
    welsh_force = PoliceForce(code=WELSH_FORCE[0], name=WELSH_FORCE[1])
    db.session.add(welsh_force)

    first_month = Month.of(now).shift(-3)
    period_start = first_month.first_day
    today = to_london(now).date()
    midway = period_start + (today - period_start) / 2
    history_first = history_start(now)
    homes: dict[str, Home] = {}
    for spec in (*HOMES, *HISTORY_HOMES, WELSH_HOME):
        opened = spec.opened_on or date(2012 + len(homes), 1 + len(homes), 1)
        if spec.urn == RECENTLY_OPENED:
            opened = midway
        if spec.urn == OPENED_IN_HISTORY:
            opened = history_first.shift(OPENED_AFTER).first_day
        homes[spec.urn] = Home(
            urn=spec.urn,
            name=spec.name,
            provider=spec.provider,
            host_authority=authorities[spec.host],
            police_force=welsh_force if spec is WELSH_HOME else force,
            registered_places=spec.places,
            setting_type=spec.setting_type.value,
            opened_on=opened,
            closed_on=history_first.shift(CLOSED_AFTER).last_day
            if spec.urn == CLOSED_IN_HISTORY
            else None,
        )
        db.session.add(homes[spec.urn])
    db.session.flush()

    demo_accounts: list[DemoAccount] = []

    def account(role: Role, email: str, scope: str, display_name: str = "", **links: Any) -> User:
        password = strong_password()
        user = accounts.create_user(
            email,
            role.value,
            password,
            display_name=display_name or f"Demo {role.label.lower()}",
            **links,
        )
        demo_accounts.append(DemoAccount(role.value, email, password, scope))
        return user

    provider = account(
        Role.PROVIDER,
        "provider@demo.example",
        "homes " + ", ".join(homes[urn].name for urn in PROVIDER_HOMES),
        home_urns=PROVIDER_HOMES,
    )
    police = account(
        Role.POLICE,
        "police@demo.example",
        f"{force.name}; allocated officer for every demo home in Dorset",
        force_code=force.code,
    )
    account(
        Role.AUTHORITY,
        "authority@demo.example",
        "Dorset Council: its homes and the children it places elsewhere",
        authority_codes=[DORSET],
    )
    group = account(
        Role.GROUP,
        "group@demo.example",
        "pan-Dorset group: Dorset and BCP",
        authority_codes=[DORSET, BCP],
    )
    account(
        Role.ADMIN,
        "admin@demo.example",
        "administration; Dorset and BCP",
        authority_codes=[DORSET, BCP],
    )
    # The home in Wales: its Welsh-speaking staff, printed with the others, and the South Wales
    # Police officer allocated to it (not printed, like the other providers' staff).
    welsh_provider = account(
        Role.PROVIDER,
        "cartref@demo.example",
        f"home {WELSH_HOME.name} (Bridgend); reads the service and its emails in Welsh",
        display_name="Demo darparwr preswyl",
        home_urns=(WELSH_HOME.urn,),
    )
    welsh_provider.language = "cy"
    welsh_officer = accounts.create_user(
        "heddlu@demo.example",
        Role.POLICE.value,
        strong_password(),
        display_name="Demo swyddog, Heddlu De Cymru",
        force_code=welsh_force.code,
    )
    welsh_officer.language = "cy"
    for home in homes.values():
        home.allocated_officer = welsh_officer if home.urn == WELSH_HOME.urn else police
    # Bridgend's alert channel: in Welsh (flag alerts on its home go there).
    db.session.add(
        ChannelSetting(
            scope_key=f"authority:{authorities[BRIDGEND].id}",
            authority_id=authorities[BRIDGEND].id,
            email_recipients=WELSH_CHANNEL_EMAIL,
            language="cy",
        )
    )

    # Staff of the other providers file their homes' call-outs; their passwords are not shown.
    filers: dict[str, User] = dict.fromkeys(PROVIDER_HOMES, provider)
    other_providers: dict[str, list[str]] = {}
    for spec in (*HOMES, *HISTORY_HOMES):  # the home in Wales has its own staff
        if spec.urn not in PROVIDER_HOMES:
            other_providers.setdefault(spec.provider, []).append(spec.urn)
    for number, (provider_name, urns) in enumerate(sorted(other_providers.items()), start=2):
        staff = accounts.create_user(
            f"provider{number}@demo.example",
            Role.PROVIDER.value,
            strong_password(),
            display_name=f"Demo staff, {provider_name}",
            home_urns=urns,
        )
        filers.update(dict.fromkeys(urns, staff))

    history, history_excluded = _history(now, history_rng, homes, filers, police, group)
    plans = _plan_callouts(now, rng, period_start, homes)
    police_numbers = iter(rng.sample(range(1000, 9999), len(plans) + 1))
    filed: list[dict[str, Any]] = []
    for plan in sorted(plans, key=lambda p: p["occurred_at"]):
        data = _report_data(plan, now, rng, police_numbers)
        filed_at = min(now, plan["occurred_at"] + timedelta(hours=rng.randint(1, 20)))
        callout_service.file_home_report(filers[plan["urn"]], data, now=filed_at)
        filed.append(data)
    welsh = _welsh_callouts(now, homes[WELSH_HOME.urn], welsh_provider)

    matched = _police_records(police, filed, now, rng)
    _police_record_never_reported(police, homes, now, police_numbers)
    reviewed = _reviews(police, provider, now)
    _corrections(provider, police)
    # What the scheduler's daily and monthly jobs would have done by now.
    flags.raise_unreported(now)
    reviews.queue_overdue_reminders(now)
    last_month = Month.of(now).previous()
    summaries.compile_month(last_month, queue_digest=True)
    # Recorded as the monthly job's run, so the scheduler's catch-up does not compile it again.
    job_claims.record_done(job_claims.MONTHLY_JOB, str(last_month), now, "compiled by the demo")

    excluded = history_excluded + sum(1 for p in plans if not Category(p["category"]).in_scope)
    address = current_app.config["SETTINGS"].base_url.rstrip("/") + "/"
    return DemoResult(
        address=address,
        accounts=demo_accounts,
        homes=len(homes),
        callouts=history + len(plans) + welsh + 1,
        excluded=excluded,
        first_month=history_first.label,
        last_month=Month.of(now).label,
        notes=[
            f"Three years of history from {history_first.label}, imported by the homes' staff "
            f"when the group began to use the service in {Month.of(now).shift(-3).label}: "
            f"{homes[CLOSED_IN_HISTORY].name} closed in "
            f"{Month.of(homes[CLOSED_IN_HISTORY].closed_on).label} and "
            f"{homes[OPENED_IN_HISTORY].name} opened in "
            f"{Month.of(homes[OPENED_IN_HISTORY].opened_on).label}; the group has resolved "
            "that history's flags. See Summaries, then the board report.",
            "The other homes' call-outs were filed by other providers' staff accounts "
            "(provider2@demo.example, provider3@demo.example), whose passwords are not shown.",
            f"Dorset Police filed {matched + 1} police records: {matched} matched to the homes' "
            "reports, 1 the home never reported (an unreported flag).",
            "A home corrected a call-out's category and the police recorded an outcome they "
            "learned later, each saying why: see the call-outs' history of corrections.",
            f"{reviewed} of the last four months' call-outs are reviewed, with actions (one "
            "overdue), and a quarter of the history's; the summary for "
            f"{last_month.label} is compiled and its digest is in the outbox.",
            f"In Wales: {WELSH_HOME.name}, hosted by Bridgend (Cyngor Bwrdeistref Sirol "
            f"Pen-y-bont ar Ogwr) in {WELSH_FORCE[1]}'s area, with {welsh} call-outs filed by "
            "cartref@demo.example, who reads the service in Welsh; Bridgend's alert channel "
            f"({WELSH_CHANNEL_EMAIL}) is in Welsh.",
        ],
    )


def _welsh_callouts(now: datetime, home: Home, filer: User) -> int:
    """The home in Wales's call-outs in the last five weeks, filed by its Welsh-speaking staff
    (their flags alert Bridgend's Welsh channel). A random generator of its own, so the rest of
    the demo is the same with or without it."""
    rng = random.Random(2 * SEED)
    police_numbers = iter(rng.sample(range(1000, 9999), len(WELSH_CALLOUTS)))
    for days, category, child in WELSH_CALLOUTS:
        day = to_london(now).date() - timedelta(days=days)
        occurred_at = london_to_utc(datetime(day.year, day.month, day.day, 21, 30))
        plan = {
            "urn": home.urn,
            "home_id": home.id,
            "child": WELSH_CHILDREN[child],
            "category": category.value,
            "occurred_at": occurred_at,
        }
        data = _report_data(plan, now, rng, police_numbers)
        if data.get("police_reference"):  # South Wales Police's references, not Dorset's
            data["police_reference"] = "SWP-" + data["police_reference"].removeprefix("DP-")
        callout_service.file_home_report(filer, data, now=occurred_at + timedelta(hours=2))
    return len(WELSH_CALLOUTS)


#: How many of the homes' reports with a police reference Dorset Police also record.
POLICE_RECORDS = 10
#: Police outcomes that differ from the home's "pending" once the police have decided.
POLICE_OUTCOMES = ("nfa", "no_crime_advice", "community_resolution", "youth_caution")


def _police_records(
    police: User, filed: list[dict[str, Any]], now: datetime, rng: random.Random
) -> int:
    """Police records of some attendances the homes reported, with the same police reference:
    matching joins each to the home's report. Some carry an outcome the home did not know."""
    candidates = [
        d for d in filed if d.get("police_reference") and Category(d["category"]).in_scope
    ]
    chosen = candidates[:: max(1, len(candidates) // POLICE_RECORDS)][:POLICE_RECORDS]
    for data in chosen:
        occurred_at: datetime = data["occurred_at"]
        outcome = data.get("outcome") or "pending"
        if outcome == "pending" and now - occurred_at > timedelta(days=14):
            outcome = rng.choice(POLICE_OUTCOMES)
        police_service.file_police_record(
            police,
            {
                "home_id": data["home_id"],
                "police_reference": data["police_reference"],
                # Police logs often differ from the home's time by a few minutes.
                "occurred_at": occurred_at + timedelta(minutes=rng.choice((-10, 5, 15))),
                "category": data["category"],
                "child_reference": data["child_reference"],
                "placing_authority_code": data["placing_authority_code"],
                "police_attended": True,
                "arrested": bool(data.get("arrested")),
                "outcome": outcome,
            },
            now=min(now, occurred_at + timedelta(days=2)),
        )
    return len(chosen)


#: The attendance no home reported: at this home, five days before the demo's "now".
UNREPORTED_HOME = "SC492318"


def _police_record_never_reported(
    police: User, homes: dict[str, Home], now: datetime, police_numbers: Iterator[int]
) -> None:
    day = to_london(now).date() - timedelta(days=5)
    occurred_at = london_to_utc(datetime(day.year, day.month, day.day, 3, 40))
    reference, placing, _sex, _age = CHILDREN[UNREPORTED_HOME][1]
    police_service.file_police_record(
        police,
        {
            "home_id": homes[UNREPORTED_HOME].id,
            "police_reference": f"DP-{to_london(occurred_at):%y%m%d}-{next(police_numbers)}",
            "occurred_at": occurred_at,
            "category": Category.DISORDER.value,
            "child_reference": reference,
            "placing_authority_code": placing,
            "police_attended": True,
            "arrested": False,
            "outcome": "pending",
        },
        now=occurred_at + timedelta(hours=2),
    )


REVIEWS = (
    {
        "protocol_applied": "partly",
        "police_necessary": "slow_time",
        "police_response_proportionate": True,
        "outcome_proportionate": True,
        "learning_points": "Manager on call could have been asked before calling the police.",
        "actions": (
            ("Restorative meeting with the young person and staff", -7, "open"),
            ("Refresh de-escalation training for the night team", 21, "in_progress"),
        ),
    },
    {
        "protocol_applied": "appropriate",
        "police_necessary": "yes_immediate_risk",
        "police_response_proportionate": True,
        "outcome_proportionate": None,
        "learning_points": "Immediate risk to staff; the call was in line with the protocol.",
        "actions": (("Share the home's behaviour support plan with the officer", -20, "done"),),
    },
    {
        "protocol_applied": "not_appropriate",
        "police_necessary": "home_could_manage",
        "police_response_proportionate": False,
        "outcome_proportionate": False,
        "learning_points": "Damage could have been dealt with in slow time the next day.",
        "actions": (),
    },
)


def _reviews(police: User, provider: User, now: datetime) -> int:
    """The police liaison officer reviews the oldest in-scope call-outs of the last four months,
    agreeing actions: the
    first at one of the demo provider's homes, so their start page has a review to read."""
    today = to_london(now).date()
    in_scope = select(Callout.id).where(
        Callout.in_scope.is_(True), Callout.month >= str(Month.of(now).shift(-3))
    )
    by_age = (Callout.occurred_at, Callout.id)
    theirs = db.session.scalar(
        in_scope.where(Callout.home_id.in_([h.id for h in provider.homes]))
        .order_by(*by_age)
        .limit(1)
    )
    others = in_scope.where(Callout.id != theirs).order_by(*by_age).limit(len(REVIEWS) - 1)
    oldest = [theirs, *db.session.scalars(others)]
    for n, (callout_id, review) in enumerate(zip(oldest, REVIEWS, strict=True)):
        values = {k: v for k, v in review.items() if k != "actions"}
        actions = [
            # The restorative meeting at the provider's home is the home's own to hold.
            {
                "text": text,
                "due_on": today + timedelta(days=days),
                "status": status,
                "owner_home": n == 0 and i == 0,
            }
            for i, (text, days, status) in enumerate(review["actions"])
        ]
        reviews.record_review(police, callout_id, values, actions)
    return len(oldest)


def _corrections(provider: User, police: User) -> None:
    """A provider corrects a call-out's category, and the police record an outcome they now
    know, each saying why: the call-out pages show a history of corrections."""
    latest = db.session.scalar(
        select(Callout)
        .join(Report, Report.callout_id == Callout.id)
        .where(
            Report.source == Source.HOME.value,
            Callout.home_id.in_([h.id for h in provider.homes]),
            Callout.in_scope.is_(True),
            Callout.category.in_([Category.CRIMINAL_DAMAGE.value, Category.DISORDER.value]),
        )
        .order_by(Callout.occurred_at.desc(), Callout.id.desc())
        .limit(1)
    )
    callout_service.correct_report(
        provider,
        latest.id,
        Source.HOME.value,
        {
            "category": Category.THREATS_ABUSE.value,
            "reason": "Staff were threatened; nothing was damaged",
        },
    )
    pending = db.session.scalar(
        select(Callout)
        .join(Report, Report.callout_id == Callout.id)
        .where(Report.source == Source.POLICE.value, Report.outcome == Outcome.PENDING.value)
        .order_by(Callout.occurred_at, Callout.id)
        .limit(1)
    )
    callout_service.correct_report(
        police,
        pending.id,
        Source.POLICE.value,
        {
            "outcome": Outcome.COMMUNITY_RESOLUTION.value,
            "reason": "The youth diversion panel agreed a community resolution",
        },
    )


def history_start(now: datetime) -> Month:
    """The history's first month: the start of the third October-to-September year before the
    latest one over, so the board report opens on three whole years."""
    return latest_year_ending(to_london(now).date(), "october").shift(-35)


#: What the police liaison officer found in the history's reviews, weighted early to late: the
#: protocol applied well more often as the years go by.
HISTORY_FINDINGS = (
    ("appropriate", "yes_immediate_risk", 4, 7),
    ("partly", "slow_time", 3, 2),
    ("not_appropriate", "home_could_manage", 3, 1),
    ("insufficient_information", "not_applicable", 1, 1),
)


def _history(
    now: datetime,
    rng: random.Random,
    homes: dict[str, Home],
    filers: dict[str, User],
    police: User,
    group: User,
) -> tuple[int, int]:
    """Three years of call-outs before the last four months, imported by each provider's staff
    as the group began to use the service (at the start of the last four months), through the
    service an import files with (services.bulk_filing: the same call-outs, matches, flags,
    alerts and audit trail as filing each in turn, test_bulk_filing shows, for a fraction of the
    statements); one in ``HISTORY_REVIEWED`` reviewed by the police liaison officer, and every
    flag they raised resolved by the group. Returns how many call-outs, and how many of them
    were missing or absent. (A random generator of its own, so the last four months are the same
    with or without it.)"""
    months: list[Month] = []
    month, recent = history_start(now), Month.of(now).shift(-3)
    while month < recent:
        months.append(month)
        month = month.next()
    numbers = iter(rng.sample(range(1000, 9999), 8 * len(months) + 8))
    weights = {**HOME_WEIGHTS, CLOSED_IN_HISTORY: 5}
    in_scope = [c for c in CATEGORY_WEIGHTS if c.in_scope]
    first_rate, last_rate = HISTORY_RATE
    placing_ids = {
        code: authority_id
        for code, authority_id in db.session.execute(select(Authority.code, Authority.id))
    }
    excluded = 0
    rows: dict[User, list[dict[str, Any]]] = {}
    for i, month in enumerate(months):
        share = i / max(1, len(months) - 1)
        rate = round(first_rate + (last_rate - first_rate) * share)
        count = max(1, rate + rng.choice((-1, 0, 1)))
        open_homes = [
            urn
            for urn in weights
            if (homes[urn].opened_on or month.first_day) <= month.last_day
            and (homes[urn].closed_on or month.first_day) >= month.first_day
        ]
        for n in range(count + (i % 2 == 0)):
            urn = rng.choices(open_homes, weights=[weights[u] for u in open_homes])[0]
            if n == count:
                category = rng.choice((Category.MISSING, Category.ABSENT))
                excluded += 1
            else:
                category = rng.choices(in_scope, weights=[CATEGORY_WEIGHTS[c] for c in in_scope])[0]
            pool = FORMER_CHILDREN[urn] if share < 0.6 else CHILDREN.get(urn, FORMER_CHILDREN[urn])
            reference, placing, sex, age = rng.choice(pool)
            home = homes[urn]
            first_day = max(month.first_day, home.opened_on or month.first_day)
            last_day = min(month.last_day, home.closed_on or month.last_day)
            end = london_to_utc(datetime.combine(last_day + timedelta(days=1), datetime.min.time()))
            occurred_at = _random_moment(rng, first_day, end + timedelta(hours=3))
            years_ago = (now - occurred_at).days // 365
            plan = {
                "urn": urn,
                "home_id": home.id,
                "child": (reference, placing, sex, max(10, age - years_ago)),
                "category": category.value,
                "occurred_at": occurred_at,
            }
            data = _report_data(plan, now, rng, numbers)
            data["placing_authority_id"] = placing_ids[data.pop("placing_authority_code")]
            rows.setdefault(filers[urn], []).append(data)
    imported_at = london_to_utc(datetime.combine(recent.first_day, datetime.min.time()))
    for filer, filer_rows in rows.items():
        access.require(filer, access.Permission.FILE_HOME_REPORT)
        bulk_filing.file_new_reports(Source.HOME.value, filer_rows, filer, imported_at)
    filed = db.session.scalars(select(Callout).order_by(Callout.occurred_at, Callout.id)).all()
    reviewed = [c for c in filed if c.in_scope][::HISTORY_REVIEWED]
    for n, callout in enumerate(reviewed):
        share = n / max(1, len(reviewed) - 1)
        protocol, necessary, _early, _late = rng.choices(
            HISTORY_FINDINGS,
            weights=[early + (late - early) * share for *_v, early, late in HISTORY_FINDINGS],
        )[0]
        reviews.record_review(
            police,
            callout.id,
            {
                "protocol_applied": protocol,
                "police_necessary": necessary,
                "police_response_proportionate": protocol != "not_appropriate",
                "outcome_proportionate": True,
            },
        )
    for flag_id in db.session.scalars(
        select(Flag.id).where(Flag.status != FlagStatus.RESOLVED.value).order_by(Flag.id)
    ).all():
        flag_workflow.resolve(group, flag_id, "Discussed at the group's monthly meeting")
    return len(filed), excluded


def _random_moment(
    rng: random.Random, start: date, end: datetime, *, not_before: date | None = None
) -> datetime:
    """A London evening-heavy time between ``start`` (or ``not_before``) and ``end``, as UTC."""
    first = max(start, not_before or start)
    latest = to_london(end - timedelta(hours=3))
    days = max(0, (latest.date() - first).days)
    for _ in range(20):
        day = first + timedelta(days=rng.randint(0, days))
        hour = rng.choice((7, 9, 11, 14, 15, 16, 17, 18, 19, 20, 21, 21, 22, 22, 23, 0, 1, 2))
        moment = london_to_utc(
            datetime(day.year, day.month, day.day, hour, rng.randrange(0, 60, 5))
        )
        if moment <= end - timedelta(hours=3):
            return moment
    return end - timedelta(hours=3)


def _plan_callouts(
    now: datetime, rng: random.Random, period_start: date, homes: dict[str, Home]
) -> list[dict[str, Any]]:
    plans: list[dict[str, Any]] = []
    # One child, repeated call-outs at one home within a month: what the group looks for.
    repeat = next(c for c in CHILDREN[REPEAT_HOME] if c[0] == REPEAT_CHILD)
    anchor = _random_moment(rng, period_start, now - timedelta(days=35))
    for offset_days, category in (
        (0, Category.ASSAULT_STAFF),
        (6, Category.CRIMINAL_DAMAGE),
        (11, Category.ABSENT),
        (15, Category.THREATS_ABUSE),
        (23, Category.ASSAULT_STAFF),
    ):
        plans.append(
            {
                "urn": REPEAT_HOME,
                "child": repeat,
                "category": category.value,
                "occurred_at": anchor + timedelta(days=offset_days, minutes=rng.randint(-90, 90)),
            }
        )
    for urn, category in FIXED_EXCLUDED:
        plans.append(
            {
                "urn": urn,
                "child": rng.choice(CHILDREN[urn]),
                "category": category.value,
                "occurred_at": _random_moment(
                    rng, period_start, now, not_before=homes[urn].opened_on
                ),
            }
        )
    urns = list(HOME_WEIGHTS)
    categories = list(CATEGORY_WEIGHTS)
    for _ in range(RANDOM_CALLOUTS):
        urn = rng.choices(urns, weights=[HOME_WEIGHTS[u] for u in urns])[0]
        category = rng.choices(categories, weights=[CATEGORY_WEIGHTS[c] for c in categories])[0]
        plans.append(
            {
                "urn": urn,
                "child": rng.choice(CHILDREN[urn]),
                "category": category.value,
                "occurred_at": _random_moment(
                    rng, period_start, now, not_before=homes[urn].opened_on
                ),
            }
        )
    for plan in plans:
        plan["home_id"] = homes[plan["urn"]].id
    return plans


def _report_data(
    plan: dict[str, Any], now: datetime, rng: random.Random, police_numbers: Iterator[int]
) -> dict[str, Any]:
    """The fields a provider would enter on the form, for one planned call-out."""
    category = Category(plan["category"])
    reference, placing, sex, age = plan["child"]
    occurred_at: datetime = plan["occurred_at"]

    def police_reference() -> str:
        return f"DP-{to_london(occurred_at):%y%m%d}-{next(police_numbers)}"

    data: dict[str, Any] = {
        "home_id": plan["home_id"],
        "occurred_at": occurred_at,
        "category": category.value,
        "child_reference": reference,
        "placing_authority_code": placing,
        "child_sex": sex,
        "child_age": age,
    }
    if not category.in_scope:
        attended = rng.random() < 0.4
        data.update(
            caller_role="home_staff",
            police_attended=attended,
            police_reference=police_reference() if rng.random() < 0.7 else None,
        )
        return data

    child_role = {
        Category.VICTIM_OF_CRIME: "victim",
        Category.WELFARE_CONCERN: "welfare",
        Category.UNWANTED_ADULTS: rng.choice(("victim", "welfare")),
        Category.ASSAULT_CHILD: rng.choice(("alleged_perpetrator", "alleged_perpetrator", "both")),
    }.get(category, "alleged_perpetrator")
    risk = rng.choices(("yes", "no", "unknown"), weights=(55, 35, 10))[0]
    if rng.random() < 0.1:
        deescalation = ["none"]
    else:
        options = [
            "verbal",
            "space_time",
            "change_of_adult",
            "others_moved",
            "distraction",
            "on_call_advice",
            "physical_intervention",
        ]
        deescalation = rng.sample(options, rng.randint(1, 3))
    attended = rng.random() < 0.75
    arrested = attended and category not in (Category.WELFARE_CONCERN, Category.VICTIM_OF_CRIME)
    arrested = arrested and rng.random() < 0.25
    if not attended:
        outcome = None
    elif now - occurred_at < timedelta(days=14) or rng.random() < 0.2:
        outcome = "pending"
    else:
        outcome = rng.choices(
            [o for o, _ in LATER_OUTCOMES], weights=[w for _, w in LATER_OUTCOMES]
        )[0]
    data.update(
        caller_role=rng.choices(
            ("home_staff", "home_manager", "neighbour_public", "child", "other_agency"),
            weights=(60, 15, 10, 5, 10),
        )[0],
        child_role=child_role,
        immediate_risk=risk,
        immediate_risk_reason=RISK_REASONS.get(category, "Risk of serious harm to others")
        if risk == "yes"
        else None,
        deescalation=deescalation,
        police_attended=attended,
        police_reference=police_reference() if attended and rng.random() < 0.85 else None,
        arrested=arrested if attended else None,
        outcome=outcome,
        injuries_damage=INJURIES.get(category) if rng.random() < 0.7 else None,
        restorative=rng.choice(Restorative.slugs()),
        ofsted_notified=rng.random() < 0.3,
        description=DESCRIPTIONS.get(category) if rng.random() < 0.8 else None,
    )
    return data
