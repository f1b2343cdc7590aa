"""The model's SimPy environment: SimPy's own, plus :meth:`StoreEnvironment.skip_to`.

Kept apart from the compiled modules (``sim.engine.native``): it subclasses
SimPy's Python class and swaps SimPy's ``now`` property for a C getter, which
mypyc cannot compile.
"""

from __future__ import annotations

import operator

import simpy


class StoreEnvironment(simpy.Environment):
    """SimPy's environment, plus :meth:`skip_to` for steps that need no event of their own.

    A day's orders are placed one after another by the day's process
    (``StoreModel._days``).  When nothing else is due before the next order's
    minute, the clock moves straight there (:meth:`skip_to`) - exactly what
    ``env.run`` would do with a timeout, without creating, scheduling and
    popping one.  When something is due first, the process yields a timeout
    as usual, so every other event still happens in its turn.
    """

    #: the current time, read by a C getter instead of SimPy's Python property (half a million reads a year)
    now = property(operator.attrgetter("_now"))

    def skip_to(self, t: float) -> bool:
        """Move the clock to ``t`` if no event is due before it, and say so; False: yield a timeout instead.

        Used as ``if not env.skip_to(t): yield env.timeout(t - env.now)``.
        An event due at exactly ``t`` goes first, as it would have been
        scheduled before the timeout.
        """
        if t < self._now:
            raise ValueError(f"cannot move the clock back from {self._now} to {t}")
        queue = self._queue  # SimPy's own heap of (time, priority, id, event): what ``peek()`` reads
        if queue and queue[0][0] <= t:
            return False
        self._now = t  # SimPy's own clock attribute: what ``step()`` sets when it pops the next event
        return True
