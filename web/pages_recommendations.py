"""A moderator's page per community: mentors for members without one, collaborator
suggestions, cohort matching and the introductions' outcomes (filled by ``moderate.js``
from the ``/api/v1`` moderators' routes)."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.pages import page_context
from web.security import requires

recommendations = Blueprint("recommendations", __name__, url_prefix="/communities")


@recommendations.get("/<community_id>/moderate")
@requires("view_recommendations")
def moderate(community_id: str) -> str:
    return render_template(
        "moderate.html", **page_context("communities", community_id=community_id)
    )
