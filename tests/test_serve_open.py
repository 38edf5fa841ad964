"""``imbalance serve --open`` on a fresh install: no client database yet, nothing configured; the
default browser (here a stand-in named by $BROWSER, which Python's webbrowser honours) is sent
to the clients page once the server listens, and that page loads."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

# The stand-in browser: fetch the URL it is given, as a browser would, and keep the page.
FETCH = """\
import os, sys, urllib.request
url = sys.argv[1]
with urllib.request.urlopen(url, timeout=20) as response:
    page = response.read().decode("utf-8")
open(sys.argv[2] + ".part", "w", encoding="utf-8").write(url + "\\n" + page)
os.replace(sys.argv[2] + ".part", sys.argv[2])
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_open_on_a_fresh_install_shows_the_clients_page(tmp_path: Path) -> None:
    fetch, seen = tmp_path / "fetch.py", tmp_path / "seen.html"
    fetch.write_text(FETCH)
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("IMBALANCE_DB", "IMBALANCE_KB")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"),
               XDG_CACHE_HOME=str(home / "cache"),
               BROWSER=f"{sys.executable} {fetch} %s {seen}")
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "expert", "serve", "--open",
                                "--port", str(port)], env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not seen.exists():
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "the browser was never sent to a page"
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
        log.close()
    url, page = seen.read_text().split("\n", 1)
    assert url == f"http://127.0.0.1:{port}/clients"
    assert "<h1>Clients</h1>" in page or ">Clients</h1>" in page
    assert "Add a client" in page or "add a client" in page.lower()
    # the fresh install's database was made where the docs say: the user's data folder
    assert list((home / "data").rglob("*.db")), "no client database in the data folder"
    server_log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in server_log
