"""/export's file: the answers, the members' KPIs and the team's, period by period, as CSV
or XLSX sheets with headers in the reader's language."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

import kpi
from kpi import MemberInputs, Period
from models.tables import Member, Team
from services.common import kpi_data
from services.reports import export as export_data
from services.reports import summary as sm
from services.team import teams
from views import summary as summary_view
from views.i18n import Translator


@dataclass
class Table:
    """A sheet: its name, header and rows (values: str, Decimal, date, None)."""

    name: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)


@dataclass
class Export:
    team: Team
    periods: list[Period]
    tables: list[Table]
    answers: int

    @property
    def empty(self) -> bool:
        return self.answers == 0


def _pct(value: Decimal | None) -> Decimal | None:
    return None if value is None else kpi.round_half_up(value * 100, 1)


async def collect(
    session: AsyncSession, team: Team, periods: list[Period], t: Translator
) -> Export:
    members = [m for m in await teams.members(session, team, active_only=False) if m.role_codes]
    by_id = {m.id: m for m in members}
    starts = [p.start for p in periods]
    answers = await export_data.answers(session, list(by_id), starts)
    ends = {p.start: p.end for p in periods}
    col = lambda key: t(f"export.col.{key}")  # noqa: E731
    inputs = Table(
        t("export.sheet.inputs"),
        [
            col(k)
            for k in (
                "start",
                "end",
                "member",
                "username",
                "code",
                "title",
                "value",
                "unit",
                "late",
            )
        ],
    )
    for a in answers:
        m = by_id[a.member_id]
        try:
            inp = kpi.input_def(a.input_code)
            title, unit = inp.titles[t.locale], inp.unit
        except KeyError:
            title, unit = a.input_code, ""
        inputs.rows.append(
            [
                a.period_start,
                ends[a.period_start],
                m.user.full_name,
                m.user.username or "",
                a.input_code,
                title,
                a.value,
                unit,
                t("export.yes") if a.late else "",
            ]
        )
    kpi_header = [
        col(k)
        for k in (
            "start", "end", "member", "username", "role", "code", "title", "value", "unit",
            "target", "attainment", "status",
        )
    ]  # fmt: skip
    member_table = Table(t("export.sheet.members"), kpi_header)
    team_table = Table(t("export.sheet.team"), kpi_header)
    data = sm.TeamData(
        team=team,
        members=members,
        periods=[],
        history=[],
        target_rows=[],
        responded=set(),
        away=set(),
    )
    grouped: dict[date, dict[int, dict[str, Decimal]]] = {}
    for a in answers:
        if a.value is not None:
            grouped.setdefault(a.period_start, {}).setdefault(a.member_id, {})[a.input_code] = (
                a.value
            )
    previous: list[MemberInputs] | None = None
    for period in periods:
        rows = [
            MemberInputs(m.id, m.role_codes, grouped.get(period.start, {}).get(m.id, {}))
            for m in members
        ]
        data.periods = [period]
        data.history = [rows] if previous is None else [previous, rows]
        data.target_rows = await kpi_data.targets_in_force(session, team, period)
        for member in members:
            if not grouped.get(period.start, {}).get(member.id):
                continue
            for role_code, lines in sm.member_lines(data, member).items():
                for item in lines:
                    member_table.rows.append(_kpi_row(period, member, role_code, item, t))
        if grouped.get(period.start):
            for role_code in data.role_codes():
                for item in sm.role_lines(data, role_code):
                    team_table.rows.append(_kpi_row(period, None, role_code, item, t))
        previous = rows
    return Export(team, periods, [inputs, member_table, team_table], len(answers))


def _kpi_row(period: Period, member: Member | None, role_code: str, item, t: Translator) -> list:
    return [
        period.start,
        period.end,
        member.user.full_name if member else t("export.team"),
        (member.user.username or "") if member else "",
        summary_view.role_title(role_code, t),
        item.kpi.code,
        item.kpi.titles[t.locale],
        None if item.value is None else kpi.round_half_up(item.value, 4),
        item.kpi.unit,
        item.target,
        _pct(item.attainment),
        t(f"kpi.status.{item.status.value}"),
    ]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text if "." not in text else text.rstrip("0").rstrip(".")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_csv(export: Export, t: Translator) -> bytes:
    """One table: every value in a row, the table it comes from in the first column. UTF-8 with
    a BOM (Excel reads the Cyrillic right), comma-separated, "." as the decimal mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = [t("export.col.kind"), *export.tables[1].header, t("export.col.late")]
    writer.writerow(header)
    kinds = ("export.kind.input", "export.kind.member", "export.kind.team")
    for kind, table in zip(kinds, export.tables, strict=True):
        for row in table.rows:
            if kind == "export.kind.input":
                start, end, member, username, code, title, value, unit, late = row
                row = [
                    start,
                    end,
                    member,
                    username,
                    "",
                    code,
                    title,
                    value,
                    unit,
                    None,
                    None,
                    "",
                    late,
                ]
            else:
                row = [*row, ""]
            writer.writerow([t(kind), *(_cell(v) for v in row)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_available() -> bool:
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        return False
    return True


def to_xlsx(export: Export) -> bytes:
    """A sheet per table, numbers as numbers, dates as dates (blocking: run in a thread)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for table in export.tables:
        sheet = book.create_sheet(table.name[:31])
        sheet.append(table.header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(row)
        for index, title in enumerate(table.header, start=1):
            width = max([len(str(title))] + [len(_cell(r[index - 1])) for r in table.rows[:200]])
            sheet.column_dimensions[get_column_letter(index)].width = min(48, width + 2)
        sheet.freeze_panes = "A2"
        for row in sheet.iter_rows(min_row=2, max_col=2):
            for cell in row:
                cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def file_name(team: Team, periods: list[Period], extension: str) -> str:
    first, last = periods[0].start, periods[-1].end
    return f"planerka_{first.isoformat()}_{last.isoformat()}.{extension}"


def range_label(periods: list[Period], t: Translator) -> str:
    return t.period(periods[0].start, periods[-1].end)
