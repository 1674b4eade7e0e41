"""Login, logout, idle timeout, the login rate limit, and who is acting.

The rate limit is the one primitive (core.base.ratelimit), in the database: with several
gunicorn workers an in-memory counter would give an attacker N times the tries and forget
them on every restart. Two keys are counted over a 15-minute window: the login+address pair
(5 failures) and the address alone (30, against spraying many logins); each try is counted
before the password is checked, and a right one is given back.
"""

from __future__ import annotations

from time import time

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from admin import csp
from core.access import Actor, actor_for_employee
from core.base import ratelimit
from core.base.config import Config
from core.base.errors import AccessDenied
from core.base.security import check_password, client_address
from core.people.models import Employee
from core.people.sessions import employee_of, end_session, start_session

__all__ = ["current_actor", "init_app", "require_login", "start_login"]

bp = Blueprint("auth", __name__)
WINDOW = 15 * 60  # seconds
PAIR_LIMIT = 5
IP_LIMIT = 30
ABSOLUTE_HOURS = 24  # a session ends a day after login however active it is
# A real hash to compare against when the login does not exist: the same work either way,
# so timing does not tell which logins exist.
_DUMMY_HASH = (
    "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
)


class StaffUser:
    """Flask-Login's view of an employee in one server-side session (core.people.sessions): the
    cookie carries only the session's token, so ending the session ends the cookie."""

    def __init__(self, employee: Employee, token: str):
        self.employee = employee
        self.token = token
        self.is_authenticated = True
        self.is_active = employee.active
        self.is_anonymous = False

    def get_id(self) -> str:
        return self.token


class LoginForm(FlaskForm):
    login = StringField("Логин", validators=[DataRequired("Введите логин."), Length(max=100)])
    password = PasswordField(
        "Пароль", validators=[DataRequired("Введите пароль."), Length(max=200)]
    )


def _load_user(token: str) -> StaffUser | None:
    employee = employee_of(token)
    if employee is None or not employee.login:
        return None
    return StaffUser(employee, token)


def start_login(employee: Employee) -> None:
    """A fresh server-side session for this browser (login, or one's own password change)."""
    session.clear()  # a fresh session on login: no fixation
    login_user(StaffUser(employee, start_session(employee.id)))
    session.permanent = True
    session["seen"] = session["since"] = int(time())


def _end_login() -> None:
    if current_user.is_authenticated:
        end_session(current_user.token)
    logout_user()
    session.clear()


def current_actor() -> Actor:
    """The logged-in employee as a core Actor (cached per request)."""
    if "actor" not in g:
        if not current_user.is_authenticated:
            abort(401)
        try:
            g.actor = actor_for_employee(current_user.employee)
        except AccessDenied:
            abort(403)
    return g.actor


def require_login() -> bool:
    return bool(current_user.is_authenticated)


def _client_ip() -> str:
    return client_address(request.environ, current_app.config["BRIGADIR_CONFIG"].trusted_proxies)


def _limits(login: str) -> dict[str, int]:
    ip = _client_ip()
    return {f"login:{login[:100]}|{ip}": PAIR_LIMIT, f"ip:{ip}": IP_LIMIT}


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        login_name = form.login.data.strip().lower()
        limits = _limits(login_name)
        # Counted before the password is checked: tries sent at once cannot all pass.
        if not ratelimit.hit_all(limits, WINDOW):
            flash("Слишком много неудачных попыток входа. Попробуйте через 15 минут.", "error")
            return render_template("brigadir/login.html", form=form), 429
        employee = Employee.get_or_none((Employee.login == login_name) & Employee.active)
        ok = check_password(form.password.data, employee.password_hash if employee else _DUMMY_HASH)
        if not ok or employee is None:
            flash("Неверный логин или пароль.", "error")
            return render_template("brigadir/login.html", form=form), 401
        pair, ip = limits
        ratelimit.clear(pair, WINDOW)  # a right password is not a failure
        ratelimit.give_back(ip, WINDOW)
        start_login(employee)
        target = request.args.get("next", "")
        if not target.startswith("/admin") or target.startswith("//"):
            target = url_for("admin.index")
        return redirect(target)
    return render_template("brigadir/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    _end_login()
    flash("Вы вышли из системы.", "info")
    return redirect(url_for("auth.login"))


def _idle_check() -> None:
    """End a session idle longer than web.session_idle_minutes."""
    if not current_user.is_authenticated:
        return
    config: Config = current_app.config["BRIGADIR_CONFIG"]
    now = int(time())
    seen = session.get("seen", 0)
    too_old = now - session.get("since", 0) > ABSOLUTE_HOURS * 3600
    if too_old or now - seen > config.web.session_idle_minutes * 60:
        _end_login()
        flash("Сеанс завершён после долгого бездействия. Войдите снова.", "info")
        return
    if now - seen > 30:  # write the cookie at most twice a minute
        session["seen"] = now


def init_app(app: Flask, config: Config) -> None:
    manager = LoginManager(app)
    manager.user_loader(_load_user)
    manager.login_view = "auth.login"
    manager.login_message = "Войдите, чтобы продолжить."
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    app.before_request(_idle_check)
    app.register_blueprint(bp)

    @app.route("/")
    def root():
        return redirect(url_for("admin.index"))

    @app.after_request
    def _headers(response):
        return security_headers(response, https=config.web.https)


# Who may frame a page: nobody, except this site for the papers it frames itself.
_FRAMES = {"DENY": "'none'", "SAMEORIGIN": "'self'"}
HSTS = "max-age=31536000"  # a year; set only where the program is served over https


def security_headers(response, *, https: bool):
    """Every answer's security headers (a page that set its own stricter ones keeps them)."""
    headers = response.headers
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    ancestors = _FRAMES.get(headers["X-Frame-Options"], "'none'")
    headers.setdefault("Content-Security-Policy", csp.policy(ancestors))  # no inline scripts
    if https:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if request.path.startswith(("/admin", "/login", "/files")):
        headers.setdefault("Cache-Control", "no-store")
    return response
