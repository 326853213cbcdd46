"""``graphsvc demo`` and ``graphsvc serve`` as a user runs them: a real process serving real
HTTP on 127.0.0.1, logged into with the credentials the demo printed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import requests
from serving import LOGIN, URL, start, stop


def sign_in(base: str, name: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(base + "login", timeout=10).text
    token = re.search(r'name="csrf[-_]token"\s+(?:content|value)="([^"]+)"', page)
    assert token is not None
    response = session.post(
        base + "login",
        data={"name": name, "password": password, "csrf_token": token.group(1)},
        timeout=10,
    )
    assert response.status_code == 200 and response.url == base, response.url
    return session


def test_demo_loads_serves_and_prints_a_login_that_works(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'demo.db'}"
    process, lines = start(["--store", store, "demo", "--people", "150", "--port", "0"], tmp_path)
    try:
        output = "".join(lines)
        base = URL.search(output).group(1)  # type: ignore[union-attr]
        login = LOGIN.search(output)
        assert login is not None, output
        session = sign_in(base, login.group(1), login.group(2))
        meta = session.get(base + "api/v1/meta", timeout=10).json()
        assert meta["user"]["role"] == "admin" and meta["months"]
        graph = session.get(base + "api/v1/graph", timeout=60).json()
        assert graph["ok"] and len(graph["nodes"]) >= 100
        assert (tmp_path / "ground_truth.json").exists()
    finally:
        stop(process)


def test_serve_prints_no_password_and_a_rerun_of_demo_keeps_the_first_login(
    tmp_path: Path,
) -> None:
    store = f"sqlite:///{tmp_path / 'demo.db'}"
    first = subprocess.run(
        [sys.executable, "-m", "graphsvc.cli", "--store", store, "demo", "--people", "120",
         "--no-serve"],
        capture_output=True, text=True, cwd=tmp_path, check=True,
    )  # fmt: skip
    assert "demo login" not in first.stdout  # --no-serve: no server, no login needed yet
    process, lines = start(["--store", store, "serve", "--port", "0"], tmp_path)
    try:
        assert not LOGIN.search("".join(lines))
        base = URL.search("".join(lines)).group(1)  # type: ignore[union-attr]
        response = requests.get(base + "api/v1/meta", timeout=10)
        assert response.status_code == 401 and response.json()["ok"] is False
    finally:
        stop(process)
