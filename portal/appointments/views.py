"""Booking pages: topic → day → time → details → confirmation; and the private manage page."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from portal import i18n
from portal.appointments import calendar, messages, services
from portal.appointments.forms import PHONE_HAS_BOOKINGS, BookingForm, ConfirmForm
from portal.appointments.labels import TOPIC_LABELS
from portal.db import get_session
from portal.forms.validation import ascii_number, parse_phone
from portal.i18n.switching import switching_language
from portal.links.exchange import exchange_link_token
from portal.links.pages import abort_with_lost_link, lost_link_for
from portal.links.tokens import keyed_hash
from portal.links.urls import absolute_url
from portal.profile import clock, get_profile
from portal.security import csrf, no_store, private_cookie
from portal.security.limits import limiter, lookup_limit, not_found, submit_limit, succeeded

booking_bp = Blueprint("appointments", __name__, url_prefix="/<lang>/book")
manage_bp = Blueprint("booking", __name__, url_prefix="/<lang>/booking")
manage_bp.after_request(no_store)
booking_bp.after_request(no_store)
csrf.exempt(booking_bp)  # BookingForm (a PortalForm) checks CSRF and keeps what was typed
csrf.exempt(manage_bp)
BOOKING_COOKIE = "booking"
BOOKING_COOKIE_MAX_AGE = 365 * 24 * 3600  # as the privacy page says


def _now() -> datetime:
    return clock.now()


def _topic_or_404(topic: str) -> str:
    if topic not in get_profile().booking.topics:
        abort(404)
    return topic


def _day_or_404(day: str) -> date:
    """A canonical YYYY-MM-DD day from today to the booking horizon; anything else is 404."""
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        abort(404)
    today = clock.today()
    last = today + timedelta(days=get_profile().booking.horizon_days)
    if parsed.isoformat() != day or not today <= parsed <= last:
        abort(404)
    return parsed


def _start_or_404(day: str, hhmm: str) -> datetime:
    local_day = _day_or_404(day)
    hours, minutes = ascii_number(hhmm[:2]), ascii_number(hhmm[2:])
    if len(hhmm) != 4 or hours is None or minutes is None or hours > 23 or minutes > 59:
        abort(404)
    local = datetime.combine(local_day, time(hours, minutes))
    return local.replace(tzinfo=ZoneInfo(get_profile().timezone)).astimezone(UTC)


def _phone_key() -> str:
    """The phone number of a booking form, as a keyed hash (the limiter's store and log name
    nobody)."""
    typed = request.form.get("phone", "")
    phone = parse_phone(typed) or typed
    return "booking-phone:" + keyed_hash(current_app.config["SECRET_KEY"], "booking-phone", phone)


def _phone_refused(_response) -> bool:
    return g.get("phone_refused", False)


def _booked_or_refused(response) -> bool:
    return succeeded(response) or _phone_refused(response)


def phone_refusal_limit() -> str:
    return current_app.config["RATELIMIT_PHONE_REFUSALS"]


@booking_bp.get("/")
def choose_topic():
    topics = [(code, TOPIC_LABELS[code]) for code in get_profile().booking.topics]
    return render_template("appointments/topics.html", topics=topics)


@booking_bp.get("/<topic>/")
def choose_day(topic):
    days = services.open_days(get_session(), get_profile(), _now())
    return render_template("appointments/days.html", topic=_topic_or_404(topic), days=days,
                           day_url=lambda day: url_for(".choose_time", topic=topic, day=day.isoformat()))  # fmt: skip


@booking_bp.get("/<topic>/<day>/")
def choose_time(topic, day):
    slots = services.free_slots(get_session(), get_profile(), _day_or_404(day), _now())
    return render_template(
        "appointments/times.html", topic=_topic_or_404(topic), day=date.fromisoformat(day), slots=slots,
        time_url=lambda slot: url_for(".details", topic=topic, day=day, hhmm=slot.local.strftime("%H%M")),
    )  # fmt: skip


@booking_bp.route("/<topic>/<day>/<hhmm>", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"], deduct_when=_booked_or_refused)
@limiter.limit(
    phone_refusal_limit, methods=["POST"], key_func=_phone_key, deduct_when=_phone_refused
)
def details(topic, day, hhmm):
    topic = _topic_or_404(topic)
    start = _start_or_404(day, request.form.get("time") or hhmm)
    if request.method == "GET" and not any(s.starts_at == start for s in services.free_slots(
            get_session(), get_profile(), _day_or_404(day), _now())):  # fmt: skip
        flash(_("This time can no longer be booked"))
        return redirect(url_for(".choose_time", topic=topic, day=day))
    form = BookingForm(language=i18n.current_locale().code)
    refusal = None
    if not switching_language(form) and form.validate_on_submit():
        try:
            _booking, token = services.book(
                get_session(), get_profile(), start, services.details_from(form, topic), _now(),
                form_key=form.form_key.data, secret_key=current_app.config["SECRET_KEY"],
            )  # fmt: skip
        except services.BookingRefused as refused:
            refusal = _explain(form, refused)
        else:
            response = redirect(url_for("booking.manage", new=1))
            response.set_cookie(**private_cookie(BOOKING_COOKIE, token, BOOKING_COOKIE_MAX_AGE))
            return response
    alternatives = (
        services.free_slots(
            get_session(),
            get_profile(),
            start.astimezone(ZoneInfo(get_profile().timezone)).date(),
            _now(),
        )
        if refusal
        else []
    )
    return render_template("appointments/details.html", form=form, topic=topic,
                           start=start, refusal=refusal, alternatives=alternatives)  # fmt: skip


def _explain(form: BookingForm, refused: services.BookingRefused) -> str | None:
    """The refusal the page explains at the top, or None when it belongs beside a field (and
    counts against the phone's and the address's limits, so nobody can try a number's times)."""
    if refused.reason == "phone_has_bookings":
        form.phone.errors.append(PHONE_HAS_BOOKINGS[refused.link_sent])
        g.phone_refused = True
        return None
    return refused.reason


@manage_bp.get("/")
@limiter.limit(lookup_limit, deduct_when=not_found)
def manage():
    exchanged = exchange_link_token(
        lambda token: services.find_booking(get_session(), token),
        BOOKING_COOKIE, BOOKING_COOKIE_MAX_AGE, url_for(".manage"), "booking",
    )  # fmt: skip
    if exchanged:
        return exchanged
    token = request.cookies.get(BOOKING_COOKIE)
    booking = services.find_booking(get_session(), token)
    if booking is None:
        return lost_link_for("booking", token)
    return render_template(
        "appointments/manage.html", booking=booking, new=request.args.get("new") == "1",
        moved=request.args.get("moved") == "1", past=services.utc(booking.starts_at) <= _now(),
        manage_url=absolute_url("booking.manage", token=token),
        sent_to=messages.masked_contacts(booking),
    )  # fmt: skip


@manage_bp.route("/cancel", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"], deduct_when=succeeded)
def cancel():
    """The "Are you sure?" page names the appointment; only its "Yes" cancels. A second tap on
    the "Yes" lands on the page that names the cancelled appointment."""
    if request.method == "POST" and _own_booking().status == "cancelled":
        return redirect(url_for(".manage"))
    booking = _active_booking_or_404()
    form = ConfirmForm()
    if request.method == "POST" and form.confirmed():
        if services.cancel(get_session(), request.cookies.get(BOOKING_COOKIE), _now()) is None:
            abort(404)
        return redirect(url_for(".manage"))  # it names the cancelled appointment
    return render_template("appointments/cancel.html", booking=booking, form=form)


def _own_booking():
    """The booking of this browser's link; the lost-link page when the link opens nothing."""
    token = request.cookies.get(BOOKING_COOKIE)
    booking = services.find_booking(get_session(), token)
    if booking is None:
        abort_with_lost_link("booking", token)
    return booking


def _active_booking_or_404():
    """The person's booking, if it can still be moved or cancelled (active, not yet begun)."""
    booking = _own_booking()
    if booking.status != "active" or services.utc(booking.starts_at) <= _now():
        abort(404)
    return booking


@manage_bp.get("/move/")
def move_day():
    booking = _active_booking_or_404()
    days = services.open_days(get_session(), get_profile(), _now())
    return render_template("appointments/days.html", topic=booking.topic, days=days, booking=booking,
                           day_url=lambda day: url_for(".move_time", day=day.isoformat()))  # fmt: skip


@manage_bp.get("/move/<day>/")
def move_time(day):
    booking = _active_booking_or_404()
    slots = services.free_slots(get_session(), get_profile(), _day_or_404(day), _now())
    return render_template(
        "appointments/times.html", topic=booking.topic, day=date.fromisoformat(day), slots=slots,
        booking=booking,
        time_url=lambda slot: url_for(".move_to", day=day, hhmm=slot.local.strftime("%H%M")),
    )  # fmt: skip


@manage_bp.route("/move/<day>/<hhmm>", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"], deduct_when=succeeded)
def move_to(day, hhmm):
    """The question "Move your appointment from … to …?"; only its "Yes" moves. A second tap
    on the "Yes" moves nothing again (and sends no second message)."""
    booking = _active_booking_or_404()
    start = _start_or_404(day, hhmm)
    form = ConfirmForm()
    if request.method == "POST" and services.utc(booking.starts_at) == start:
        return redirect(url_for(".manage", moved=1))
    if request.method == "POST" and form.confirmed():
        try:
            services.move(get_session(), get_profile(), request.cookies.get(BOOKING_COOKIE),
                          start, _now())  # fmt: skip
        except services.BookingRefused:
            flash(_("This time was just taken by someone else. Please choose another time."))
            return redirect(url_for(".move_time", day=day))
        return redirect(url_for(".manage", moved=1))
    free = services.free_slots(get_session(), get_profile(), _day_or_404(day), _now())
    if not any(slot.starts_at == start for slot in free):
        flash(_("This time can no longer be booked"))
        return redirect(url_for(".move_time", day=day))
    return render_template("appointments/move.html", booking=booking, start=start, form=form)


@manage_bp.get("/calendar.ics")
def calendar_file():
    response = calendar.ics_response(_active_booking_or_404(), get_profile())
    return no_store(response)
