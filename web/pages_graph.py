"""The network explorer: the weaver's main page (filled by ``explorer*.js`` from
``/api/v1/graph``)."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.pages import page_context
from web.security import requires

graph = Blueprint("graph", __name__)


@graph.get("/")
@requires("view_network")
def explorer() -> str:
    return render_template("explorer.html", **page_context("explorer"))
