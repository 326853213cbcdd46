"""A person's page: memberships, ego map, metrics explained (``/api/v1/people/<id>``)."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.pages import page_context
from web.security import requires

people = Blueprint("people", __name__, url_prefix="/people")


@people.get("/<person_id>")
@requires("view_person_details")
def person(person_id: str) -> str:
    return render_template("person.html", **page_context("explorer", person_id=person_id))
