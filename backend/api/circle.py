"""Organisations, the circle of each beneficiary, invitations into it, and one's own profile."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from backend.api.deps import CareManager, CurrentUser, NowDep, PathId, SessionDep, StateDep
from backend.models import Beneficiary, Invitation, Membership, Organisation, User
from backend.policy import Permission
from backend.services import access, accounts, circle
from backend.text import LINE

router = APIRouter(prefix="/api/v1", tags=["circle"])

Name200 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), LINE
]
Email = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254), LINE]
Code = Annotated[str, StringConstraints(max_length=40), LINE]
Password = Annotated[str, StringConstraints(max_length=1000), LINE]
# Tokens are ~47 characters; anything much longer is not one (and is not hashed for nothing).
Token = Annotated[str, Path(min_length=1, max_length=200), LINE]
Limit = Annotated[int, Query(ge=1, le=100)]
BeforeId = Annotated[int | None, Query(ge=1)]


# --- schemas ----------------------------------------------------------------------------------


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name200
    kind: Code


class OrganisationOut(BaseModel):
    id: int
    name: str
    kind: str
    created_by_id: int | None
    my_role: str | None  # "manager", "staff", or None for a creator no longer in it
    can_manage: bool


class OrganisationMemberOut(BaseModel):
    user_id: int
    name: str
    profession: str | None
    role: str
    email: str | None  # for the organisation's managers only


class OrganisationDetail(OrganisationOut):
    members: list[OrganisationMemberOut]


class MemberAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Email
    role: Code = "staff"


class ShareCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organisation_id: Annotated[int, Field(ge=1, le=2_147_483_647)]


class ShareOut(BaseModel):
    beneficiary_id: int
    organisation_id: int
    name: str
    kind: str


class PersonOut(BaseModel):
    user_id: int
    name: str
    profession: str | None
    roles: list[str]
    email: str | None  # for those who manage the circle only


class StaffOut(PersonOut):
    organisation_role: str


class SharedOrganisationOut(BaseModel):
    id: int
    name: str
    kind: str
    staff: list[StaffOut]


class CircleMemberOut(PersonOut):
    relation: str


class CircleOut(BaseModel):
    beneficiary_id: int
    care_manager: PersonOut
    organisations: list[SharedOrganisationOut]
    members: list[CircleMemberOut]


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Email
    name: Name200
    relation: Code
    profession: Code | None = None
    organisation_id: Annotated[int | None, Field(ge=1, le=2_147_483_647)] = None


class InvitationCreated(BaseModel):
    id: int
    url: str
    expires_at: datetime


class InvitationOut(BaseModel):
    id: int
    email: str
    name: str
    relation: str
    profession: str | None
    organisation_id: int | None
    invited_by_id: int
    status: str  # pending, accepted, expired, revoked
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, i: Invitation, now: datetime) -> InvitationOut:
        return cls(
            id=i.id,
            email=i.email,
            name=i.name,
            relation=i.relation,
            profession=i.profession,
            organisation_id=i.organisation_id,
            invited_by_id=i.invited_by_id,
            status=circle.invitation_status(i, now),
            created_at=i.created_at,
            expires_at=i.expires_at,
            accepted_at=i.accepted_at,
            revoked_at=i.revoked_at,
        )


class PublicInvitationOut(BaseModel):
    """What the invitation page shows: who invites whom into whose circle, and nothing else."""

    invited_by: str
    beneficiary_first_name: str
    beneficiary_last_name: str
    name: str
    relation: str
    profession: str | None
    organisation: str | None
    expires_at: datetime


class AcceptBody(BaseModel):
    """A new account's name and password; nothing when accepting while signed in."""

    model_config = ConfigDict(extra="forbid")
    name: Name200 | None = None
    password: Password | None = None


class AcceptOut(BaseModel):
    user_id: int
    beneficiary_id: int
    relation: str
    created_account: bool


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name200 | None = None
    profession: Code | None = None


class ProfileOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    profession: str | None


# --- helpers ----------------------------------------------------------------------------------

_optional_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def optional_user(
    session: SessionDep, now: NowDep, token: Annotated[str | None, Depends(_optional_bearer)]
) -> User | None:
    """The signed-in person if a bearer token is sent (401 if it is not valid), else None."""
    if not token:
        return None
    user = accounts.user_for_token(session, token, now)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Session expirée ou invalide : reconnectez-vous.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _organisation_out(
    session: SessionDep, user: User, organisation: Organisation
) -> OrganisationOut:
    own = circle.membership(session, user.id, organisation.id)
    return OrganisationOut(
        id=organisation.id,
        name=organisation.name,
        kind=organisation.kind,
        created_by_id=organisation.created_by_id,
        my_role=own.role if own else None,
        can_manage=circle.may_manage(session, user, organisation),
    )


