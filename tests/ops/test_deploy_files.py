"""The deployment files name commands that exist: every `flask --app wsgi ...` in the systemd
units answers `--help`, and every timer has its service."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"


def _flask_commands() -> list[tuple[str, list[str]]]:
    found = []
    for unit in sorted(UNITS.glob("*.service")):
        for line in unit.read_text(encoding="utf-8").splitlines():
            match = re.search(r"flask --app wsgi ([^'\n]+)", line)
            if match and line.startswith(("ExecStart", "ExecStartPre", "ExecStartPost")):
                words = [w for w in shlex.split(match.group(1).replace("%%", "%"))
                         if not w.startswith(("/", "$"))]
                found.append((unit.name, words))
    return found


COMMANDS = _flask_commands()


def test_the_units_run_flask_commands_at_all():
    assert {unit for unit, _ in COMMANDS} >= {"portal-web.service", "portal-outbox.service",
                                              "portal-backup.service", "portal-daily.service"}


@pytest.mark.parametrize(("unit", "words"), COMMANDS, ids=[" ".join(w) for _, w in COMMANDS])
def test_each_command_in_the_units_exists(app, unit, words):
    # Options given in the unit are kept: --help still checks the command and its options.
    command = [w for w in words if not w.startswith("-") or w.startswith("--")]
    result = app.test_cli_runner().invoke(args=[*command, "--help"])
    assert result.exit_code == 0, (unit, words, result.output)


def test_every_timer_has_its_service():
    for timer in UNITS.glob("*.timer"):
        assert (UNITS / timer.name.replace(".timer", ".service")).exists(), timer.name
