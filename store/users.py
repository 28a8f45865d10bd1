"""End users and their profiles."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from store.models import Profile, User, utcnow


def find_user(session: Session, tenant_id: str, external_id: str) -> User | None:
    """The user `external_id` of `tenant_id`, or None."""
    return session.exec(
        select(User).where(User.tenant_id == tenant_id, User.external_id == external_id)
    ).first()


def get_or_create_user(session: Session, tenant_id: str, external_id: str) -> User:
    """The user, created (with an empty profile) on first sight. Safe under concurrent creates."""
    user = find_user(session, tenant_id, external_id)
    if user is not None:
        return user
    try:
        with session.begin_nested():
            user = User(tenant_id=tenant_id, external_id=external_id)
            session.add(user)
            session.flush()
            assert user.id is not None
            session.add(Profile(user_id=user.id))
            session.flush()
    except IntegrityError:
        # another request created it between our select and insert
        user = find_user(session, tenant_id, external_id)
        assert user is not None
    return user


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