def _member_out(m: Membership, u: User, show_email: bool) -> OrganisationMemberOut:
    return OrganisationMemberOut(
        user_id=u.id,
        name=u.name,
        profession=u.profession,
        role=m.role,
        email=u.email if show_email else None,
    )


def _person(p: circle.Person, show_email: bool) -> dict[str, object]:
    return {
        "user_id": p.user.id,
        "name": p.user.name,
        "profession": p.user.profession,
        "roles": sorted(r.value for r in p.roles),
        "email": p.user.email if show_email else None,
    }


# --- organisations ----------------------------------------------------------------------------


@router.post("/organisations", response_model=OrganisationOut, status_code=201)
def create_organisation(
    body: OrganisationCreate, user: CareManager, session: SessionDep
) -> OrganisationOut:
    organisation = circle.create_organisation(session, user, body.name, body.kind)
    return _organisation_out(session, user, organisation)


@router.get("/organisations", response_model=list[OrganisationOut])
def list_organisations(
    user: CurrentUser, session: SessionDep, limit: Limit = 100, before_id: BeforeId = None
) -> list[OrganisationOut]:
    """Those the caller belongs to or created, newest first (page with `before_id`)."""
    return [
        _organisation_out(session, user, o)
        for o in circle.organisations_of(session, user, limit, before_id)
    ]


@router.get("/organisations/{organisation_id}", response_model=OrganisationDetail)
def get_organisation(
    organisation_id: PathId, user: CurrentUser, session: SessionDep
) -> OrganisationDetail:
    organisation = circle.organisation_for(session, user, organisation_id)
    summary = _organisation_out(session, user, organisation)
    members = [
        _member_out(m, u, summary.can_manage)
        for m, u in circle.members_of(session, organisation.id)
    ]
    return OrganisationDetail(**summary.model_dump(), members=members)


@router.post(
    "/organisations/{organisation_id}/members",
    response_model=OrganisationMemberOut,
    status_code=201,
)
def add_organisation_member(
    organisation_id: PathId, body: MemberAdd, user: CurrentUser, session: SessionDep, now: NowDep
) -> OrganisationMemberOut:
    organisation = circle.organisation_for(session, user, organisation_id, manage=True)
    membership, member = circle.add_member(session, organisation, body.email, body.role, now)
    return _member_out(membership, member, True)


