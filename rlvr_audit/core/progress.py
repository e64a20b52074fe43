"""The one style of progress bar every long step shows (on stderr, so stdout stays data)."""

from __future__ import annotations

from typing import Any


def progress_bar(label: str, *, transient: bool = False, remaining: bool = False) -> Any:
    """A rich Progress with `label` (a format string over `task`), a bar, done/total and
    elapsed (or, with `remaining`, estimated remaining) time. Imported lazily: rich costs
    start-up time."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    clock = TimeRemainingColumn() if remaining else TimeElapsedColumn()
    return Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), clock, console=Console(stderr=True), transient=transient
    )
