"""The web layer's commands: ``graphsvc serve``, the users and tokens commands, and
``graphsvc demo`` serving the UI once the demo world is loaded (DESIGN.md §8).
"""

from __future__ import annotations

import argparse
from typing import Any

from graphsvc.cli import CommandContext, Handler

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``serve``, ``users`` and ``tokens``; make ``demo`` serve what it loaded."""
    from web.report_cli import register_report
    from web.users_cli import register as register_accounts

    parser = subparsers.add_parser(
        "serve",
        help="serve the web UI and the JSON API",
        description="Serve the web UI and the /api/v1 JSON API with waitress (a production"
        " WSGI server); --dev runs Flask's debug server instead (never in production).",
    )
    _add_server_options(parser)
    parser.add_argument("--dev", action="store_true", help="Flask's debug server (development)")
    parser.set_defaults(handler=run_serve)
    register_accounts(subparsers)
    register_report(subparsers)
    demo = subparsers.choices.get("demo")
    if isinstance(demo, argparse.ArgumentParser):
        _extend_demo(demo)


def _add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on ({DEFAULT_HOST})"
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT})")
    parser.add_argument("--threads", type=int, default=8, help="request threads (8)")


def run_serve(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Serve until interrupted; the URL printed is the one listening (``--port 0`` picks a
    free port)."""
    from web import create_app

    app = create_app(ctx.settings, store=ctx.store())
    warm_default_window(app)
    if getattr(args, "dev", False):
        ctx.echo(f"graphsvc (development server) at http://{args.host}:{args.port}/")
        app.run(host=args.host, port=args.port, debug=True, use_reloader=False)
        return 0
    import waitress

    server = waitress.create_server(
        app, host=args.host, port=args.port, threads=args.threads, ident="graphsvc"
    )
    port = getattr(server, "effective_port", args.port)
    ctx.echo(f"graphsvc is serving {ctx.store().location} at http://{args.host}:{port}/")
    ctx.echo("(Ctrl+C stops it)")
    ctx.stdout.flush()  # the URL must show even when the output is piped
    try:
        server.run()
    finally:
        server.close()
    return 0


def warm_default_window(app: Any) -> None:
    """Analyse the all-time window in the background, so the first map and dashboard are
    quick (the analysis of 10k people takes seconds)."""
    from web.state import WebState, WindowKey

    state: WebState = app.extensions["graphsvc"]

    def analyse_all_time() -> None:
        state.analyses.report(WindowKey())

    state.background(analyse_all_time)


def _extend_demo(parser: argparse.ArgumentParser) -> None:
    """``graphsvc demo`` loads the demo world, then serves it (not with ``--no-serve``,
    ``--out`` or ``--json``)."""
    parser.add_argument(
        "--no-serve", action="store_true", help="load the data, do not serve (also --json, --out)"
    )
    _add_server_options(parser)
    load: Handler = parser.get_default("handler")

    def run_demo_and_serve(args: argparse.Namespace, ctx: CommandContext) -> int:
        status = load(args, ctx)
        if status != 0 or args.no_serve or args.out is not None or args.json:
            return status  # nothing to serve, or a script asked for JSON
        from web.accounts import Accounts, accounts_path

        with_accounts = Accounts.open(accounts_path(ctx.settings))
        created = with_accounts.ensure_demo_admin()
        with_accounts.close()
        if created is not None:
            name, password = created
            ctx.echo(f"demo login: {name} / {password}  (shown once; change it with"
                     f" `graphsvc users passwd {name}`)")  # fmt: skip
        return run_serve(args, ctx)

    parser.set_defaults(handler=run_demo_and_serve)
