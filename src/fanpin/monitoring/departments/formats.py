"""The file format of each department source: the columns a file must have, in one table.

Every source has 证件号码 and 姓名. Each column says how its text is read (`kind`) and which generic
engine column it fills (`engine`: year, month, amount, total_cost, category, status), so the engine
(fanpin.matching.engine.departments) sees the same table shape for every source. `one_of` lists
groups of which a file needs at least one column (医保: 年度 or 结算月份). docs/departments.md documents
this table; a test checks the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fanpin.monitoring.choices import LeadSource

MAX_AMOUNT_YUAN = 100_000_000  # 1 亿元: larger amounts are taken as typing errors


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # text, choice, amount, year, month
    engine: str = ""  # the engine column it fills, if any
    choices: tuple[str, ...] = ()
    required: bool = True  # False: optional, or part of a one_of group
    note: str = ""


@dataclass(frozen=True)
class SourceFormat:
    source: str
    label: str
    columns: tuple[Column, ...]
    one_of: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    rule: str = ""

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def expected(self) -> str:
        """The expected columns as people read them: 证件号码、姓名、年度或结算月份…"""
        names = list(self.required)
        for group in self.one_of:
            names.append("或".join(group))
        return "、".join(names)


ID = Column("证件号码", note="18 位居民身份证号码；空格、小写 x 均可")
NAME = Column("姓名")

FORMATS: dict[str, SourceFormat] = {
    f.source: f
    for f in (
        SourceFormat(
            LeadSource.MEDICAL,
            "医保",
            (
                ID,
                NAME,
                Column("年度", "year", "year", required=False, note="如 2025"),
                Column("结算月份", "month", "month", required=False, note="如 2025-03 或 202503"),
                Column("个人自付金额", "amount", "amount", note="合规个人自付，元"),
                Column("医疗总费用", "amount", "total_cost", note="元"),
            ),
            one_of=(("年度", "结算月份"),),
            rule="按户合计近 N 个月（政策设置“医保数据合规自付累计月数”，默认 12 个月，截至批次月份）所有已读取的"
            "医保批次中的个人合规自付（按结算月份；只有年度的记录按批次月份计），超过上年农村居民人均可支配收入的"
            "一定比例（脱贫户、其他农户分别设置）或超过固定标准（低收入人口、普通农户分别设置）时，为本批次涉及的户"
            "产生线索，参数取自当年政策设置。",
        ),
        SourceFormat(
            LeadSource.CIVIL,
            "民政",
            (
                ID,
                NAME,
                Column("救助类型", "choice", "category", ("低保", "特困", "临时救助")),
                Column("状态", "choice", "status", ("新增", "停发", "在保"), note="在保：本月继续享受"),
                Column("金额", "amount", "amount", note="元"),
            ),
            rule="新增低保或特困、低保或特困停发、获得临时救助的人所在户产生线索；在保（继续享受）的不产生线索。",
        ),
        SourceFormat(
            LeadSource.EDUCATION,
            "教育",
            (
                ID,
                NAME,
                Column("在校状态", "choice", "status", ("在校", "未在校")),
                Column("学段", note="如 小学、初中"),
            ),
            rule="义务教育年龄（月末满 6 周岁至 16 周岁，按档案中的出生日期）且未在校的成员所在户产生线索。",
        ),
        SourceFormat(
            LeadSource.HOUSING,
            "住建",
            (ID, NAME, Column("房屋等级", "choice", "category", ("A", "B", "C", "D"))),
            rule="房屋鉴定为 C 级或 D 级危房的户产生线索。",
        ),
        SourceFormat(
            LeadSource.DISABILITY,
            "残联",
            (
                ID,
                NAME,
                Column("残疾等级", "choice", "category", ("一级", "二级", "三级", "四级")),
                Column("状态", "choice", "status", ("新办", "升级")),
            ),
            rule="新办残疾证或残疾等级升级的人所在户产生线索。",
        ),
        SourceFormat(
            LeadSource.EMPLOYMENT,
            "人社",
            (ID, NAME, Column("就业状态", "choice", "status", ("就业", "失业", "停止务工"))),
            rule="失业或停止务工的人所在户产生线索。",
        ),
        SourceFormat(
            LeadSource.DISASTER,
            "应急",
            (
                ID,
                NAME,
                Column("受灾类型", "text", "category", note="如 洪涝、干旱、冰雹、地震"),
                Column("损失金额", "amount", "amount", note="元"),
            ),
            rule="有受灾损失（损失金额大于 0）的户产生线索。",
        ),
        SourceFormat(
            LeadSource.OTHER,
            "其他",
            (ID, NAME, Column("事项", "text", "category", note="部门提示的情况")),
            rule="每条匹配到档案的记录都产生线索，原因引用“事项”。",
        ),
    )
}


def format_for(source: str) -> SourceFormat:
    from fanpin.core.errors import ApplicationError

    try:
        return FORMATS[source]
    except KeyError:
        raise ApplicationError(
            f"部门数据来源应为 {'、'.join(f'{k}（{v.label}）' for k, v in FORMATS.items())}，实际为“{source}”。"
        ) from None
