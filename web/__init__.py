"""The web UI and JSON API: :func:`create_app` builds the Flask application.

One blueprint per area (the explorer ``graph``, ``communities``, ``people``, ``imports``,
``auth``, ``assets`` and the ``/api/v1`` API); the store, the accounts and
the analysis cache live in ``app.extensions["graphsvc"]`` (:class:`web.state.WebState`).
Every script and stylesheet is served by the app itself (vis-network from the pyvis
package): the UI works with no outside network.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from graphsvc.config import Settings, load_settings
from graphsvc.errors import GraphsvcError
from graphsvc.store import GraphStore, open_store


def create_app(
    settings: Settings | None = None,
    *,
    store: GraphStore | None = None,
    accounts_path: Path | None = None,
) -> Flask:
    """The Flask app for ``settings`` (read from the environment when None).

    ``store`` and ``accounts_path`` default to the ones ``settings`` names; tests and the
    ``serve`` command pass an already opened store.
    """
    from web import (  # noqa: F401  (they add their routes to the API)
        api_analytics,
        api_evaluation,
        api_imports,
        api_interventions,
        api_recommend,
        api_ties,
    )
    from web.accounts import Accounts
    from web.accounts import accounts_path as default_accounts_path
    from web.api import api, error_response
    from web.json_provider import OrjsonProvider
    from web.pages import register_pages
    from web.recommendations_state import RecommendationCache
    from web.security import init_security
    from web.state import AnalysisCache, WebState

    settings = settings or load_settings()
    store = store or open_store(settings)
    app = Flask(__name__)
    app.json = OrjsonProvider(app)
    accounts = Accounts.open(accounts_path or default_accounts_path(settings))
    init_security(app, accounts, settings)
    analyses = AnalysisCache(store)
    web_state = WebState(settings, store, analyses)
    web_state.recommendations = RecommendationCache(store, analyses)
    app.extensions["graphsvc"] = web_state
    register_pages(app)
    app.register_blueprint(api)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response | tuple[str, int]:
        status = exc.code or 500
        if request.path.startswith("/api/"):
            return error_response(status, exc.description or exc.name)
        page = render_template("error.html", status=status, message=exc.description or exc.name)
        return page, status

    @app.errorhandler(GraphsvcError)
    def _graphsvc_error(exc: GraphsvcError) -> tuple[str, int]:
        """A page that asked for an unknown id or gave a bad value (the API answers JSON)."""
        status = int(getattr(exc, "status", 500))
        return render_template("error.html", status=status, message=str(exc)), status

    return app
