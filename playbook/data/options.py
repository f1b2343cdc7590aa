"""Checking a loader's keyword options before the file is read, so a typo fails in one line naming the option."""

from __future__ import annotations

import codecs
import re
import zoneinfo

from playbook.data.errors import LoadError, shorten

_CURRENCY = re.compile(r"[A-Z]{3}")


def check_errors(errors: str) -> None:
    """``errors`` must be ``'raise'`` (stop at bad rows) or ``'report'`` (return them beside the clean rows)."""
    if errors not in ("raise", "report"):
        raise LoadError(f"errors={shorten(errors)}: use 'raise' or 'report'")


def check_zone(name: str | None, option: str) -> None:
    """An IANA time zone name such as ``'Europe/Berlin'``; ``option`` names the keyword in the message."""
    if name is None and option == "naive_tz":
        return
    try:
        zoneinfo.ZoneInfo(name)  # type: ignore[arg-type]
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise LoadError(
            f"{option}={shorten(name)} is not a time zone; use an IANA name such as 'Europe/Berlin' or 'Asia/Shanghai'"
        ) from None


def check_currency(code: str) -> str:
    """An ISO 4217 code (three letters, e.g. ``'EUR'``), returned in capitals."""
    if not isinstance(code, str) or not _CURRENCY.fullmatch(code.upper()):
        raise LoadError(f"currency={shorten(code)}: use a three-letter ISO 4217 code such as 'EUR', 'USD' or 'CNY'")
    return code.upper()


def check_encoding(encoding: str | None) -> None:
    """``None`` (try the loader's stated order) or a codec Python knows, e.g. ``'gbk'``, ``'latin-1'``, ``'utf-16'``."""
    if encoding is None:
        return
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        raise LoadError(f"encoding={shorten(encoding)} is not an encoding Python knows; e.g. 'utf-8', 'gbk'") from None


def check_sep(sep: str) -> None:
    """One character that separates fields: ``','``, ``';'``, a tab ..., never a quote or a line break."""
    if not isinstance(sep, str) or len(sep) != 1 or sep in '"\r\n' or sep.isalnum():
        raise LoadError(f"sep={shorten(sep)}: use one separator character such as ',' or ';'")


def check_options(
    *,
    errors: str,
    tz: str,
    naive_tz: str | None,
    currency: str,
    encoding: str | None,
    sep: str,
    hash_ids: bool,
    salt: str | None,
) -> str:
    """Check every keyword a loader shares before it opens the file; returns the currency in capitals."""
    check_errors(errors)
    check_zone(tz, "tz")
    check_zone(naive_tz, "naive_tz")
    check_encoding(encoding)
    check_sep(sep)
    if hash_ids and not salt:
        raise LoadError("hash_ids=True needs a non-empty secret salt=")
    return check_currency(currency)


def check_columns(have: object, required: tuple[str, ...], name: str, what: str = "") -> None:
    """Raise a one-line :class:`LoadError` naming the required columns the header lacks."""
    missing = [c for c in required if c not in set(have)]  # type: ignore[call-overload]
    if missing:
        raise LoadError(f"{name}: lacks {what}column(s) {missing}; required {list(required)}")