@router.delete("/organisations/{organisation_id}/members/{user_id}", status_code=204)
def remove_organisation_member(
    organisation_id: PathId, user_id: PathId, user: CurrentUser, session: SessionDep
) -> Response:
    """By a manager of the organisation or its creator; or by the member, to leave it."""
    circle.remove_member(session, user, organisation_id, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- sharing and the circle -------------------------------------------------------------------


@router.post("/beneficiaries/{beneficiary_id}/shares", response_model=ShareOut, status_code=201)
def share_beneficiary(
    beneficiary_id: PathId, body: ShareCreate, user: CurrentUser, session: SessionDep, now: NowDep
) -> ShareOut:
    """All the staff of an organisation the caller belongs to join the circle."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.MANAGE_CIRCLE)
    _share, organisation = circle.share(session, user, beneficiary, body.organisation_id, now)
    return ShareOut(
        beneficiary_id=beneficiary.id,
        organisation_id=organisation.id,
        name=organisation.name,
        kind=organisation.kind,
    )


@router.delete("/beneficiaries/{beneficiary_id}/shares/{organisation_id}", status_code=204)
def unshare_beneficiary(
    beneficiary_id: PathId, organisation_id: PathId, user: CurrentUser, session: SessionDep
) -> Response:
    beneficiary = access.require(session, user, beneficiary_id, Permission.MANAGE_CIRCLE)
    circle.unshare(session, beneficiary, organisation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/beneficiaries/{beneficiary_id}/circle", response_model=CircleOut)
def get_circle(beneficiary_id: PathId, user: CurrentUser, session: SessionDep) -> CircleOut:
    """Everyone around the beneficiary with their roles; e-mail addresses only for those who
    manage the circle."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.VIEW_CIRCLE)
    show_email = circle.may_manage_circle(session, user, beneficiary)
    result = circle.circle_of(session, beneficiary)
    return CircleOut(
        beneficiary_id=beneficiary.id,
        care_manager=PersonOut.model_validate(_person(result.care_manager, show_email)),
        organisations=[
            SharedOrganisationOut(
                id=s.organisation.id,
                name=s.organisation.name,
                kind=s.organisation.kind,
                staff=[
                    StaffOut.model_validate({**_person(p, show_email), "organisation_role": role})
                    for p, role in s.staff
                ],
            )
            for s in result.organisations
        ],
        members=[
            CircleMemberOut.model_validate({**_person(p, show_email), "relation": relation})
            for p, relation in result.members
        ],
    )


@router.delete("/beneficiaries/{beneficiary_id}/members/{user_id}", status_code=204)
def remove_circle_member(
    beneficiary_id: PathId, user_id: PathId, user: CurrentUser, session: SessionDep
) -> Response:
    """A personally invited person leaves the circle (their access ends at once)."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.MANAGE_CIRCLE)
    circle.remove_circle_member(session, beneficiary, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- invitations ------------------------------------------------------------------------------


@router.post(
    "/beneficiaries/{beneficiary_id}/invitations",
    response_model=InvitationCreated,
    status_code=201,
)
def create_invitation(
    beneficiary_id: PathId,
    body: InvitationCreate,
    user: CurrentUser,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
) -> InvitationCreated:
    """A single-use link to send to the person (by e-mail, SMS…); shown only this once."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.MANAGE_CIRCLE)
    invitation, token = circle.create_invitation(
        session,
        user,
        beneficiary,
        email=body.email,
        name=body.name,
        relation=body.relation,
        profession=body.profession,
        organisation_id=body.organisation_id,
        now=now,
        ttl=timedelta(seconds=state.settings.invitation_ttl_seconds),
    )
    return InvitationCreated(
        id=invitation.id,
        url=f"{state.settings.public_url}/invitation/{token}",
        expires_at=invitation.expires_at,
    )


@router.get("/beneficiaries/{beneficiary_id}/invitations", response_model=list[InvitationOut])
def list_invitations(
    beneficiary_id: PathId,
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
    limit: Limit = 50,
    before_id: BeforeId = None,
) -> list[InvitationOut]:
    """Newest first; page with `before_id` (the last id received)."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.MANAGE_CIRCLE)
    return [
        InvitationOut.of(i, now)
        for i in circle.invitations_of(session, beneficiary, limit, before_id)
    ]


@router.delete("/beneficiaries/{beneficiary_id}/invitations/{invitation_id}", status_code=204)
def revoke_invitation(
    beneficiary_id: PathId,
    invitation_id: PathId,
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
) -> Response:
    beneficiary = access.require(session, user, beneficiary_id, Permission.MANAGE_CIRCLE)
    circle.revoke_invitation(session, beneficiary, invitation_id, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/invitations/{token}", response_model=PublicInvitationOut)
def view_invitation(
    token: Token, request: Request, session: SessionDep, now: NowDep
) -> PublicInvitationOut:
    """Public: the invitation link itself is the credential."""
    invitation = circle.invitation_for_token(session, token, _client_ip(request), now)
    inviter = session.get(User, invitation.invited_by_id)
    beneficiary = session.get(Beneficiary, invitation.beneficiary_id)
    organisation = (
        session.get(Organisation, invitation.organisation_id)
        if invitation.organisation_id is not None
        else None
    )
    assert inviter is not None and beneficiary is not None  # foreign keys
    return PublicInvitationOut(
        invited_by=inviter.name,
        beneficiary_first_name=beneficiary.first_name,
        beneficiary_last_name=beneficiary.last_name,
        name=invitation.name,
        relation=invitation.relation,
        profession=invitation.profession,
        organisation=organisation.name if organisation else None,
        expires_at=invitation.expires_at,
    )


@router.post("/invitations/{token}/accept", response_model=AcceptOut)
def accept_invitation(
    token: Token,
    request: Request,
    session: SessionDep,
    now: NowDep,
    user: OptionalUser,
    body: AcceptBody | None = None,
) -> AcceptOut:
    """Without a bearer token: creates the account (name, password). With one: the signed-in
    person, whose e-mail address must be the invited one, joins the circle."""
    invitation = circle.invitation_for_token(
        session, token, _client_ip(request), now, for_update=True
    )
    body = body or AcceptBody()
    member = circle.accept_invitation(
        session,
        invitation,
        user=user,
        name=body.name,
        password=body.password,
        now=now,
    )
    return AcceptOut(
        user_id=member.id,
        beneficiary_id=invitation.beneficiary_id,
        relation=invitation.relation,
        created_account=user is None,
    )


# --- one's own profile ------------------------------------------------------------------------


@router.patch("/me", response_model=ProfileOut)
def update_me(body: ProfileUpdate, user: CurrentUser, session: SessionDep) -> ProfileOut:
    """Change one's name, or one's profession for one that grants no more rights."""
    circle.update_profile(
        session,
        user,
        name=body.name,
        profession=body.profession,
        set_profession="profession" in body.model_fields_set,
    )
    return ProfileOut(
        id=user.id, email=user.email, name=user.name, role=user.role, profession=user.profession
    )
