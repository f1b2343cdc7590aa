"""Write ``taobao_orders_export.csv``: a fictional Taobao shop's 订单报表 for Double 11 2024, as the real export looks.

300 orders of a small homeware shop (示例杂货铺, every name, nickname and
address invented and masked the way Taobao masks them) from 2024-10-25 to
2024-11-20, with the 11-11 peak; statuses, refunds, postage above the 99 yuan
free-shipping line and a 满200减30 discount on 11-11.  The layout copies the
real export: UTF-8 with a byte-order mark, CRLF line ends, header names with
a trailing space where Taobao writes one, ``="..."`` around long numbers,
newest order first.  Same seed, same bytes: ``python data/samples/make_taobao_sample.py``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).with_name("taobao_orders_export.csv")
HEADER = [
    "订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "买家支付积分", "总金额", "返点积分",
    "买家实际支付金额", "买家实际支付积分", "订单状态", "买家留言", "收货人姓名", "收货地址 ", "运送方式", "联系电话 ",
    "联系手机", "订单创建时间", "订单付款时间 ", "宝贝标题 ", "宝贝种类 ", "物流单号 ", "物流公司", "订单备注",
    "宝贝总数量", "店铺Id", "店铺名称", "订单关闭原因", "卖家服务费", "买家服务费", "发票抬头", "是否手机订单",
    "退款金额", "确认收货时间", "发货时间",
]  # fmt: skip
ITEMS = [
    ("北欧风陶瓷马克杯 350ml 办公室咖啡杯", 39.0),
    ("有机棉圆领短袖T恤 男女同款 纯色", 89.0),
    ("加厚帆布托特包 大容量单肩包", 59.0),
    ("刺绣棒球帽 春夏遮阳鸭舌帽", 69.0),
    ("316不锈钢保温杯 500ml", 129.0),
]
NICKS = ["小鱼", "阿杰", "晴天", "橘子", "木木", "星河", "糖糖", "大白", "可乐", "饭团", "青柠", "豆豆"]
SURNAMES = "王李张刘陈杨黄赵吴周"
PLACES = [
    ("浙江省", "杭州市", "西湖区", "310000"),
    ("上海", "上海市", "浦东新区", "200120"),
    ("广东省", "深圳市", "南山区", "518000"),
    ("北京", "北京市", "朝阳区", "100020"),
    ("四川省", "成都市", "武侯区", "610041"),
    ("江苏省", "南京市", "鼓楼区", "210008"),
]
CARRIERS = [("圆通速递", "YT"), ("中通快递", "ZT"), ("韵达快递", "YD"), ("顺丰速运", "SF")]
# Outcome of an order and its chance (a small shop during Double 11).
OUTCOMES = {
    "success": 0.72,
    "success_partial_refund": 0.03,
    "shipped": 0.08,
    "paid": 0.04,
    "unpaid": 0.03,
    "closed_unpaid": 0.05,
    "closed_refunded": 0.05,
}


def _stamp(t: pd.Timestamp | None) -> str:
    return "" if t is None else t.strftime("%Y-%m-%d %H:%M:%S")


def make(n: int = 300, seed: int = 2024) -> str:
    """The CSV text of ``n`` fictional orders."""
    rng = np.random.default_rng(seed)
    buyers = [
        f"{NICKS[rng.integers(len(NICKS))]}{rng.integers(1980, 2012)}" if rng.random() < 0.9 else
        f"{NICKS[rng.integers(len(NICKS))][0]}**"  # newer exports mask some nicknames
        for _ in range(220)
    ]  # fmt: skip
    days = pd.date_range("2024-10-25", "2024-11-20", freq="D")
    weight = np.where(days == pd.Timestamp("2024-11-11"), 12.0, 1.0)
    outcomes = list(OUTCOMES)
    rows = []
    for _ in range(n):
        day = days[rng.choice(len(days), p=weight / weight.sum())]
        created = day + pd.Timedelta(seconds=int(rng.integers(7 * 3600, 24 * 3600)))
        outcome = outcomes[rng.choice(len(outcomes), p=list(OUTCOMES.values()))]
        picks = rng.choice(len(ITEMS), size=1 if rng.random() < 0.85 else 2, replace=False)
        quantities = rng.integers(1, 4, size=len(picks))
        goods = float(sum(ITEMS[i][1] * q for i, q in zip(picks, quantities, strict=True)))
        postage = 0.0 if goods >= 99 else 8.0
        discount = 30.0 if day == pd.Timestamp("2024-11-11") and goods >= 200 else 0.0
        total = goods + postage
        paid_at = (
            None
            if outcome in ("unpaid", "closed_unpaid")
            else created + pd.Timedelta(seconds=int(rng.integers(5, 900)))
        )
        shipped_at = (
            paid_at + pd.Timedelta(hours=float(rng.uniform(6, 40)))
            if outcome in ("success", "success_partial_refund", "shipped")
            or (outcome == "closed_refunded" and rng.random() < 0.5)
            else None
        )
        confirmed_at = (
            shipped_at + pd.Timedelta(days=float(rng.uniform(2, 10)))
            if outcome in ("success", "success_partial_refund")
            else None
        )
        paid = 0.0 if paid_at is None else total - discount
        refund = {"closed_refunded": paid, "success_partial_refund": float(ITEMS[picks[0]][1])}.get(outcome, 0.0)
        status = {
            "success": "交易成功",
            "success_partial_refund": "交易成功",
            "shipped": "卖家已发货，等待买家确认",
            "paid": "买家已付款，等待卖家发货",
            "unpaid": "等待买家付款",
        }.get(outcome, "交易关闭")
        reason = {"closed_unpaid": "买家不想买了" if rng.random() < 0.5 else "超时未付款", "closed_refunded": "退款"}
        province, city, district, postcode = PLACES[rng.integers(len(PLACES))]
        carrier, prefix = CARRIERS[rng.integers(len(CARRIERS))]
        waybill = f"No:{prefix}{rng.integers(10**11, 10**12)}" if shipped_at is not None else ""
        order_no = "3" + "".join(str(d) for d in rng.integers(0, 10, size=18))
        phone = f"'1{rng.integers(30, 90)}****{rng.integers(1000, 10000)}"
        rows.append(
            [
                f'="{order_no}"', buyers[rng.integers(len(buyers))], "**********", f"{goods:.2f}", f"{postage:.2f}",
                "0", f"{total:.2f}", "0", f"{paid:.2f}", "0", status,
                "请尽快发货，谢谢" if rng.random() < 0.05 else "", f"{SURNAMES[rng.integers(len(SURNAMES))]}*",
                f"{province} {city} {district} ****({postcode})", "快递", "", phone, _stamp(created), _stamp(paid_at),
                "，".join(ITEMS[i][0] for i in picks), str(len(picks)), waybill,
                carrier if shipped_at is not None else "", "", str(int(quantities.sum())), "123456789", "示例杂货铺",
                reason.get(outcome, ""), "0", "0", "", "手机订单" if rng.random() < 0.85 else "", f"{refund:.2f}",
                _stamp(confirmed_at), _stamp(shipped_at),
            ]
        )  # fmt: skip
    rows.sort(key=lambda r: r[17], reverse=True)  # newest first, as Taobao lists them
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


if __name__ == "__main__":
    OUT.write_text(make(), encoding="utf-8-sig", newline="")
    print(f"wrote {OUT}")
