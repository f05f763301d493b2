"""The fixed vocabularies of domain.md §4: slugs are fixed, labels may be improved."""

from __future__ import annotations

from enum import StrEnum


class Vocabulary(StrEnum):
    """A str enum whose members carry a human label (and sometimes more)."""

    label: str

    def __new__(cls, slug: str, label: str, *extra: object) -> Vocabulary:
        member = str.__new__(cls, slug)
        member._value_ = slug
        member.label = label
        member._extra = extra
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]

    @classmethod
    def slugs(cls) -> list[str]:
        return [m.value for m in cls]


class Role(Vocabulary):
    PROVIDER = "provider", "Residential provider"
    POLICE = "police", "Police"
    AUTHORITY = "authority", "Local authority"
    GROUP = "group", "Multi-agency group"
    ADMIN = "admin", "Administrator"


class Source(Vocabulary):
    HOME = "home", "Home report"
    POLICE = "police", "Police record"


class SettingType(Vocabulary):
    CHILDREN_HOME = "children_home", "Children's home"
    SECURE_CHILDREN_HOME = "secure_children_home", "Secure children's home"
    RESIDENTIAL_SPECIAL_SCHOOL = "residential_special_school", "Residential special school"
    SUPPORTED_ACCOMMODATION = "supported_accommodation", "Supported accommodation"
    OTHER_RESIDENTIAL = "other_residential", "Other residential setting"


class Category(Vocabulary):
    @property
    def in_scope(self) -> bool:
        """Missing and absent call-outs are recorded but excluded from protocol monitoring."""
        return bool(self._extra[0]) if self._extra else True

    ASSAULT_CHILD = "assault_child", "Assault on another child"
    ASSAULT_STAFF = "assault_staff", "Assault on staff"
    THREATS_ABUSE = "threats_abuse", "Threats or verbal abuse"
    CRIMINAL_DAMAGE = "criminal_damage", "Criminal damage in the home"
    DAMAGE_STAFF_PROPERTY = "damage_staff_property", "Damage to staff cars or property"
    THEFT = "theft", "Theft in the home"
    DISORDER = "disorder", "Disorder or anti-social behaviour in or around the home"
    UNWANTED_ADULTS = "unwanted_adults", "Trespass or unwanted adults (possible exploitation)"
    SUBSTANCES = "substances", "Substance misuse or possession"
    WEAPON = "weapon", "Weapon"
    SEXUAL_INCIDENT = "sexual_incident", "Sexual incident or harmful sexual behaviour"
    WELFARE_CONCERN = "welfare_concern", "Mental-health crisis, self-harm or concern for welfare"
    VICTIM_OF_CRIME = "victim_of_crime", "Child is a victim of crime"
    MISSING = "missing", "Missing person", False
    ABSENT = "absent", "Away without authorisation, whereabouts known", False
    OTHER = "other", "Other"


EXCLUDED_CATEGORIES: frozenset[str] = frozenset(c.value for c in Category if not c.in_scope)


class CallerRole(Vocabulary):
    HOME_STAFF = "home_staff", "Home staff"
    HOME_MANAGER = "home_manager", "Home manager"
    CHILD = "child", "The child"
    OTHER_RESIDENT = "other_resident", "Another resident"
    NEIGHBOUR_PUBLIC = "neighbour_public", "Neighbour or member of the public"
    OTHER_AGENCY = "other_agency", "Another agency"
    POLICE_INITIATED = "police_initiated", "Police (self-initiated)"


class ChildRole(Vocabulary):
    ALLEGED_PERPETRATOR = "alleged_perpetrator", "Alleged perpetrator"
    VICTIM = "victim", "Victim"
    BOTH = "both", "Both perpetrator and victim"
    WELFARE = "welfare", "Welfare concern"
    WITNESS = "witness", "Witness"
    NOT_RESIDENT = "not_resident", "Not a resident of the home"


class ImmediateRisk(Vocabulary):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"


