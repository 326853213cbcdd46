"""Who a request acts for: a signed-in user or an API token, with its role's permissions
and, for a user, the communities they act for (a moderator's scope; None = every one)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from web.roles import ordered, permissions_of


@dataclass(frozen=True, slots=True)
class User:
    """Who a request acts for: a user, or an API token (``is_token``) with its own role."""

    name: str
    role: str
    permissions: frozenset[str] = field(default=frozenset())
    is_token: bool = False
    communities: frozenset[str] | None = None

    @classmethod
    def of(
        cls,
        name: str,
        role: str,
        *,
        is_token: bool = False,
        communities: frozenset[str] | None = None,
    ) -> User:
        return cls(name, role, permissions_of(role), is_token, communities)

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def acts_for(self, community_ids: Iterable[str]) -> bool:
        """True when the user's scope includes one of ``community_ids`` (admins and users
        without a scope act for every community)."""
        if self.communities is None or self.role == "admin":
            return True
        return not self.communities.isdisjoint(community_ids)

    def to_dict(self) -> dict[str, Any]:
        """``{"name", "role", "permissions", "communities"}`` as ``/api/v1/meta`` returns it."""
        scope = None if self.communities is None else sorted(self.communities)
        return {"name": self.name, "role": self.role, "permissions": ordered(self.permissions),
                "communities": scope}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ApiToken:
    """An API token's record (never its secret): ``prefix`` is enough to recognise it."""

    id: int
    name: str
    role: str
    user: str | None
    prefix: str
    created_at: str
    last_used: str | None
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def scope_text(community_ids: Iterable[str] | None) -> str | None:
    """How a scope is stored: ids joined by commas, sorted; None for every community."""
    if community_ids is None:
        return None
    ids = sorted({c.strip() for c in community_ids if c.strip()})
    return ",".join(ids) if ids else None


def scope_of(text: str | None) -> frozenset[str] | None:
    """The scope :func:`scope_text` stored."""
    return None if not text else frozenset(text.split(","))
