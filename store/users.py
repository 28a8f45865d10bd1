"""End users and their profiles."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import and_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.models import Profile, SteerProposal, Tenant, User, utcnow


def find_user(session: Session, tenant_id: str, external_id: str) -> User | None:
    """The user `external_id` of `tenant_id`, or None."""
    return session.exec(
        select(User).where(User.tenant_id == tenant_id, User.external_id == external_id)
    ).first()


class ChatRows(NamedTuple):
    """What a chat message reads first (`find_user_for_chat`); None for what does not exist."""

    tenant: Tenant | None
    user: User | None
    profile: Profile | None
    proposals_waiting: bool  # the user has proposals waiting for their word


def find_user_for_chat(session: Session, tenant_id: str, external_id: str) -> ChatRows:
    """The tenant, the user `external_id` of it and their profile, in one query."""
    waiting = (
        select(SteerProposal.id)
        .where(col(SteerProposal.user_id) == User.id, SteerProposal.status == "proposed")
        .exists()
    )
    user_of_tenant = and_(
        col(User.tenant_id) == col(Tenant.id), col(User.external_id) == external_id
    )
    row = session.exec(
        select(Tenant, User, Profile, waiting)
        .select_from(Tenant)
        .outerjoin(User, user_of_tenant)
        .outerjoin(Profile, col(Profile.user_id) == User.id)
        .where(Tenant.id == tenant_id)
    ).first()
    if row is None:  # no such tenant
        return ChatRows(None, None, None, False)
    return ChatRows(row[0], row[1], row[2], bool(row[3]))


def get_or_create_user(session: Session, tenant_id: str, external_id: str) -> User:
    """The user, created (with an empty profile) on first sight. Safe under concurrent creates."""
    user = find_user(session, tenant_id, external_id)
    return user if user is not None else create_user(session, tenant_id, external_id)[0]


def create_user(session: Session, tenant_id: str, external_id: str) -> tuple[User, Profile | None]:
    """A new user with an empty profile, for an `external_id` just found missing; when another
    request created it meanwhile, that user (and None: their profile is not read here)."""
    try:
        with session.begin_nested():
            user = User(tenant_id=tenant_id, external_id=external_id)
            session.add(user)
            session.flush()
            assert user.id is not None
            profile = Profile(user_id=user.id)
            session.add(profile)
            session.flush()
    except IntegrityError:
        # another request created it between our select and insert
        found = find_user(session, tenant_id, external_id)
        assert found is not None
        return found, None
    return user, profile


def get_profile(session: Session, user: User) -> Profile:
    """The user's profile (created empty if missing)."""
    assert user.id is not None
    profile = session.get(Profile, user.id)
    if profile is None:
        profile = Profile(user_id=user.id)
        session.add(profile)
        session.flush()
    return profile


def touch(session: Session, user: User) -> None:
    """Record activity now."""
    user.last_seen_at = utcnow()
    session.add(user)
