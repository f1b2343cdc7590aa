"""Loading order exports into the ``sim.results.tables`` orders schema: every loader in one import.

Every loader returns one row per order with the columns of
``sim.results.tables.ORDER_COLUMNS`` that its source can fill (at least
``REQUIRED_ORDER_COLUMNS``), in their schema dtypes, so that ``sim.results.kpis`` and
every ``playbook`` analysis accept real exports and simulated tables alike:
:func:`load_orders_csv` (a CSV in the schema), :func:`load_shopify_csv`
(Shopify's orders export), :func:`load_taobao_csv` (a Taobao/Tmall seller
order report), :func:`load_cdnow` (the CDNOW data set).

Conventions shared by the loaders:

* **Time zone.**  ``tz`` is the store's time zone (an IANA name, checked).
  Timestamps that carry an offset are converted to ``tz``; naive timestamps
  are taken to be in ``naive_tz`` (default: already in ``tz``).  The result is
  naive local time, as the schema requires.  Dates outside 1970-2099 are bad rows.
* **Currency.**  ``currency`` (an ISO 4217 code, checked) is recorded in
  ``frame.attrs["currency"]``; a source that states a currency per row must agree with it.
* **Numbers** are read strictly (:mod:`playbook.data.number_format`): ``22,19``,
  ``1.234,56``, ``inf``, ``nan`` and ``1e20`` are bad rows unless ``decimal=``
  / ``thousands=`` say how the file writes numbers; ids are parsed exactly and
  must fit int64; quantities are bounded; refunds never exceed what was paid.
* **Files** (:mod:`playbook.data.reading`): UTF-8 with or without BOM (and
  GBK for Taobao) unless ``encoding=`` is given; empty files, header-only
  files, trailing delimiters and other encodings fail in one line naming the option.
* **Bad rows.**  Rows with a missing id, an unparseable date or number, a
  negative total that is not a refund, or a duplicate order are collected with
  their row number in the file (the header is row 1) and a reason.
  ``errors="raise"`` raises :class:`DataError` (one line: the count and the
  first rows; ``.report`` lists all); ``errors="report"`` returns ``(orders,
  report)`` where ``report`` has one row per dropped file row.  Nothing is
  dropped silently.  Every other problem is a :class:`LoadError` (the base of
  ``DataError``; both are ``ValueError``).
* **Personal data.**  ``hash_ids=True`` replaces customer identifiers with a
  keyed BLAKE2b hash (see :func:`hash_customer_ids`), stable for one secret
  ``salt``; otherwise customers are numbered.  Names, addresses and phone
  numbers are never loaded.
"""

from __future__ import annotations

from playbook.data.cdnow import load_cdnow
from playbook.data.checks import check_frame, check_values
from playbook.data.errors import REPORT_COLUMNS, DataError, LoadError
from playbook.data.identifiers import hash_customer_ids
from playbook.data.orders_csv import load_orders_csv
from playbook.data.shopify import SHOPIFY_REQUIRED, load_shopify_csv
from playbook.data.taobao import TAOBAO_REQUIRED, load_taobao_csv

__all__ = [
    "REPORT_COLUMNS",
    "SHOPIFY_REQUIRED",
    "TAOBAO_REQUIRED",
    "DataError",
    "LoadError",
    "check_frame",
    "check_values",
    "hash_customer_ids",
    "load_cdnow",
    "load_orders_csv",
    "load_shopify_csv",
    "load_taobao_csv",
]
