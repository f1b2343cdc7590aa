"""Hashed customer ids: stable for one salt, different for another, blind to case and blanks, never negative."""

from __future__ import annotations

import numpy as np
import pytest

from playbook.data.errors import LoadError
from playbook.data.identifiers import hash_customer_ids


def test_same_salt_same_numbers_case_and_blanks_ignored():
    a = hash_customer_ids(["ada@example.com", " ADA@example.com ", "ben@example.com"], salt="s3cret")
    assert a.dtype == np.int64 and a[0] == a[1] != a[2]
    assert hash_customer_ids(["ada@example.com"], salt="s3cret")[0] == a[0], "stable across calls"


def test_another_salt_gives_unrelated_numbers():
    emails = [f"customer{i}@example.com" for i in range(1_000)]
    a, b = hash_customer_ids(emails, salt="s3cret"), hash_customer_ids(emails, salt="pepper")
    assert not set(a) & set(b)


def test_numbers_are_non_negative_and_distinct_for_distinct_ids():
    # 10,000 ids in 2^63 values: a collision has probability about n^2 / 2^64 = 5e-12
    ids = hash_customer_ids(range(10_000), salt="s")
    assert (ids >= 0).all() and len(set(ids.tolist())) == 10_000


def test_empty_or_oversized_salt_is_refused():
    with pytest.raises(LoadError, match="non-empty secret salt"):
        hash_customer_ids(["x"], salt="")
    with pytest.raises(LoadError, match="at most 64 bytes"):
        hash_customer_ids(["x"], salt="k" * 65)
    assert hash_customer_ids([], salt="k" * 64).shape == (0,)
