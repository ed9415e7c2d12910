"""Error pages that look like the rest of the site."""

from flask import render_template

from app.extensions import db
from app.main import bp


@bp.app_errorhandler(403)
def forbidden(error):
    """Signed in, but not allowed."""
    return render_template("errors/403.html"), 403


@bp.app_errorhandler(404)
def not_found(error):
    """No such page, module or persona."""
    return render_template("errors/404.html"), 404


@bp.app_errorhandler(500)
def server_error(error):
    """Something broke; leave the session usable for the next request."""
    db.session.rollback()
    return render_template("errors/500.html"), 500


@bp.app_errorhandler(429)
def too_many_requests(error):
    """A throttle said no (failed sign-ins); say why and when to try again."""
    return render_template("errors/429.html", message=error.description), 429
