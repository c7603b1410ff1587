"""Who is asking: session or API token, and the one helper every view uses to require a role."""

import functools

from flask import g, redirect, request, session, url_for

from db import get_db
from errors import AppError
from org import store
from org.roles import ROLES
from web.handlers import wants_json


def load_user() -> None:
    """Set g.user from a Bearer token or the session; None for a stranger."""
    g.user = None
    g.via_token = False
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        g.user = store.user_for_token(get_db(), header[7:].strip())
        g.via_token = g.user is not None
        return
    user_id = session.get("user_id")
    if user_id is not None:
        user = store.find_user(get_db(), user_id)
        # A session signed before the user's last logout or password change is over.
        if user is None or not user["active"] or session.get("generation") != user["session_generation"]:
            session.clear()
        else:
            g.user = user


def log_in(user: dict) -> None:
    session.clear()
    session["user_id"] = user["user_id"]
    session["generation"] = user["session_generation"]
    session.permanent = True


def restamp_session(generation: int) -> None:
    """Keep this session alive after its own user's password change ended the others."""
    session["generation"] = generation


def log_out() -> None:
    """End this session and every other session of the user, on every device."""
    if g.get("user") is not None and not g.via_token:
        store.end_sessions(get_db(), g.user["user_id"])
    session.clear()


def require(*roles: str, api: bool = False):
    """Allow the view only to signed-in users with one of these roles (all roles when none given).

    Strangers get 401 from the API and a redirect to the login page elsewhere; a signed-in user
    with another role gets 403. Scope (which branch, which audit) is checked by the view: 404.
    """
    allowed = roles or ROLES

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if g.user is None:
                if api or wants_json():
                    raise AppError("Log in or send an API token (Authorization: Bearer ...).", 401)
                return redirect(url_for("org.login", next=request.full_path.rstrip("?")))
            if g.user["role"] not in allowed:
                raise AppError("Your role may not do this.", 403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed
        return wrapped

    return decorator


def _branch_visible(branch_id: int) -> bool:
    visible = store.visible_branch_ids(get_db(), g.user)
    return visible is None or branch_id in visible


def branch_in_scope(branch_id: int) -> dict:
    """The branch if the current user may see it; 404 otherwise, as for one that does not exist."""
    if not _branch_visible(branch_id):
        raise AppError(f"Branch {branch_id} does not exist.", 404)
    return store.get_branch(get_db(), branch_id)


def employee_in_scope(employee_id: int) -> dict:
    """The employee if the current user may see their branch; 404 otherwise."""
    employee = store.get_employee(get_db(), employee_id)
    if not _branch_visible(employee["branch_id"]):
        raise AppError(f"Employee {employee_id} does not exist.", 404)
    return employee
