"""The one error a user sees for bad input."""


class ScenarioError(ValueError):
    """A scenario, sweep or override is invalid.

    The message names the dotted path of the field, the value given and what
    is allowed, e.g. ``service.agents = -1: Input should be greater than or
    equal to 0 (allowed: >= 0)``.  The CLI prints it as one line and exits
    with status 2.
    """


class OutputError(ValueError):
    """An output folder or file may not be written: it is protected, or holds what a run did not write.

    The message names the folder, why it is refused and what to do (a new
    folder, ``--force`` or ``--resume``); the CLIs print it as one line and
    exit with status 2, before anything is written or deleted.
    """
