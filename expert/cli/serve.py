"""``imbalance serve``: the consultation in a browser (see docs/web.md)."""

from __future__ import annotations

from typing import TextIO

import click

from . import examples, knowledge, main
from .storage import db_option, open_db


@main.command(epilog=examples(
    "imbalance serve                           # http://127.0.0.1:8765/clients",
    "imbalance serve --open --db clients.db    # and open it in the browser",
    "imbalance serve --host 0.0.0.0 --password-file pw.txt   # on the network, with a login"))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. Anything but this computer (127.0.0.1, ::1, "
                   "localhost) needs --password or --password-file, and a login.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="The port to listen on.")
@db_option
@click.option("--password", envvar="IMBALANCE_PASSWORD", metavar="TEXT",
              help="Ask for this password before any page (env IMBALANCE_PASSWORD).")
@click.option("--password-file", type=click.File("r"), metavar="FILE",
              help="Read the password from the first line of FILE.")
@click.option("--open", "open_browser", is_flag=True, help="Open the clients page in the "
              "default browser.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, db_url: str | None, password: str | None,
          password_file: TextIO | None, open_browser: bool) -> None:
    """Serve the consultation in a web browser: clients, one question per page, the findings
    (how each was found, why not another muscle, what if answers were different), the client
    sheet to print or download as PDF, and a client's progress and comparisons, all kept in the
    client database. Plain pages that work without JavaScript; nothing is fetched from the
    internet. Ctrl-C stops it. An educational and trainer aid, not a diagnosis."""
    from ..web.security import allowed_hosts, is_loopback

    if password_file is not None:
        password = password_file.readline().strip()
    if password is not None and len(password) < 8:
        raise click.UsageError("the password needs at least 8 characters")
    if not is_loopback(host) and password is None:
        raise click.UsageError(f"--host {host} lets other computers reach the client "
                               "records: give --password (or --password-file), so that every "
                               "visitor has to log in; or leave --host out to serve this "
                               "computer only")
    import logging
    import socket
    import threading

    try:  # a clear message rather than uvicorn's log line and exit status 3
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host} port {port}: "
                                   f"{exc.strerror or exc}; is another imbalance serve "
                                   "running? Choose another --port") from None

    import uvicorn

    from ..web.app import create_app

    kb = knowledge(ctx)
    store = open_db(db_url)
    app = create_app(kb, store, password, allowed_hosts(host))
    config = uvicorn.Config(app, host=host, port=port, log_level="info",
                            access_log=False, proxy_headers=False, server_header=False)
    server = uvicorn.Server(config)
    logging.getLogger("imbalance.serve").setLevel(logging.INFO)
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/clients"
    click.echo(f"Serving {url} (client database: {store.where}); Ctrl-C to stop.", err=True)
    if open_browser:
        threading.Thread(target=_open_when_started, args=(server, url), daemon=True).start()
    try:
        server.run()
    finally:
        store.close()


def _open_when_started(server: object, url: str) -> None:
    """Open ``url`` in the default browser (webbrowser honours $BROWSER) once uvicorn listens,
    so the first page never meets a refused connection; give up quietly after 30 s."""
    import time
    import webbrowser

    for _ in range(600):
        if getattr(server, "started", False):
            webbrowser.open(url)
            return
        time.sleep(0.05)
