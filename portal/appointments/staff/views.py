"""The front desk: the day list with check-in and no-show, and closures."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from portal.appointments import closures as closure_rules
from portal.appointments import messages as booking_messages
from portal.appointments.staff import services as desk
from portal.appointments.staff.forms import (
    AttendanceForm,
    CancelBookingsForm,
    ClosureForm,
    DayForm,
)
from portal.db import get_session
from portal.i18n.formatting import format_date
from portal.links.staff import contact_lines, new_link_message
from portal.profile import clock
from portal.security import masking
from portal.staff.forms import ConfirmForm
from portal.staff.locale import staff_blueprint
from portal.staff.session import staff_required

bp = staff_blueprint("staff_desk", __name__, "/staff")


def _actor():
    return current_user._get_current_object()


def _expired() -> None:
    flash(_("Nothing was changed: the page had expired. Try again."))


def _attendance_message(state: str, name: str) -> str:
    if state == "checked_in":
        return _("%(name)s is checked in.", name=name)
    if state == "no_show":
        return _("%(name)s is marked as a no-show.", name=name)
    return _("The attendance of %(name)s is cleared.", name=name)


ATTENDANCE_REFUSED = {
    "cancelled": _l("This booking is cancelled, so its attendance cannot be marked."),
    "not_yet": _l(
        "This appointment is on a later day. Attendance can be marked from the day of the "
        "appointment."
    ),
}


@bp.get("/desk/")
@staff_required()
def day_list():
    form = DayForm(request.args) if "day" in request.args else DayForm(day=clock.today())
    if not form.validate():
        return render_template("appointments/staff/day_list.html", form=form, listing=None), 400
    listing = desk.open_day_list(get_session(), form.day.data, _actor())
    return render_template(
        "appointments/staff/day_list.html", form=form, listing=listing, attendance=AttendanceForm()
    )


@bp.post("/desk/bookings/<int:booking_id>/attendance")
@staff_required()
def mark_attendance(booking_id: int):
    session = get_session()
    booking = desk.find_booking(session, booking_id) or abort(404)
    form = AttendanceForm()
    if not form.validate_on_submit():
        _expired()
    else:
        try:
            desk.mark_attendance(session, booking, form.state.data, _actor())
            flash(_attendance_message(form.state.data, booking.name))
        except desk.AttendanceRefused as refused:
            flash(str(ATTENDANCE_REFUSED[refused.reason]))
    day = desk.local_day(booking).isoformat()
    return redirect(url_for(".day_list", day=day, _anchor=f"booking-{booking.id}"))


@bp.route("/desk/bookings/<int:booking_id>/new-link", methods=["GET", "POST"])
@staff_required()
def new_link(booking_id: int):
    """Send a new private link to someone who phoned about their booking (asked once)."""
    session = get_session()
    booking = desk.find_booking(session, booking_id) or abort(404)
    back = url_for(
        ".day_list", day=desk.local_day(booking).isoformat(), _anchor=f"booking-{booking.id}"
    )
    if not desk.needs_its_link(booking):
        flash(_("This booking is cancelled or has begun: it needs no new link."))
        return redirect(back)
    form = ConfirmForm()
    if form.validate_on_submit():
        flash(new_link_message(desk.send_new_link(session, booking, _actor())))
        return redirect(back)
    contacts = contact_lines(booking_messages.contacts(booking))
    return render_template("links/staff/new_link.html", form=form, contacts=contacts, back=back,
                           what=_("For the booking %(reference)s of %(name)s.",
                                  reference=booking.reference, name=booking.name))  # fmt: skip


@bp.route("/closures/", methods=["GET", "POST"])
@staff_required("admin", "reception")
def closures():
    session = get_session()
    form = ClosureForm()
    if form.validate_on_submit():
        first = form.first_day.data
        closure, hit = closure_rules.add(
            session, first, form.last_day.data or first, form.reason.data, _actor()
        )
        flash(
            ngettext(
                "The closure is added. It hits %(num)d booking.",
                "The closure is added. It hits %(num)d bookings.",
                len(hit),
            )
        )
        return redirect(url_for(".closure", closure_id=closure.id))
    upcoming = closure_rules.upcoming(session)
    return render_template("appointments/staff/closures.html", form=form, closures=upcoming), (
        400 if form.errors else 200
    )


@bp.get("/closures/<int:closure_id>")
@staff_required("admin", "reception")
def closure(closure_id: int):
    session = get_session()
    found = closure_rules.find(session, closure_id) or abort(404)
    hit = closure_rules.bookings_hit(session, found, _actor(), desk.readable_contact)
    return render_template("appointments/staff/closure.html", closure=found, hit=hit)


@bp.route("/closures/<int:closure_id>/cancel-bookings", methods=["GET", "POST"])
@staff_required("admin", "reception")
def cancel_closure_bookings(closure_id: int):
    """Asked once: who is affected and what each person will be told, then cancel."""
    session = get_session()
    found = closure_rules.find(session, closure_id) or abort(404)
    form = CancelBookingsForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_("Nothing was cancelled. Check the list and confirm again."))
            return redirect(url_for(".cancel_closure_bookings", closure_id=closure_id), 303)
        flash(_cancelled_message(closure_rules.cancel_bookings(
            session, found, _actor(), form.booking_ids)))  # fmt: skip
        return redirect(url_for(".closure", closure_id=closure_id), 303)
    hit = closure_rules.bookings_hit(
        session, found, _actor(), desk.readable_contact, with_notices=True
    )
    if not hit:
        flash(_("No active bookings are on these days."))
        return redirect(url_for(".closure", closure_id=closure_id))
    form.bookings.data = ",".join(str(row.booking.id) for row in hit)
    return render_template("appointments/staff/closure_cancel.html", closure=found, hit=hit,
                           form=form, masked_phone=masking.masked_phone,
                           language_name=desk.language_name,
                           message_count=sum(row.notice.count for row in hit))  # fmt: skip


def _cancelled_message(done) -> str:
    if not done.bookings:  # a second tap, or the list was cancelled or moved meanwhile
        return _("Nothing was cancelled: the appointments on the list were already cancelled "
                 "or moved. No message was sent.")  # fmt: skip
    names = ", ".join(f"{booking.reference} {booking.name}" for booking in done.bookings)
    text = ngettext(
        "%(num)d appointment is cancelled (%(names)s).",
        "%(num)d appointments are cancelled (%(names)s).",
        len(done.bookings), names=names,
    ) + " " + ngettext(
        "%(num)d message is queued: the person gets it in the language they booked in.",
        "%(num)d messages are queued: each person gets them in the language they booked in.",
        done.messages,
    )  # fmt: skip
    if done.left:
        text += " " + ngettext(
            "%(num)d booking was not on the list you confirmed and is not cancelled.",
            "%(num)d bookings were not on the list you confirmed and are not cancelled.",
            done.left,
        )
    return text


@bp.route("/closures/<int:closure_id>/remove", methods=["GET", "POST"])
@staff_required("admin", "reception")
def remove_closure(closure_id: int):
    """Asked once, on a page of its own; then the closures page says which one went."""
    session = get_session()
    found = closure_rules.find(session, closure_id)
    if found is None and request.method == "POST":  # a second tap: it is gone already
        flash(_("This closure was already removed."))
        return redirect(url_for(".closures"))
    found = found or abort(404)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            _expired()
            return redirect(url_for(".remove_closure", closure_id=closure_id))
        what = _closure_days(found)
        closure_rules.remove(session, found, _actor())
        flash(_("The closure %(days)s is removed. These days can be booked again if they are "
                "open days.", days=what))  # fmt: skip
        return redirect(url_for(".closures"))
    return render_template("appointments/staff/closure_remove.html", closure=found, form=form,
                           days=_closure_days(found))  # fmt: skip


def _closure_days(closure) -> str:
    first, last = format_date(closure.first_day, "full"), format_date(closure.last_day, "full")
    if first == last:
        return first
    return _("%(first)s to %(last)s", first=first, last=last)
