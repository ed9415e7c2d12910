"""Admin views: list, create and edit accounts, deactivate and reactivate them."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from app.accounts.decorators import admin_required
from app.accounts.models import Role, User
from app.accounts.services import AccountError, count_admins, create_user
from app.admin import bp
from app.admin.forms import NewUserForm, ToggleActiveForm, UserForm, UserSearchForm
from app.extensions import db
from app.grading.runtime import sandbox_warning
from app.personas import BY_SLUG


@bp.route("/users")
@admin_required
def users():
    """Every account, searchable, a page at a time."""
    form = UserSearchForm(request.args)
    query = select(User).order_by(User.name, User.id)
    if form.validate() and form.q.data:
        like = f"%{form.q.data.strip().lower()}%"
        query = query.where(or_(User.email.like(like), User.name.ilike(like)))
    page = db.paginate(query, per_page=50, error_out=False)
    return render_template(
        "admin/users.html",
        page=page,
        form=form,
        toggle=ToggleActiveForm(),
        personas=BY_SLUG,
        sandbox_warning=sandbox_warning(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def new_user():
    """Create a local account."""
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                form.email.data,
                form.name.data,
                password=form.password.data or None,
                persona=form.persona.data or None,
                role=form.role.data,
            )
        except AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"Created an account for {user.email}.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), (
        400 if form.errors else 200
    )


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _would_remove_last_admin(user: User, new_role: str | None, deactivating: bool) -> bool:
    if not user.is_admin or not user.active:
        return False
    losing = deactivating or (new_role is not None and new_role != Role.ADMIN)
    return losing and count_admins() <= 1


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    """Change an account's name, persona and role."""
    user = _get_user(user_id)
    form = UserForm(obj=user)
    if request.method == "GET":
        form.persona.data = user.persona or ""
    if form.validate_on_submit():
        if _would_remove_last_admin(user, form.role.data, deactivating=False):
            form.role.errors.append("The academy needs at least one active admin.")
        else:
            user.name = form.name.data.strip()
            user.persona = form.persona.data or None
            user.role = form.role.data
            db.session.commit()
            flash(f"Saved {user.email}.", "success")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/user_form.html", form=form, user=user, toggle=ToggleActiveForm()
    ), (400 if form.errors else 200)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_required
def toggle_active(user_id: int):
    """Deactivate an active account, or reactivate an inactive one."""
    user = _get_user(user_id)
    form = ToggleActiveForm()
    if not form.validate_on_submit():
        abort(400)
    if user.active and _would_remove_last_admin(user, None, deactivating=True):
        flash("The academy needs at least one active admin.", "error")
    elif user.id == current_user.id:
        flash("You can't deactivate your own account.", "error")
    else:
        user.active = not user.active
        db.session.commit()
        state = "reactivated" if user.active else "deactivated"
        flash(f"{user.email} {state}.", "success")
    return redirect(url_for("admin.users"))


# The restricted tier's pages live in their own module, on the same blueprint.
from app.admin import restricted as _restricted  # noqa: E402, F401