class Deescalation(Vocabulary):
    VERBAL = "verbal", "Verbal de-escalation"
    SPACE_TIME = "space_time", "Space and time"
    CHANGE_OF_ADULT = "change_of_adult", "Change of adult"
    OTHERS_MOVED = "others_moved", "Other young people moved away"
    DISTRACTION = "distraction", "Distraction"
    ON_CALL_ADVICE = "on_call_advice", "Advice from on-call manager"
    PHYSICAL_INTERVENTION = "physical_intervention", "Physical intervention"
    NONE = "none", "None"


class Restorative(Vocabulary):
    COMPLETED = "completed", "Completed"
    PLANNED = "planned", "Planned"
    DECLINED_VICTIM = "declined_victim", "Declined by the victim"
    DECLINED_CHILD = "declined_child", "Declined by the child"
    NOT_APPROPRIATE = "not_appropriate", "Not appropriate"
    NOT_CONSIDERED = "not_considered", "Not considered"


class OutcomeGroup(Vocabulary):
    PENDING = "pending", "Pending"
    NO_FORMAL = "no_formal", "No formal action"
    INFORMAL = "informal", "Informal outcome"
    FORMAL_OUT_OF_COURT = "formal_out_of_court", "Formal out-of-court disposal"
    CHARGED = "charged", "Charged"


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

    PENDING = "pending", "Not yet known", OutcomeGroup.PENDING
    NO_CRIME_ADVICE = "no_crime_advice", "No crime recorded, advice only", OutcomeGroup.NO_FORMAL
    NFA = "nfa", "No further action or words of advice", OutcomeGroup.NO_FORMAL
    EVIDENTIAL_DIFFICULTIES = (
        "evidential_difficulties",
        "Evidential difficulties (outcome 15/16)",
        OutcomeGroup.NO_FORMAL,
    )
    OTHER_AGENCY = "other_agency", "Another agency has primacy (outcome 20)", OutcomeGroup.NO_FORMAL
    NO_SUSPECT = "no_suspect", "No suspect identified (outcome 18)", OutcomeGroup.NO_FORMAL
    COMMUNITY_RESOLUTION = (
        "community_resolution",
        "Community resolution (outcome 8)",
        OutcomeGroup.INFORMAL,
    )
    DIVERSION = "diversion", "Diversionary activity (outcome 22)", OutcomeGroup.INFORMAL
    NOT_IN_PUBLIC_INTEREST = (
        "not_in_public_interest",
        "Not in the public interest (outcome 21)",
        OutcomeGroup.INFORMAL,
    )
    YOUTH_CAUTION = "youth_caution", "Youth caution (outcome 2)", OutcomeGroup.FORMAL_OUT_OF_COURT
    YOUTH_CONDITIONAL_CAUTION = (
        "youth_conditional_caution",
        "Youth conditional caution",
        OutcomeGroup.FORMAL_OUT_OF_COURT,
    )
    CHARGED = "charged", "Charge or summons (outcome 1)", OutcomeGroup.CHARGED


CRIMINAL_OUTCOMES: frozenset[str] = frozenset(o.value for o in Outcome if o.is_criminal)


class Sex(Vocabulary):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not known"


class ProtocolApplied(Vocabulary):
    APPROPRIATE = "appropriate", "Appropriately applied"
    PARTLY = "partly", "Partly applied"
    NOT_APPROPRIATE = "not_appropriate", "Not appropriately applied"
    INSUFFICIENT_INFORMATION = "insufficient_information", "Insufficient information"


class PoliceNecessary(Vocabulary):
    YES_IMMEDIATE_RISK = "yes_immediate_risk", "Yes, there was an immediate risk"
    SLOW_TIME = "slow_time", "Could have been dealt with in slow time"
    HOME_COULD_MANAGE = "home_could_manage", "The home could have managed it"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class ActionStatus(Vocabulary):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CLOSED_NO_ACTION = "closed_no_action", "Closed, no action"


class FlagRule(Vocabulary):
    REPEAT_CHILD = "repeat_child", "Repeat call-outs about one child"
    REPEAT_HOME = "repeat_home", "Repeat call-outs from one home"
    NO_IMMEDIATE_RISK = "no_immediate_risk", "Police attended without immediate risk"
    CRIMINAL_OUTCOME = "criminal_outcome", "Criminal outcome"
    UNREPORTED = "unreported", "Police attendance the home has not reported"


class FlagStatus(Vocabulary):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


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
