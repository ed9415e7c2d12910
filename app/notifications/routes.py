"""Notification views: a person's notifications, marking them read, and the admins' outbox."""

from flask import abort, flash, has_request_context, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.accounts.decorators import admin_required
from app.extensions import db
from app.notifications import bp
from app.notifications.forms import MarkReadForm, OutboxFilterForm
from app.notifications.mail import mail_configured
from app.notifications.models import OutboxEmail
from app.notifications.services import mark_all_read, mark_read, recent, unread_count


@bp.app_context_processor
def unread_badge() -> dict[str, int]:
    """The signed-in person's unread count, for the badge in the navigation."""
    if has_request_context() and current_user.is_authenticated:
        return {"unread_notifications": unread_count(current_user.id)}
    return {"unread_notifications": 0}


@bp.route("/notifications")
@login_required
def index():
    """The signed-in person's latest notifications, unread ones marked."""
    return render_template(
        "notifications/list.html", notifications=recent(current_user.id), form=MarkReadForm()
    )


@bp.route("/notifications/read", methods=["POST"])
@login_required
def read_all():
    """Mark all of the signed-in person's notifications read."""
    if not MarkReadForm().validate_on_submit():
        abort(400)
    count = mark_all_read(current_user.id)
    db.session.commit()
    flash(f"Marked {count} notification{'' if count == 1 else 's'} as read.", "success")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def read_one(notification_id: int):
    """Mark one of the signed-in person's notifications read (404 for anyone else's)."""
    if not MarkReadForm().validate_on_submit():
        abort(400)
    if not mark_read(current_user.id, notification_id):
        abort(404)
    db.session.commit()
    return redirect(url_for("notifications.index"))


@bp.route("/admin/outbox")
@admin_required
def outbox():
    """Every e-mail the academy sent or holds, newest first, filterable by status."""
    form = OutboxFilterForm(request.args)
    # An unknown status is shown as a form error and ignored.
    status = form.status.data if form.validate() else ""
    # Ids grow with time, so ordering by the primary key is newest first without a sort.
    query = select(OutboxEmail).order_by(OutboxEmail.id.desc())
    if status:
        query = query.where(OutboxEmail.status == status)
    page = db.paginate(query, per_page=50, error_out=False)
    return render_template(
        "notifications/outbox.html",
        page=page,
        form=form,
        status=status,
        mail_configured=mail_configured(),
    )
