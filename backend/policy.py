"""Who may do what around a beneficiary: the one place where access rights are decided.

A person's *circle roles* for a beneficiary come from how they are connected to them
(`backend.services.access.roles_of`):

- the beneficiary's own care manager, or staff of a care-management service the beneficiary
  is shared with → care manager;
- staff of a shared nursing service or practice (SSIAD, cabinet infirmier), or a health
  profession (nurse, doctor, physiotherapist, speech therapist) → health professional;
- staff of a shared home-help service (SAAD), or a home aide → care worker;
- staff of a shared association, or a volunteer → volunteer;
- invited personally as family → family; as a friend or neighbour → friend or neighbour.

Each role grants a fixed set of permissions (`PERMISSIONS`). Health messages are the exception:
reading one depends on the message, not the role: only its recipients and its author may
(`may_read_health_message`). `docs/access.md` is generated from this module
(`python -m backend.policy`), and a test fails when it is out of date.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from enum import StrEnum


class Role(StrEnum):
    CARE_MANAGER = "care_manager"
    HEALTH_PROFESSIONAL = "health_professional"
    CARE_WORKER = "care_worker"
    VOLUNTEER = "volunteer"
    FAMILY = "family"
    FRIEND = "friend"
    DEVICE = "device"  # the beneficiary's own tablet


class Permission(StrEnum):
    VIEW_BENEFICIARY = "view_beneficiary"
    # Name, town (and so the weather's coordinates), time zone: the care manager's only.
    EDIT_BENEFICIARY = "edit_beneficiary"
    VIEW_CIRCLE = "view_circle"
    MANAGE_CIRCLE = "manage_circle"
    MANAGE_DEVICES = "manage_devices"
    VIEW_AGENDA = "view_agenda"
    VIEW_INSTRUCTIONS = "view_instructions"
    EDIT_AGENDA = "edit_agenda"
    READ_DAILY = "read_daily"
    WRITE_DAILY = "write_daily"
    WRITE_HEALTH = "write_health"
    VIEW_PHOTOS = "view_photos"
    POST_PHOTOS = "post_photos"
    MODERATE_PHOTOS = "moderate_photos"
    VIEW_WELLBEING = "view_wellbeing"
    RECORD_MOOD = "record_mood"
    RECORD_READING = "record_reading"
    RECORD_VISIT = "record_visit"
    VIEW_VISITS = "view_visits"
    VIEW_ALERTS = "view_alerts"
    # Reminders (docs/reminders.md): their titles may name a treatment, so not every role sees
    # them. MANAGE_REMINDERS is the care manager's; they may delegate it (`ReminderEditor`) to
    # someone who already views them: see may_manage_reminders.
    VIEW_REMINDERS = "view_reminders"
    MANAGE_REMINDERS = "manage_reminders"
    VIEW_AUDIT = "view_audit"
    # Video calls (docs/calls.md): approving callers is the care manager's; calling needs the
    # role's CALL *and* being approved for that beneficiary (`may_call`).
    MANAGE_CALLERS = "manage_callers"
    CALL = "call"
    VIEW_CALL_LOG = "view_call_log"


P = Permission

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CARE_MANAGER: frozenset(P) - {P.RECORD_MOOD},
    Role.HEALTH_PROFESSIONAL: frozenset(
        {
            P.VIEW_BENEFICIARY,
            P.VIEW_CIRCLE,
            P.VIEW_AGENDA,
            P.VIEW_INSTRUCTIONS,
            P.READ_DAILY,
            P.WRITE_DAILY,
            P.WRITE_HEALTH,
            P.VIEW_PHOTOS,
            P.VIEW_WELLBEING,
            P.RECORD_READING,
            P.RECORD_VISIT,
            P.VIEW_VISITS,
            P.VIEW_REMINDERS,
            P.CALL,
            P.VIEW_CALL_LOG,
        }
    ),
    # Home aides write "transmissions" to the nurses: they may write in the health space.
    Role.CARE_WORKER: frozenset(
        {
            P.VIEW_BENEFICIARY,
            P.VIEW_CIRCLE,
            P.VIEW_AGENDA,
            P.VIEW_INSTRUCTIONS,
            P.READ_DAILY,
            P.WRITE_DAILY,
            P.WRITE_HEALTH,
            P.VIEW_PHOTOS,
            P.VIEW_WELLBEING,
            P.RECORD_READING,
            P.RECORD_VISIT,
            P.VIEW_VISITS,
            P.CALL,
            P.VIEW_CALL_LOG,
        }
    ),
    Role.VOLUNTEER: frozenset(
        {
            P.VIEW_BENEFICIARY,
            P.VIEW_CIRCLE,
            P.VIEW_AGENDA,
            P.READ_DAILY,
            P.WRITE_DAILY,
            P.VIEW_PHOTOS,
            P.RECORD_VISIT,
            P.CALL,
            P.VIEW_CALL_LOG,
        }
    ),
    # Family follows the day and the mood but never sees the care instructions.
    Role.FAMILY: frozenset(
        {
            P.VIEW_BENEFICIARY,
            P.VIEW_CIRCLE,
            P.VIEW_AGENDA,
            P.READ_DAILY,
            P.WRITE_DAILY,
            P.VIEW_PHOTOS,
            P.POST_PHOTOS,
            P.VIEW_WELLBEING,
            P.VIEW_VISITS,
            P.VIEW_REMINDERS,
            P.CALL,
            P.VIEW_CALL_LOG,
        }
    ),
    Role.FRIEND: frozenset(
        {
            P.VIEW_BENEFICIARY,
            P.VIEW_AGENDA,
            P.READ_DAILY,
            P.WRITE_DAILY,
            P.VIEW_PHOTOS,
            P.POST_PHOTOS,
            P.CALL,
        }
    ),
    # The tablet shows instructions only in its professional view, and records visits only
    # after a professional's PIN.
    Role.DEVICE: frozenset(
        {
            P.VIEW_BENEFICIARY,
            P.VIEW_AGENDA,
            P.VIEW_INSTRUCTIONS,
            P.READ_DAILY,
            P.WRITE_DAILY,
            P.VIEW_PHOTOS,
            P.RECORD_MOOD,
            P.RECORD_VISIT,
            P.CALL,
        }
    ),
}

ROLE_LABELS = {
    Role.CARE_MANAGER: "Care manager",
    Role.HEALTH_PROFESSIONAL: "Health professional (nurse, doctor, physio, speech therapist)",
    Role.CARE_WORKER: "Care worker (home aide, SAAD)",
    Role.VOLUNTEER: "Volunteer (association)",
    Role.FAMILY: "Family",
    Role.FRIEND: "Friend or neighbour",
    Role.DEVICE: "The beneficiary's tablet",
}

# Organisation kinds and what their staff are, for a beneficiary shared with them.
ORGANISATION_KINDS = {
    "care_management": Role.CARE_MANAGER,
    "home_help": Role.CARE_WORKER,  # SAAD
    "nursing": Role.HEALTH_PROFESSIONAL,  # SSIAD, cabinet infirmier
    "independent": None,  # decided by the person's profession
    "association": Role.VOLUNTEER,
}

PROFESSIONS = {
    "care_manager": Role.CARE_MANAGER,
    "nurse": Role.HEALTH_PROFESSIONAL,
    "doctor": Role.HEALTH_PROFESSIONAL,
    "physiotherapist": Role.HEALTH_PROFESSIONAL,
    "speech_therapist": Role.HEALTH_PROFESSIONAL,
    "home_aide": Role.CARE_WORKER,
    "volunteer": Role.VOLUNTEER,
}

RELATIONS = {
    "family": Role.FAMILY,
    "friend": Role.FRIEND,
    "neighbour": Role.FRIEND,
    "professional": None,  # decided by the person's profession
}


def role_for_organisation(kind: str, profession: str | None) -> Role | None:
    role = ORGANISATION_KINDS.get(kind)
    if role is None and kind == "independent":
        return PROFESSIONS.get(profession or "", Role.CARE_WORKER)
    return role


def role_for_relation(relation: str, profession: str | None) -> Role | None:
    if relation not in RELATIONS:
        return None
    role = RELATIONS[relation]
    if role is None:
        return PROFESSIONS.get(profession or "")
    return role


def allowed(roles: Iterable[Role], permission: Permission) -> bool:
    return any(permission in PERMISSIONS[role] for role in roles)


# Who may be made a reminder editor: those who see the reminders (VIEW_REMINDERS) without
# managing them by role (family and health professionals).
def may_manage_reminders(roles: Iterable[Role], *, delegated: bool) -> bool:
    """MANAGE_REMINDERS by role, or by delegation: a `ReminderEditor` row the care manager
    wrote, which counts only while the person still views reminders (a family member or a
    health professional of the circle); leaving the circle, or another role, ends it."""
    roles = frozenset(roles)
    if allowed(roles, Permission.MANAGE_REMINDERS):
        return True
    return delegated and allowed(roles, Permission.VIEW_REMINDERS)


# The beneficiary's own say (issue 16): while they pause "Partager mon humeur" on their tablet,
# these roles no longer see the moods, the readings nor the trends; `view_wellbeing` then counts
# only through the person's other roles (backend.services.wellbeing enforces it).
MOOD_PAUSE_HIDES_FROM = frozenset({Role.FAMILY, Role.FRIEND})


def may_view_wellbeing(roles: Iterable[Role], *, mood_sharing_paused: bool) -> bool:
    """VIEW_WELLBEING, through a role the mood-sharing pause does not close when it is on."""
    held = frozenset(roles)
    if mood_sharing_paused:
        held -= MOOD_PAUSE_HIDES_FROM
    return allowed(held, Permission.VIEW_WELLBEING)


def may_call(roles: Iterable[Role], *, approved: bool) -> bool:
    """CALL by role, and approved by the care manager as a caller for that beneficiary (a
    `CallCaller` row): both, or no call either way (to the tablet or from it)."""
    return approved and allowed(roles, Permission.CALL)


# How long the audit log keeps an entry (backend.services.audit deletes older ones every day).
AUDIT_RETENTION_DAYS = 365


def may_read_health_message(
    *,
    reader_user_id: int | None,
    reader_is_device: bool,
    author_user_id: int | None,
    author_is_device: bool,
    recipient_user_ids: Iterable[int | None],
) -> bool:
    """Only the recipients and the author. `None` among recipients is the beneficiary."""
    recipients = set(recipient_user_ids)
    if reader_is_device:
        return author_is_device or None in recipients
    if reader_user_id is None:
        return False
    return reader_user_id == author_user_id or reader_user_id in recipients


def markdown_table() -> str:
    roles = list(Role)
    lines = [
        "# Access rights",
        "",
        "Generated from `backend/policy.py` by `python -m backend.policy > docs/access.md`;",
        "`tests/unit/test_policy.py` fails when this file is out of date.",
        "",
        "How a person gets a role for a beneficiary: the beneficiary's care manager, or staff of",
        "an organisation the beneficiary is shared with (care-management service → care",
        "manager; nursing service or practice → health professional; home-help service (SAAD) →",
        "care worker; association → volunteer; independent professional → by profession), or",
        "invited personally (family; friend or neighbour; professional → by profession).",
        "Someone with no role for a beneficiary gets 404 for everything about them.",
        "",
        "| permission | " + " | ".join(ROLE_LABELS[r] for r in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for permission in Permission:
        marks = ["✔" if permission in PERMISSIONS[r] else "—" for r in roles]
        lines.append(f"| `{permission.value}` | " + " | ".join(marks) + " |")
    lines += [
        "",
        "**Reminders** (`view_reminders`, `manage_reminders`): a reminder's title may name a",
        "treatment (« Médicaments du matin », « Insuline »), so it is seen by the care manager,",
        "the health professionals and the family, not by friends, volunteers or care workers",
        "(a home aide who helps with the pill box learns it from the care manager). The care",
        "manager may delegate `manage_reminders` (create, edit, pause, delete) to a family",
        "member or a health professional of the circle, one by one (a reminder editor); the",
        "delegation holds while that person keeps their role, and only the care manager grants",
        "or revokes it. The tablet receives the active reminders through its sync, not through",
        "this permission. Anyone in the circle may be named to be alerted about a reminder (a",
        "neighbour who can knock on the door): the alert says whom, never what.",
        "",
        "**Mood sharing** (`view_wellbeing`): the beneficiary may pause « Partager mon",
        "humeur » on the tablet. While it is paused, family, friends and neighbours no longer",
        "see the moods, the readings nor the trends (the well-being reads answer 403 with a",
        "sentence saying since when); the care manager and the professionals still read them,",
        "and see that it is paused and since when. Each pause and resume is in the audit log.",
        "The tablet shows the beneficiary who is in their circle and what each person sees",
        "(agenda, messages, photos, mood, visits), from this table and the pause.",
        "",
        "**The audit log** (`view_audit`): every read and change of health data is written to",
        "it, with who, what, when and the way in (the console or the API, the tablet, or the",
        "tablet with a professional's personal PIN). The care manager reads it, filters it by",
        "person, kind and dates, and exports it as CSV (« Qui a consulté quoi »); reading it is",
        f"itself logged. Entries are kept {AUDIT_RETENTION_DAYS} days (one year), then deleted by",
        "a job that runs every night. An export leaves Foyer: whoever downloads it keeps it",
        "under their own responsibility.",
        "",
        "**Video calls** (`call`, `manage_callers`, `view_call_log`; docs/calls.md): holding",
        "`call` by role is not enough: the care manager approves each caller for the",
        "beneficiary (family, friends, and professionals if wanted), and may let a caller's",
        "call open by itself after a countdown (auto-answer); the beneficiary may take herself",
        "off auto-answer for anyone, from her tablet. An unapproved person's call is refused",
        "(403), and the tablet calls approved people only. A call's signals go only between its",
        "two sides (the person who called or was called, and the beneficiary's tablet); the",
        "call log (who, when, how long; nothing of the call itself) is seen by those with",
        "`view_call_log`.",
        "",
        "**Health messages** are read by their recipients and their author only, whatever",
        "their role (the beneficiary, through the tablet, when addressed to them). A care",
        "manager cannot read a health message that is not addressed to them. Every read and",
        "change of health data is written to the audit log.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(markdown_table())
