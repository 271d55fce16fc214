"""The case queue: filters, search, sorting, counts, pages, and the CSV export."""

import csv
import io
import re
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from portal import clock
from portal.cases.models import OPEN_STATUSES, STATUSES, Case
from portal.cases.workflow import visible_cases
from portal.staff.models import StaffAccount

PAGE_SIZE = 50
EXPORT_LIMIT = 20_000
REFERENCE_LIKE = re.compile(r"^[A-Z]{2}-?[0-9A-Z]{4}-?[0-9A-Z]{4}$")
SORTS = ("due", "-due", "newest", "oldest")


@dataclass
class QueueFilter:
    case_type: str = ""
    status: str = "open"  # "open", "all" or a status code
    department: str = ""
    assignee: str = ""  # "", "me", "none" or an account id
    language: str = ""  # the applicant's portal language code
    interpreter: bool = False
    overdue: bool = False
    search: str = ""
    sort: str = "due"

    def query_args(self) -> dict:
        """For links that keep the filters (pagination, export)."""
        return {key: value for key, value in asdict(self).items() if value not in ("", False, None)}


def _filtered(account: StaffAccount, wanted: QueueFilter, *, with_status: bool = True) -> Select:
    query = visible_cases(account)
    if wanted.case_type:
        query = query.where(Case.type == wanted.case_type)
    if with_status:
        if wanted.status == "open":
            query = query.where(Case.status.in_(OPEN_STATUSES))
        elif wanted.status in STATUSES:
            query = query.where(Case.status == wanted.status)
    if wanted.department:
        query = query.where(Case.department == wanted.department)
    if wanted.assignee == "me":
        query = query.where(Case.assignee_id == account.id)
    elif wanted.assignee == "none":
        query = query.where(Case.assignee_id.is_(None))
    elif wanted.assignee.isdigit():
        query = query.where(Case.assignee_id == int(wanted.assignee))
    if wanted.language:
        query = query.where(Case.locale == wanted.language)
    if wanted.interpreter:
        query = query.where(Case.interpreter_language.is_not(None))
    if wanted.overdue:
        query = query.where(Case.due_date < clock.today(), Case.status.in_(OPEN_STATUSES))
    search = " ".join(wanted.search.split())
    if search:
        compact = search.upper()
        if REFERENCE_LIKE.match(compact):
            plain = compact.replace("-", "")
            query = query.where(Case.reference == f"{plain[:2]}-{plain[2:6]}-{plain[6:]}")
        else:
            query = query.where(
                func.lower(Case.applicant_name).contains(search.lower(), autoescape=True)
            )
    return query


def _ordered(query: Select, sort: str) -> Select:
    order = {
        "due": (Case.due_date.asc(), Case.id.asc()),
        "-due": (Case.due_date.desc(), Case.id.desc()),
        "newest": (Case.id.desc(),),
        "oldest": (Case.id.asc(),),
    }[sort if sort in SORTS else "due"]
    return query.order_by(*order)


@dataclass
class QueuePage:
    cases: list[Case]
    total: int
    page: int
    pages: int
    counts: dict[str, int]  # per status, with the other filters applied

    @property
    def open_count(self) -> int:
        return sum(self.counts.get(status, 0) for status in OPEN_STATUSES)


def queue_page(
    session: Session, account: StaffAccount, wanted: QueueFilter, page: int
) -> QueuePage:
    """One page of the queue: three queries (count, rows with their assignees, counts by status)."""
    query = _filtered(account, wanted)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = session.scalars(
        _ordered(query, wanted.sort)
        .options(selectinload(Case.assignee))
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    by_status = _filtered(account, wanted, with_status=False).subquery()
    counts = dict(
        session.execute(select(by_status.c.status, func.count()).group_by(by_status.c.status)).all()
    )
    return QueuePage(list(rows), total, page, pages, counts)


def is_overdue(case: Case, today: date) -> bool:
    return case.status in OPEN_STATUSES and case.due_date < today


# --- CSV export ---------------------------------------------------------------------------
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """A cell a spreadsheet would run as a formula is prefixed with an apostrophe (OWASP CSV
    injection advice), so it shows as text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_rows(session: Session, account: StaffAccount, wanted: QueueFilter) -> list[Case]:
    query = _ordered(_filtered(account, wanted), wanted.sort).options(selectinload(Case.assignee))
    return list(session.scalars(query.limit(EXPORT_LIMIT)))


def export_csv(cases: list[Case], header: list[str], row_of) -> str:
    """CSV text (UTF-8 with BOM added by the view, so spreadsheet programs read Norwegian letters)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(cell) for cell in header])
    for case in cases:
        writer.writerow([neutralise(cell) for cell in row_of(case)])
    return buffer.getvalue()
