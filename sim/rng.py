"""Random streams: one seeded ``numpy.random.Generator`` per source of randomness.

Every run starts from one ``numpy.random.SeedSequence``.  It is split into a
fixed list of named child streams, so that a what-if which changes one lever
(more agents, say) leaves the draws of the other sources (traffic, carriers,
returns ...) where they were: the *common random numbers* that make paired
comparisons tight.  No code in ``sim`` touches global random state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The sources, in spawn order.  Append new ones at the end so old streams keep their seeds.
STREAMS = ("traffic", "funnel", "orders", "picking", "carriers", "returns", "service", "reviews", "customers",
           "cells", "offers", "crm")


@dataclass(frozen=True)
class Streams:
    traffic: np.random.Generator
    funnel: np.random.Generator
    orders: np.random.Generator
    picking: np.random.Generator
    carriers: np.random.Generator
    returns: np.random.Generator
    service: np.random.Generator
    reviews: np.random.Generator
    customers: np.random.Generator
    #: split of sessions into markets and A/B arms
    cells: np.random.Generator
    #: per-order terms: free-shipping top-ups, warranty take-up
    offers: np.random.Generator
    #: CRM programmes: segments, membership, campaigns
    crm: np.random.Generator

    @classmethod
    def from_seed(cls, seed: int | np.random.SeedSequence) -> "Streams":
        """Spawn one generator per source from ``seed`` (an int or a SeedSequence)."""
        seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        return cls(*(np.random.Generator(np.random.PCG64(c)) for c in children_of(seq, len(STREAMS))))


def children_of(seq: np.random.SeedSequence, n: int) -> list[np.random.SeedSequence]:
    """The first ``n`` children ``seq.spawn(n)`` would give, without advancing ``seq``'s spawn counter.

    ``SeedSequence.spawn`` is stateful: spawning twice from one object gives
    different children.  Deriving them from the spawn key instead makes a
    seed usable any number of times - the paired runs of ``sim.compare`` rely
    on it.
    """
    return [np.random.SeedSequence(seq.entropy, spawn_key=seq.spawn_key + (i,), pool_size=seq.pool_size)
            for i in range(n)]


def as_seed_sequence(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    """Accept an int (entropy) or a SeedSequence; reject anything else with a clear error."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        return np.random.SeedSequence(int(seed))
    raise ValueError(f"seed = {seed!r}: allowed: a non-negative integer or a numpy SeedSequence")
