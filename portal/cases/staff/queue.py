"""The case queue: filters, search, sorting, counts, pages, and the CSV export."""

import csv
import io
import re
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.functions import FunctionElement

from portal.cases.models import OPEN_STATUSES, STATUSES, Case
from portal.cases.workflow import visibility
from portal.forms.validation import ascii_number
from portal.profile import clock
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

    def audit_args(self) -> dict:
        """The filters for the audit log: whether a search was made, not the name searched for."""
        args = self.query_args()
        if "search" in args:
            args["search"] = True
        return args

    def query_args(self) -> dict:
        """For links that keep the filters (pagination, export)."""
        return {key: value for key, value in asdict(self).items() if value not in ("", False, None)}


class _NotIndexed(FunctionElement):
    """A column that SQLite must not walk an index for: "+column" (a no-op on any value). When a
    name search matches a handful of rows, sorting those is quicker than reading 50,000 rows in
    due-date order through the index, which SQLite's planner would otherwise choose."""

    inherit_cache = True


@compiles(_NotIndexed)
def _as_is(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(_NotIndexed, "sqlite")
def _unary_plus(element, compiler, **kw):
    return "+" + compiler.process(element.clauses, **kw)


def _conditions(account: StaffAccount, wanted: QueueFilter, *, with_status: bool = True) -> list:
    """WHERE conditions of the queue; the first is always what the person may see. With a name
    search, department and status are wrapped so that SQLite reads the table once instead of
    fetching tens of thousands of rows through their index (see _NotIndexed)."""
    plain = bool(wanted.search.strip())
    department = _NotIndexed(Case.department) if plain else Case.department
    status = _NotIndexed(Case.status) if plain else Case.status
    conditions = [visibility(account, department)]
    if wanted.case_type:
        conditions.append(Case.type == wanted.case_type)
    if with_status:
        if wanted.status == "open":
            conditions.append(status.in_(OPEN_STATUSES))
        elif wanted.status in STATUSES:
            conditions.append(status == wanted.status)
    if wanted.department:
        conditions.append(Case.department == wanted.department)
    if wanted.assignee == "me":
        conditions.append(Case.assignee_id == account.id)
    elif wanted.assignee == "none":
        conditions.append(Case.assignee_id.is_(None))
    elif ascii_number(wanted.assignee) is not None:
        conditions.append(Case.assignee_id == ascii_number(wanted.assignee))
    if wanted.language:
        conditions.append(Case.locale == wanted.language)
    if wanted.interpreter:
        conditions.append(Case.interpreter_language.is_not(None))
    if wanted.overdue:
        conditions += [Case.due_date < clock.today(), Case.status.in_(OPEN_STATUSES)]
    search = " ".join(wanted.search.split())
    if search:
        compact = search.upper()
        if REFERENCE_LIKE.match(compact):
            plain = compact.replace("-", "")
            conditions.append(Case.reference == f"{plain[:2]}-{plain[2:6]}-{plain[6:]}")
        else:
            conditions.append(
                func.lower(Case.applicant_name).contains(search.lower(), autoescape=True)
            )
    return conditions


def _ordered(query: Select, sort: str, *, selective: bool = False) -> Select:
    due, ident = (
        (_NotIndexed(Case.due_date), _NotIndexed(Case.id))
        if selective
        else (Case.due_date, Case.id)
    )
    order = {
        "due": (due.asc(), ident.asc()),
        "-due": (due.desc(), ident.desc()),
        "newest": (ident.desc(),),
        "oldest": (ident.asc(),),
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


def _total(counts: dict[str, int], status: str) -> int:
    if status == "open":
        return sum(counts.get(code, 0) for code in OPEN_STATUSES)
    if status in STATUSES:
        return counts.get(status, 0)
    return sum(counts.values())


def queue_page(
    session: Session, account: StaffAccount, wanted: QueueFilter, page: int
) -> QueuePage:
    """One page of the queue in two queries: counts by status (which give the total too), and
    the page's rows with their assignees loaded alongside (one more, not one per row)."""
    counts = dict(
        session.execute(
            select(Case.status, func.count())
            .where(*_conditions(account, wanted, with_status=False))
            .group_by(Case.status)
        ).all()
    )
    total = _total(counts, wanted.status)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = session.scalars(
        _ordered(
            select(Case).where(*_conditions(account, wanted)),
            wanted.sort,
            selective=bool(wanted.search.strip()),
        )
        .options(selectinload(Case.assignee))
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
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
    query = _ordered(select(Case).where(*_conditions(account, wanted)), wanted.sort)
    query = query.options(selectinload(Case.assignee))
    return list(session.scalars(query.limit(EXPORT_LIMIT)))


def export_csv(cases: list[Case], header: list[str], row_of) -> str:
    """CSV text (UTF-8 with BOM added by the view, so spreadsheet programs read Norwegian letters)."""
    buffer = io.StringIO()
    # Every cell quoted: a spreadsheet that splits on ";" (Norwegian Excel) cannot start a new,
    # formula-bearing cell inside a value such as "Arabic;=cmd|…".
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow([neutralise(cell) for cell in header])
    for case in cases:
        writer.writerow([neutralise(cell) for cell in row_of(case)])
    return buffer.getvalue()
