"""Help screens that show switches as switches: ``--strict``, not ``--strict <bool>``.

Typer 0.29 prints every option's type in the help panel, a boolean flag's ``<bool>`` included,
which reads as if the flag took a value. An empty metavar hides it; ``flag`` does that for our
switches and ``Command``/``Group`` for the ``--help`` switch typer adds itself.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup


def flag(name: str, help: str) -> Any:
    """A switch that takes no value (default off)."""
    return typer.Option(False, name, help=help, metavar="")


def _bare_help(option: Any) -> Any:
    if option is not None:
        option.metavar = ""
    return option


class Command(TyperCommand):
    """A command whose ``--help`` is listed without a type."""

    def get_help_option(self, ctx: Any) -> Any:
        return _bare_help(super().get_help_option(ctx))


class Group(TyperGroup):
    """A command group whose ``--help`` is listed without a type."""

    def get_help_option(self, ctx: Any) -> Any:
        return _bare_help(super().get_help_option(ctx))
