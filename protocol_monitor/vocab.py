"""The fixed vocabularies of domain.md §4: slugs are fixed, labels may be improved."""

from __future__ import annotations

from enum import StrEnum

from .i18n import N_, _l, translate


class Vocabulary(StrEnum):
    """A str enum whose members carry a human label (and sometimes more)."""

    _label: str

    def __new__(cls, slug: str, label: str, *extra: object) -> Vocabulary:
        member = str.__new__(cls, slug)
        member._value_ = slug
        member._label = label
        member._extra = extra
        return member

    @property
    def label(self) -> str:
        """The member's label in the current language (i18n)."""
        return translate(self._label)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(slug, label) pairs; each label is read in the language of the page that shows it."""
        return [(m.value, _l(m._label)) for m in cls]

    @classmethod
    def slugs(cls) -> list[str]:
        return [m.value for m in cls]


class Role(Vocabulary):
    PROVIDER = "provider", N_("Residential provider")
    POLICE = "police", N_("Police")
    AUTHORITY = "authority", N_("Local authority")
    GROUP = "group", N_("Multi-agency group")
    ADMIN = "admin", N_("Administrator")


class Source(Vocabulary):
    HOME = "home", N_("Home report")
    POLICE = "police", N_("Police record")


class SettingType(Vocabulary):
    CHILDREN_HOME = "children_home", N_("Children's home")
    SECURE_CHILDREN_HOME = "secure_children_home", N_("Secure children's home")
    RESIDENTIAL_SPECIAL_SCHOOL = "residential_special_school", N_("Residential special school")
    SUPPORTED_ACCOMMODATION = "supported_accommodation", N_("Supported accommodation")
    OTHER_RESIDENTIAL = "other_residential", N_("Other residential setting")


class Category(Vocabulary):
    @property
    def in_scope(self) -> bool:
        """Missing and absent call-outs are recorded but excluded from protocol monitoring."""
        return bool(self._extra[0]) if self._extra else True

    ASSAULT_CHILD = "assault_child", N_("Assault on another child")
    ASSAULT_STAFF = "assault_staff", N_("Assault on staff")
    THREATS_ABUSE = "threats_abuse", N_("Threats or verbal abuse")
    CRIMINAL_DAMAGE = "criminal_damage", N_("Criminal damage in the home")
    DAMAGE_STAFF_PROPERTY = "damage_staff_property", N_("Damage to staff cars or property")
    THEFT = "theft", N_("Theft in the home")
    DISORDER = "disorder", N_("Disorder or anti-social behaviour in or around the home")
    UNWANTED_ADULTS = "unwanted_adults", N_("Trespass or unwanted adults (possible exploitation)")
    SUBSTANCES = "substances", N_("Substance misuse or possession")
    WEAPON = "weapon", N_("Weapon")
    SEXUAL_INCIDENT = "sexual_incident", N_("Sexual incident or harmful sexual behaviour")
    WELFARE_CONCERN = (
        "welfare_concern",
        N_("Mental-health crisis, self-harm or concern for welfare"),
    )
    VICTIM_OF_CRIME = "victim_of_crime", N_("Child is a victim of crime")
    MISSING = "missing", N_("Missing person"), False
    ABSENT = "absent", N_("Away without authorisation, whereabouts known"), False
    OTHER = "other", N_("Other")


EXCLUDED_CATEGORIES: frozenset[str] = frozenset(c.value for c in Category if not c.in_scope)


class CallerRole(Vocabulary):
    HOME_STAFF = "home_staff", N_("Home staff")
    HOME_MANAGER = "home_manager", N_("Home manager")
    CHILD = "child", N_("The child")
    OTHER_RESIDENT = "other_resident", N_("Another resident")
    NEIGHBOUR_PUBLIC = "neighbour_public", N_("Neighbour or member of the public")
    OTHER_AGENCY = "other_agency", N_("Another agency")
    POLICE_INITIATED = "police_initiated", N_("Police (self-initiated)")


class ChildRole(Vocabulary):
    ALLEGED_PERPETRATOR = "alleged_perpetrator", N_("Alleged perpetrator")
    VICTIM = "victim", N_("Victim")
    BOTH = "both", N_("Both perpetrator and victim")
    WELFARE = "welfare", N_("Welfare concern")
    WITNESS = "witness", N_("Witness")
    NOT_RESIDENT = "not_resident", N_("Not a resident of the home")


class ImmediateRisk(Vocabulary):
    YES = "yes", N_("Yes")
    NO = "no", N_("No")
    UNKNOWN = "unknown", N_("Not known")


class Deescalation(Vocabulary):
    VERBAL = "verbal", N_("Verbal de-escalation")
    SPACE_TIME = "space_time", N_("Space and time")
    CHANGE_OF_ADULT = "change_of_adult", N_("Change of adult")
    OTHERS_MOVED = "others_moved", N_("Other young people moved away")
    DISTRACTION = "distraction", N_("Distraction")
    ON_CALL_ADVICE = "on_call_advice", N_("Advice from on-call manager")
    PHYSICAL_INTERVENTION = "physical_intervention", N_("Physical intervention")
    NONE = "none", N_("None")


class Restorative(Vocabulary):
    COMPLETED = "completed", N_("Completed")
    PLANNED = "planned", N_("Planned")
    DECLINED_VICTIM = "declined_victim", N_("Declined by the victim")
    DECLINED_CHILD = "declined_child", N_("Declined by the child")
    NOT_APPROPRIATE = "not_appropriate", N_("Not appropriate")
    NOT_CONSIDERED = "not_considered", N_("Not considered")


class OutcomeGroup(Vocabulary):
    PENDING = "pending", N_("Pending")
    NO_FORMAL = "no_formal", N_("No formal action")
    INFORMAL = "informal", N_("Informal outcome")
    FORMAL_OUT_OF_COURT = "formal_out_of_court", N_("Formal out-of-court disposal")
    CHARGED = "charged", N_("Charged")


CRIMINAL_OUTCOME_GROUPS: frozenset[OutcomeGroup] = frozenset(
    {OutcomeGroup.FORMAL_OUT_OF_COURT, OutcomeGroup.CHARGED}
)


class Outcome(Vocabulary):
    @property
    def group(self) -> OutcomeGroup:
        return self._extra[0]

    @property
    def is_criminal(self) -> bool:
        return self.group in CRIMINAL_OUTCOME_GROUPS

    PENDING = "pending", N_("Not yet known"), OutcomeGroup.PENDING
    NO_CRIME_ADVICE = (
        "no_crime_advice",
        N_("No crime recorded, advice only"),
        OutcomeGroup.NO_FORMAL,
    )
    NFA = "nfa", N_("No further action or words of advice"), OutcomeGroup.NO_FORMAL
    EVIDENTIAL_DIFFICULTIES = (
        "evidential_difficulties",
        N_("Evidential difficulties (outcome 15/16)"),
        OutcomeGroup.NO_FORMAL,
    )
    OTHER_AGENCY = (
        "other_agency",
        N_("Another agency has primacy (outcome 20)"),
        OutcomeGroup.NO_FORMAL,
    )
    NO_SUSPECT = "no_suspect", N_("No suspect identified (outcome 18)"), OutcomeGroup.NO_FORMAL
    COMMUNITY_RESOLUTION = (
        "community_resolution",
        N_("Community resolution (outcome 8)"),
        OutcomeGroup.INFORMAL,
    )
    DIVERSION = "diversion", N_("Diversionary activity (outcome 22)"), OutcomeGroup.INFORMAL
    NOT_IN_PUBLIC_INTEREST = (
        "not_in_public_interest",
        N_("Not in the public interest (outcome 21)"),
        OutcomeGroup.INFORMAL,
    )
    YOUTH_CAUTION = (
        "youth_caution",
        N_("Youth caution (outcome 2)"),
        OutcomeGroup.FORMAL_OUT_OF_COURT,
    )
    YOUTH_CONDITIONAL_CAUTION = (
        "youth_conditional_caution",
        N_("Youth conditional caution"),
        OutcomeGroup.FORMAL_OUT_OF_COURT,
    )
    CHARGED = "charged", N_("Charge or summons (outcome 1)"), OutcomeGroup.CHARGED


CRIMINAL_OUTCOMES: frozenset[str] = frozenset(o.value for o in Outcome if o.is_criminal)


class Sex(Vocabulary):
    FEMALE = "female", N_("Female")
    MALE = "male", N_("Male")
    OTHER = "other", N_("Other")
    UNKNOWN = "unknown", N_("Not known")


class ProtocolApplied(Vocabulary):
    APPROPRIATE = "appropriate", N_("Appropriately applied")
    PARTLY = "partly", N_("Partly applied")
    NOT_APPROPRIATE = "not_appropriate", N_("Not appropriately applied")
    INSUFFICIENT_INFORMATION = "insufficient_information", N_("Insufficient information")


class PoliceNecessary(Vocabulary):
    YES_IMMEDIATE_RISK = "yes_immediate_risk", N_("Yes, there was an immediate risk")
    SLOW_TIME = "slow_time", N_("Could have been dealt with in slow time")
    HOME_COULD_MANAGE = "home_could_manage", N_("The home could have managed it")
    NOT_APPLICABLE = "not_applicable", N_("Not applicable")


class ActionStatus(Vocabulary):
    OPEN = "open", N_("Open")
    IN_PROGRESS = "in_progress", N_("In progress")
    DONE = "done", N_("Done")
    CLOSED_NO_ACTION = "closed_no_action", N_("Closed, no action")


class FlagRule(Vocabulary):
    REPEAT_CHILD = "repeat_child", N_("Repeat call-outs about one child")
    REPEAT_HOME = "repeat_home", N_("Repeat call-outs from one home")
    NO_IMMEDIATE_RISK = "no_immediate_risk", N_("Police attended without immediate risk")
    CRIMINAL_OUTCOME = "criminal_outcome", N_("Criminal outcome")
    UNREPORTED = "unreported", N_("Police attendance the home has not reported")


class FlagStatus(Vocabulary):
    OPEN = "open", N_("Open")
    ACKNOWLEDGED = "acknowledged", N_("Acknowledged")
    RESOLVED = "resolved", N_("Resolved")


#: Every vocabulary a call-out uses, by the name used in domain.md §4.
CALLOUT_VOCABULARIES: dict[str, type[Vocabulary]] = {
    "setting_type": SettingType,
    "category": Category,
    "caller_role": CallerRole,
    "child_role": ChildRole,
    "immediate_risk": ImmediateRisk,
    "deescalation": Deescalation,
    "restorative": Restorative,
    "outcome": Outcome,
    "sex": Sex,
    "protocol_applied": ProtocolApplied,
    "police_necessary": PoliceNecessary,
    "action_status": ActionStatus,
}


class ChannelLanguage(Vocabulary):
    """The language of an alert channel's messages; both puts Welsh first (i18n)."""

    EN = "en", N_("English")
    CY = "cy", N_("Welsh")
    BOTH = "both", N_("Welsh and English")
