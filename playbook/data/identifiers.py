"""Customer identifiers without the personal data: a keyed hash of an e-mail or buyer name."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

from playbook.data.errors import LoadError


def hash_customer_ids(values: Iterable[object], salt: str) -> np.ndarray:
    """Salted stable hash of identifiers to non-negative int64.

    h(v) = first 8 bytes of BLAKE2b(key=salt, data=str(v).strip().lower()),
    top bit cleared.  The same id and salt always give the same number, so
    customers stay linkable across files, while the e-mail or name itself is
    not kept; the secret salt stops anyone re-deriving ids from a list of
    e-mails.  Collisions have probability about n^2 / 2^64.
    """
    if not salt:
        raise LoadError("hash_ids needs a non-empty secret salt=")
    key = salt.encode()
    if len(key) > 64:
        raise LoadError("salt= must be at most 64 bytes")
    out = [
        int.from_bytes(hashlib.blake2b(str(v).strip().lower().encode(), digest_size=8, key=key).digest(), "big")
        & 0x7FFF_FFFF_FFFF_FFFF
        for v in values
    ]
    return np.asarray(out, dtype=np.int64)
