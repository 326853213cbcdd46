"""Project-level checks: deployment files validate, the README documents every setting."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from graphsvc.config import SETTINGS_DOC, Settings, load_settings, redact_uri
from graphsvc.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_readme_configuration_table_lists_every_setting() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table_rows = set(re.findall(r"^\| `(GRAPHSVC_[A-Z0-9_]+)` \|", readme, flags=re.MULTILINE))
    assert table_rows == set(SETTINGS_DOC)


def test_every_documented_variable_maps_to_a_settings_field() -> None:
    fields = set(Settings.__dataclass_fields__)
    assert {name for name, _default, _meaning in SETTINGS_DOC.values()} == fields


def test_load_settings_reads_the_environment_given() -> None:
    settings = load_settings(
        {
            "GRAPHSVC_STORE": "bolt://h:7687",
            "GRAPHSVC_BATCH_SIZE": "17",
            "GRAPHSVC_TIMEZONE": "Europe/Ljubljana",
        }
    )
    assert (settings.store, settings.batch_size, settings.timezone) == (
        "bolt://h:7687",
        17,
        "Europe/Ljubljana",
    )
    assert load_settings({}) == Settings()


@pytest.mark.parametrize(
    "environ",
    [
        {"GRAPHSVC_BATCH_SIZE": "many"},
        {"GRAPHSVC_BATCH_SIZE": "0"},
        {"GRAPHSVC_TIMEZONE": "Mars/Olympus"},
    ],
)
def test_bad_settings_are_config_errors(environ: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        load_settings(environ)


def test_redact_uri_hides_passwords() -> None:
    assert redact_uri("bolt://neo4j:s3cret@db:7687") == "bolt://neo4j:***@db:7687"
    assert redact_uri("sqlite:///x.db") == "sqlite:///x.db"


def compose_command() -> list[str]:
    found = shutil.which("docker-compose")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("docker-compose is not installed; .ci/run installs it")
        pytest.skip("docker-compose not installed (apt-get install docker-compose)")
    return [found]


def test_docker_compose_file_validates() -> None:
    env = {**os.environ, "NEO4J_PASSWORD": "compose-test-pw"}
    result = subprocess.run(
        [*compose_command(), "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "neo4j:5.26-community" in result.stdout
    assert "GRAPHSVC_STORE: bolt://neo4j:7687" in result.stdout
    assert "condition: service_healthy" in result.stdout


def test_docker_compose_requires_a_password() -> None:
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_PASSWORD"}
    result = subprocess.run(
        [*compose_command(), "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode != 0
    assert "NEO4J_PASSWORD" in result.stderr
