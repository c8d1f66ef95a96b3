"""The README documents every command and every option (as sqlite-utils' test_docs does)."""

from pathlib import Path

import click
import pytest

from explorer.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)


def test_the_contract_commands_exist():
    assert set(COMMANDS) >= {"index", "search", "facets", "export", "show", "stats", "gui"}


def test_readme_opens_with_the_two_commands():
    head = README[:1500]
    assert "python3 dev.py run" in head and "python3 dev.py test" in head


@pytest.mark.parametrize("name", COMMANDS)
def test_command_is_documented(name):
    assert f"### `explorer {name}`" in README


@pytest.mark.parametrize("name,option", [
    (name, opt)
    for name in COMMANDS
    for param in cli.commands[name].params if isinstance(param, click.Option)
    for opt in param.opts if opt.startswith("--")
] + [("(group)", opt) for p in cli.params if isinstance(p, click.Option) for opt in p.opts if opt.startswith("--")])
def test_option_is_documented(name, option):
    assert option in README, f"{option} of {name} is not in README.md"


@pytest.mark.parametrize("sub", sorted(cli.commands["knowledge"].commands))
def test_knowledge_subcommand_and_its_options_are_documented(sub):
    cmd = cli.commands["knowledge"].commands[sub]
    assert f"explorer [--data-dir DIR] knowledge {sub}" in README and f"- `{sub}" in README
    for p in cmd.params:
        for opt in (o for o in getattr(p, "opts", []) if o.startswith("--")):
            assert opt in README, f"{opt} of knowledge {sub} is not in README.md"


def test_readme_documents_the_override_file():
    assert "[[rejection]]" in README and "taxonomy.toml" in README
