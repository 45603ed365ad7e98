"""Groups of people (Django groups) and the bundles shared with them.

Administrators make groups and choose their members. A bundle's owner (or an administrator)
shares it with groups: their members may then view and load it and see its runs.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, User
from django.db import IntegrityError, transaction

from backend.access import AccessDenied, bundle_to_change, groups_shareable, require_admin
from backend.errors import UserFixable
from backend.models import AuditEvent, Bundle
from backend.services.audit import audit_record

# Django's own limit on a group's name.
GROUP_NAME_MAX: int = Group._meta.get_field("name").max_length or 150


class GroupInvalid(UserFixable):
    """A group name that cannot be used; the message says why."""


def group_create(*, by: User, name: str, client: str = "") -> Group:
    """An administrator makes a group with a new, non-empty name."""
    require_admin(by)
    name = name.strip()
    if not name:
        raise GroupInvalid("Give the group a name.")
    if len(name) > GROUP_NAME_MAX:
        raise GroupInvalid(f"A group name has at most {GROUP_NAME_MAX} characters.")
    try:
        with transaction.atomic():
            group = Group.objects.create(name=name)
    except IntegrityError:
        raise GroupInvalid(f"A group named {name!r} exists already.") from None
    _changed(by, client, f"created group {name}")
    return group


def group_delete(*, by: User, group_id: int, client: str = "") -> None:
    """An administrator removes a group; bundles shared only with it are no longer shared."""
    require_admin(by)
    group = Group.objects.get(pk=group_id)
    group.delete()
    _changed(by, client, f"deleted group {group.name}")


def group_set_members(
    *, by: User, group_id: int, user_ids: Iterable[int], client: str = ""
) -> Group:
    """An administrator makes exactly these accounts the group's members; each one added
    or removed is recorded."""
    require_admin(by)
    group = Group.objects.get(pk=group_id)
    wanted = set(User.objects.filter(pk__in=set(user_ids)))
    current = set(group.user_set.all())
    for person in sorted(wanted - current, key=lambda u: u.username):
        group.user_set.add(person)
        _changed(by, client, f"added {person.username} to group {group.name}")
    for person in sorted(current - wanted, key=lambda u: u.username):
        group.user_set.remove(person)
        _changed(by, client, f"removed {person.username} from group {group.name}")
    return group


def bundle_share(*, by: User, bundle_id: int, group_ids: Iterable[int], client: str = "") -> Bundle:
    """The owner (or an admin) shares the bundle with exactly these of the groups they may
    choose from; groups outside that choice (shared by an admin) stay as they are."""
    bundle = bundle_to_change(by, bundle_id)
    choosable = set(groups_shareable(by).values_list("pk", flat=True))
    wanted = set(group_ids)
    if wanted - choosable:
        raise AccessDenied("You may share a bundle only with groups you belong to.")
    current = set(bundle.shared_with.values_list("pk", flat=True))
    added, removed = wanted - current, (current & choosable) - wanted
    bundle.shared_with.add(*added)
    bundle.shared_with.remove(*removed)
    if added or removed:
        names = ", ".join(sorted(bundle.shared_with.values_list("name", flat=True))) or "no one"
        _changed(by, client, f"shared bundle {bundle.name} with {names}")
    return bundle


def _changed(by: User, client: str, detail: str) -> None:
    audit_record(action=AuditEvent.Action.USER_CHANGED, actor=by, client=client, detail=detail)
