"""The Taobao/Tmall seller order report (淘宝/天猫 订单报表): one row per order, Beijing time, yuan.

Sellers download it from 千牛 / 卖家中心 (已卖出的宝贝 -> 批量导出 -> 订单报表)
as ``ExportOrderList<date>.csv``.  Quirks of the real file that this loader
handles: it is GBK when written by older tools or re-saved by Excel on Chinese
Windows and UTF-8 with a byte-order mark otherwise; several header names carry a
trailing space (``收货地址 ``, ``订单付款时间 ``, ``宝贝种类 ``); long numbers are
written ``="3312345678901234567"`` so Excel keeps every digit; Excel re-saves
dates as ``2024/11/11 0:05`` and, when the protection is lost, ids as
``3.31235E+18`` (reported: the digits are gone); order statuses use a
full-width comma (``卖家已发货，等待买家确认``).  The sibling 宝贝报表 (one row
per item) is not this file.
"""

from __future__ import annotations

import re
from os import PathLike

import numpy as np
import pandas as pd

from playbook.data.errors import LoadError, shorten
from playbook.data.options import check_options
from playbook.data.reading import UTF8_THEN_GBK
from playbook.data.rows import finish, read_rows

TAOBAO_REQUIRED = ("订单编号", "买家会员名", "买家实际支付金额", "订单状态", "订单创建时间")
#: Taobao writes every time in Beijing time, without an offset.
TAOBAO_TZ = "Asia/Shanghai"
#: Trade statuses (交易状态) of the report and the orders-table status each maps to before refunds are looked at.
TAOBAO_STATUSES = {
    "等待买家付款": "open",
    "没有创建支付宝交易": "open",
    "买家已付款，等待卖家发货": "open",
    "等待卖家发货": "open",
    "卖家部分发货": "open",
    "卖家已发货，等待买家确认": "open",
    "卖家已发货，等待买家确认收货": "open",
    "买家已签收": "delivered",
    "交易成功": "delivered",
    "交易关闭": "closed",
    "交易被淘宝关闭": "closed",
}
#: Columns of the report that name or locate a person: never loaded, whatever ``hash_ids`` says.
PERSONAL_COLUMNS = (
    "买家会员名",
    "买家支付宝账号",
    "收货人姓名",
    "收货地址",
    "联系电话",
    "联系手机",
    "买家留言",
    "修改后的收货地址",
)
_PROTECTED = re.compile(r'^="(.*)"$')
_EXCEL_DATE = re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?", re.ASCII)


def _unprotect(cells: pd.Series) -> pd.Series:
    """``="0123"`` (Excel's keep-as-text formula) and a leading tab or apostrophe removed."""
    return cells.astype(str).str.strip().str.replace(_PROTECTED, r"\1", regex=True).str.lstrip("'\t")


def _iso_dates(cells: pd.Series) -> pd.Series:
    """``2024/11/11 0:05`` (Excel's re-save) rewritten ``2024-11-11 00:05:00``; anything else unchanged."""

    def rewrite(cell: str) -> str:
        m = _EXCEL_DATE.fullmatch(cell.strip())
        if m is None:
            return cell
        year, month, day, hour, minute, second = m.groups()
        clock = f" {int(hour):02d}:{minute}:{second or '00'}" if hour is not None else ""
        return f"{year}-{int(month):02d}-{int(day):02d}{clock}"

    return cells.astype(str).map(rewrite)


