"""The communities dashboard and one community's page (``/api/v1/communities[/<id>]``)."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.pages import page_context
from web.security import requires

communities = Blueprint("communities", __name__, url_prefix="/communities")


@communities.get("")
@requires("view_network")
def dashboard() -> str:
    return render_template("communities.html", **page_context("communities"))


@communities.get("/<community_id>")
@requires("view_network")
def community(community_id: str) -> str:
    return render_template(
        "community.html", **page_context("communities", community_id=community_id)
    )
