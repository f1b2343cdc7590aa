"""The one error a user sees for bad input."""


class ScenarioError(ValueError):
    """A scenario, sweep or override is invalid.

    The message names the dotted path of the field, the value given and what
    is allowed, e.g. ``service.agents = -1: Input should be greater than or
    equal to 0 (allowed: >= 0)``.  The CLI prints it as one line and exits
    with status 2.
    """
