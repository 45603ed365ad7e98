"""Who may see and change what: the one place the roles are decided.

An administrator (a superuser) sees and changes everything. A member sees and changes their
own documents, tables, bundles, schedules and runs; a bundle shared with one of their groups
they may also view and load, and see its runs. Every refusal is an `AccessDenied`.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.db.models import Manager, Model, Q, QuerySet

from backend.errors import UserFixable
from backend.models import Bundle, Run

Row = TypeVar("Row", bound=Model)


class Owned(Protocol):
    """A row with an owner: documents, tables, bundles, schedules, runs."""

    @property
    def pk(self) -> Any: ...

    @property
    def owner_id(self) -> int | None: ...


class AccessDenied(UserFixable, PermissionDenied):
    """The acting user may not do this; the message says what, for the page to show."""

    def __init__(self, message: str = "You do not have access to this.") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def is_admin(user: User) -> bool:
    return bool(user.is_active and user.is_superuser)


def require_active(user: User) -> None:
    if not user.is_active:
        raise AccessDenied(f"The account {user.username} is deactivated.")


def require_admin(user: User) -> None:
    require_active(user)
    if not user.is_superuser:
        raise AccessDenied("Only an administrator may do this.")


def owned(rows: QuerySet[Row] | Manager[Row], user: User) -> QuerySet[Row]:
    """The rows the user owns; every row for an administrator."""
    require_active(user)
    queryset = rows.all()
    return queryset if is_admin(user) else queryset.filter(owner=user)


def owned_one(rows: QuerySet[Row] | Manager[Row], user: User, pk: int, what: str) -> Row:
    """One row the user owns; the same refusal whether it is someone else's or gone, so an
    id tells nothing about other people's data."""
    row = owned(rows, user).filter(pk=pk).first()
    if row is None:
        raise AccessDenied(f"No {what} {pk} of yours.")
    return row


def may_change(user: User, obj: Owned) -> bool:
    """Whether the user may change (edit, delete, share) the object: its owner or an admin."""
    return user.is_active and (is_admin(user) or obj.owner_id == user.pk)


def check_owner(user: User, obj: Owned, what: str) -> None:
    """Refuse a change to an object the user does not own (administrators may)."""
    require_active(user)
    if not may_change(user, obj):
        raise AccessDenied(f"Only the owner or an administrator may change {what} {obj.pk}.")


def _shared(user: User) -> Q:
    return Q(owner=user) | Q(shared_with__in=user.groups.all())


def bundles_visible(user: User) -> QuerySet[Bundle]:
    """Bundles the user may view and load: their own and those shared with their groups."""
    require_active(user)
    if is_admin(user):
        return Bundle.objects.all()
    return Bundle.objects.filter(pk__in=Bundle.objects.filter(_shared(user)).values("pk"))


def groups_shareable(user: User) -> QuerySet[Group]:
    """The groups the user may share a bundle with: their own; every group for an admin."""
    require_active(user)
    return Group.objects.all() if is_admin(user) else user.groups.all()


def visible_bundle(user: User, bundle_id: int) -> Bundle:
    """A bundle the user may view and load; the same refusal whether it is someone else's
    or gone."""
    bundle = bundles_visible(user).filter(pk=bundle_id).first()
    if bundle is None:
        raise AccessDenied(f"No bundle {bundle_id} of yours.")
    return bundle


def bundle_to_change(user: User, bundle_id: int, what: str = "the bundle") -> Bundle:
    """A bundle the user may change (its owner or an administrator)."""
    bundle = visible_bundle(user, bundle_id)
    check_owner(user, bundle, what)
    return bundle


def check_may_load(user: User, bundle: Bundle) -> None:
    """Refuse a load of a bundle the user may not view (owner, group member, administrator)."""
    if not bundles_visible(user).filter(pk=bundle.pk).exists():
        raise AccessDenied(f"{user.username} may not load the bundle {bundle.name!r}.")


def runs_visible(user: User) -> QuerySet[Run]:
    """Runs the user may see: their own, and those of bundles they may view."""
    require_active(user)
    if is_admin(user):
        return Run.objects.all()
    return Run.objects.filter(Q(owner=user) | Q(bundle__in=bundles_visible(user)))


def run_visible(user: User, run_id: int) -> Run:
    run = runs_visible(user).filter(pk=run_id).first()
    if run is None:
        raise AccessDenied(f"No run {run_id} of yours.")
    return run
