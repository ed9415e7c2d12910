"""View guards for roles."""

from functools import wraps

from flask import abort
from flask_login import current_user

from app.extensions import login_manager


def role_required(check):
    """Let through signed-in users for whom ``check(user)`` holds; others get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


admin_required = role_required(lambda user: user.is_admin)
instructor_required = role_required(lambda user: user.is_instructor)
