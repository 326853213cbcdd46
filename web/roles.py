"""Roles and permissions of the web UI and the API (issue #5, web-contract "Roles").

Each role includes the ones before it, ``viewer`` < ``weaver`` < ``moderator``;
``evaluator`` is a weaver who may also see the recommenders' evaluation; ``admin`` may do
everything. Views ask for *permissions*, never for roles, so a role can change without
touching a view. :func:`permission_table_markdown` renders the table the README shows.
"""

from __future__ import annotations

from graphsvc.errors import ValidationError

#: the roles, from the least to the most trusted
ROLES: tuple[str, ...] = ("viewer", "weaver", "moderator", "evaluator", "admin")

#: every permission with what it allows, in the order the permission table lists them
PERMISSIONS: dict[str, str] = {
    "view_network": "explorer, graph API, communities and people pages with consent-aware names",
    "view_person_details": "a person page's metrics and ties",
    "export_graph": "GEXF/CSV export of the current subgraph",
    "view_recommendations": "collaborator and mentor suggestions",
    "view_evaluation": "offline evaluation of the recommenders",
    "view_imports": "the import runs and their quarantined rows",
    "run_imports": "uploading files and triggering imports",
    "manage_users": "adding, changing and removing users and API tokens",
}

_VIEWER = frozenset({"view_network"})
_WEAVER = _VIEWER | {"view_person_details", "export_graph"}

#: the permissions of each role (web-contract table)
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": _VIEWER,
    "weaver": _WEAVER,
    "moderator": _WEAVER | {"view_recommendations"},
    "evaluator": _WEAVER | {"view_evaluation"},
    "admin": frozenset(PERMISSIONS),
}


def check_role(role: str) -> str:
    """``role`` itself when it is one of :data:`ROLES`, else a :class:`ValidationError`."""
    if role not in ROLE_PERMISSIONS:
        raise ValidationError("role", f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    return role


def permissions_of(role: str) -> frozenset[str]:
    """The permissions ``role`` grants (a :class:`ValidationError` for an unknown role)."""
    return ROLE_PERMISSIONS[check_role(role)]


def ordered(permissions: frozenset[str]) -> list[str]:
    """``permissions`` in the table's order (for stable JSON and display)."""
    return [name for name in PERMISSIONS if name in permissions]


def permission_table_markdown() -> str:
    """The permission × role table in Markdown, ✓ where the role grants the permission."""
    lines = [
        "| permission | " + " | ".join(ROLES) + " |",
        "|---|" + "---|" * len(ROLES),
    ]
    for permission in PERMISSIONS:
        marks = ("✓" if permission in ROLE_PERMISSIONS[role] else "" for role in ROLES)
        lines.append(f"| {permission} | " + " | ".join(marks) + " |")
    return "\n".join(lines) + "\n"
