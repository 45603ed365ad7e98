"""Reads about groups: the list administrators manage, and the groups a bundle may be shared
with."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, User

from backend.access import groups_shareable, require_admin


@dataclass(frozen=True)
class GroupRow:
    id: int
    name: str
    members: tuple[str, ...]  # user names, sorted
    bundles: int  # how many bundles are shared with the group


def groups_list(*, by: User) -> list[GroupRow]:
    """Every group with its members, for the Users page."""
    require_admin(by)
    groups = Group.objects.prefetch_related("user_set", "bundles").order_by("name")
    return [
        GroupRow(
            g.pk,
            g.name,
            tuple(sorted(u.username for u in g.user_set.all())),
            len(g.bundles.all()),
        )
        for g in groups
    ]


@dataclass(frozen=True)
class GroupChoice:
    id: int
    name: str


def groups_to_share_with(*, by: User) -> list[GroupChoice]:
    """The groups the user may share a bundle with, by name."""
    return [GroupChoice(g.pk, g.name) for g in groups_shareable(by).order_by("name")]