def load_taobao_csv(
    path: str | PathLike[str],
    *,
    tz: str = TAOBAO_TZ,
    currency: str = "CNY",
    errors: str = "raise",
    hash_ids: bool = False,
    salt: str | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    sep: str = ",",
    encoding: str | None = None,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Load a Taobao/Tmall 订单报表 CSV into the orders table, one row per 订单编号.

    Mapping: order_id = 订单编号; customer_id = 买家会员名 hashed with ``salt``
    (``hash_ids``) or numbered 1, 2, ... by first appearance - the name itself
    is never kept, nor any of :data:`PERSONAL_COLUMNS`; placed_at = 订单创建时间
    (Beijing time, converted to ``tz``); revenue = 买家实际支付金额 (what the buyer
    paid, postage included); refund = 退款金额 (0 when absent); units = 宝贝总数量;
    sku = 宝贝标题 when 宝贝种类 is 1, else 'mixed'; shipped_at = 发货时间 when
    the report has it; status from 订单状态 (:data:`TAOBAO_STATUSES`): a closed
    trade with a refund is refunded, without one cancelled; a successful trade
    refunded in full is refunded; returned = a refund was paid (the report has
    no return flag, so refunds stand in, as for Shopify).  Masked buyer names
    (``t**1``, written by newer exports) merge different buyers into one
    customer: ``attrs["masked_buyers"]`` counts the orders that have one, and
    repeat-purchase KPIs are then upper bounds.

    Bad rows: a missing or non-integer 订单编号 (a 3.31235E+18 one included), a
    repeated 订单编号, an unknown 订单状态, unparseable times, a negative or
    non-finite amount, a 退款金额 above 买家实际支付金额.  Encodings tried:
    UTF-8 (with or without BOM), then GBK; ``encoding=`` overrides.
    """
    currency = check_options(
        errors=errors, tz=tz, naive_tz=TAOBAO_TZ, currency=currency, encoding=encoding, sep=sep,
        hash_ids=hash_ids, salt=salt,
    )  # fmt: skip
    if currency != "CNY":
        raise LoadError(f"currency={shorten(currency)}: Taobao/Tmall order reports are in CNY (yuan)")
    rows, name = read_rows(
        path, required=TAOBAO_REQUIRED, what="Taobao ", sep=sep, encoding=encoding, decimal=decimal,
        thousands=thousands, order=UTF8_THEN_GBK,
    )  # fmt: skip
    raw = rows.raw
    for column in ("退款金额", "宝贝标题", "宝贝种类", "宝贝总数量", "发货时间"):
        if column in raw:
            raw[column] = _unprotect(raw[column])
    raw["订单编号"] = _unprotect(raw["订单编号"])
    for column in ("订单创建时间", "发货时间"):
        if column in raw:
            raw[column] = _iso_dates(raw[column])
    orders = pd.DataFrame(index=raw.index)
    orders["order_id"] = rows.ids("订单编号", "missing 订单编号 (order id)")
    buyer = rows.text("买家会员名")
    orders["customer_id"] = rows.customers("买家会员名", hash_ids, salt, numeric=False)
    orders["placed_at"] = rows.times("订单创建时间", tz, TAOBAO_TZ, required=True)
    orders["revenue"] = rows.money("买家实际支付金额", required=True, negative="negative 买家实际支付金额")
    if "退款金额" in raw:
        orders["refund"] = rows.money("退款金额", required=False, negative="negative 退款金额")
        rows.not_above(orders["refund"], orders["revenue"], "退款金额", "买家实际支付金额")
    else:
        orders["refund"] = 0.0
    if "宝贝总数量" in raw:
        orders["units"] = rows.counts("宝贝总数量", "宝贝总数量 (quantity)")
    if "宝贝标题" in raw:
        kinds = rows.counts("宝贝种类", "宝贝种类 (kinds of items)") if "宝贝种类" in raw else None
        title = rows.text("宝贝标题")
        orders["sku"] = title if kinds is None else title.where(kinds.fillna(0).to_numpy() <= 1, "mixed")
    if "发货时间" in raw:
        orders["shipped_at"] = rows.times("发货时间", tz, TAOBAO_TZ, required=False)
    state = rows.text("订单状态").str.replace(",", "，").map(TAOBAO_STATUSES)
    rows.flag(state.isna(), "订单状态", "unknown 订单状态; expected a Taobao trade status such as 交易成功 or 交易关闭")
    refunded = orders["refund"] > 0
    in_full = refunded & (orders["refund"] >= orders["revenue"])
    orders["status"] = np.select(
        [(state == "closed") & refunded, state == "closed", (state == "delivered") & in_full, state == "delivered"],
        ["refunded", "cancelled", "refunded", "delivered"],
        "open",
    )
    orders["returned"] = refunded.to_numpy()
    order_ids = rows.text("订单编号")
    rows.duplicates(order_ids[order_ids != ""], "订单编号", "订单编号")
    ignored = [
        c
        for c in raw.columns
        if c not in {*TAOBAO_REQUIRED, "退款金额", "宝贝标题", "宝贝种类", "宝贝总数量", "发货时间"}
    ]
    return finish(
        orders, rows, name, errors, currency=currency, tz=tz, rows_read=len(raw), ignored_columns=ignored,
        masked_buyers=int(buyer.str.contains("*", regex=False).sum()),
    )  # fmt: skip
