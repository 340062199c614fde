"""`--help` drawn by rich-click, the options in the topics of cli/flags.py.

Imported only when the help is asked for: rich-click and rich cost a request nothing.
"""

from __future__ import annotations

import click
import rich_click
from rich.text import Text
from rich_click.rich_help_configuration import RichHelpConfiguration
from rich_click.utils import OptionGroupDict

from aiocurl.cli.flags import OTHER, TOPIC_OF, TOPICS


def topic_of(param: click.Parameter) -> str:
    """A flag's help topic: its group's, or Other for click's own (--help, --version)."""
    return TOPIC_OF.get(param.name or "", OTHER)


def option_groups(command: click.Command) -> list[OptionGroupDict]:
    """rich-click's option groups: each topic's flags, in the order the command has them."""
    grouped: dict[str, list[str]] = {topic: [] for topic in TOPICS}
    for param in command.params:
        if isinstance(param, click.Option):
            grouped[topic_of(param)].append(param.opts[0])
    grouped[OTHER].append("--help")  # rich-click draws click's help option apart from params
    return [{"name": topic, "options": names} for topic, names in grouped.items() if names]


def rich_help(command: click.Command, ctx: click.Context) -> str:
    """The help text of `command` as rich-click draws it, options grouped by topic."""
    config = RichHelpConfiguration(
        option_groups={ctx.command_path: option_groups(command)},
        text_markup=None,  # help strings hold [brackets] and *stars* meant literally
        max_width=100,
        show_arguments=False,  # the usage line and the text above say what they are
        show_metavars_column=False,  # a metavar after its help leaves the help room
        append_metavars_help=True,
    )
    rich = rich_click.RichCommand(
        name=command.name,
        params=command.params,
        help=command.help,
        # As rich text, the examples keep their lines (a plain epilog is re-wrapped).
        epilog=Text(command.epilog or ""),  # type: ignore[arg-type]  # rich-click takes Text
        context_settings={**command.context_settings, "rich_help_config": config},
    )
    rich_ctx = rich.make_context(ctx.info_name or "aiocurl", [], resilient_parsing=True)
    return rich.get_help(rich_ctx)
