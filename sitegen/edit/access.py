"""Who may edit: the password (kept only as a scrypt hash), session cookies, and CSRF tokens for every form."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.errors import SitegenError
from sitegen.i18n import _

PASSWORD_ENV = "SITEGEN_EDIT_PASSWORD"
COOKIE = "sitegen_edit"
SESSION_SECONDS = 12 * 3600
MAX_SESSIONS = 1000
# scrypt's cost: about 0.1 s and 32 MB per try, so guessing is slow (RFC 7914 suggests N = 2^15 for logins).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MIN_PASSWORD = 8
FAILURES_BEFORE_WAIT = 5
WAIT_SECONDS = 30


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash``: the password hashed with scrypt and a random salt."""
    salt = salt or secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=64 * 1024 * 1024)
    encode = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encode(salt).decode()}${encode(key).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` is the one ``stored`` (a hash made by :func:`hash_password`) was made from."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key)
        made = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=64 * 1024 * 1024,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(made, expected)


def password_hash(file: Path | None) -> str | None:
    """The password's hash, from ``file`` or the environment variable: a hash as written, or a password hashed now.

    None if neither gives one. Only the hash is kept; a password given in clear must be long enough.
    """
    if file is not None:
        try:
            given = file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise SitegenError(
                _("cannot read the password file {path}: {reason}", path=str(file), reason=reason)
            ) from exc
        if not given:
            raise SitegenError(_("the password file {path} is empty", path=str(file)))
    else:
        given = os.environ.get(PASSWORD_ENV, "").strip()
    if not given:
        return None
    if given.startswith("scrypt$"):
        if given.count("$") != 5:
            raise SitegenError(_("the password hash is not one `sitegen edit --hash-password` made"))
        return given
    if len(given) < MIN_PASSWORD:
        raise SitegenError(_("the password must be at least {count} characters long", count=MIN_PASSWORD))
    return hash_password(given)


@dataclass
class Session:
    """One signed-in browser: its CSRF token and the editor's name."""

    csrf: str
    started: float
    name: str = ""
    signed_in: bool = False
    flash: list[str] = field(default_factory=list)  # told on the next page shown


@dataclass
class Sessions:
    """The sessions of this server, by the random id in their cookie; none outlive the server."""

    password: str | None  # the hash; None: on this computer only, no password
    sessions: dict[str, Session] = field(default_factory=dict)
    failures: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, cookie: str | None) -> Session | None:
        with self.lock:
            session = self.sessions.get(cookie or "")
            if session and time.time() - session.started > SESSION_SECONDS:
                del self.sessions[cookie or ""]
                return None
            return session

    def start(self, signed_in: bool) -> tuple[str, Session]:
        with self.lock:
            if len(self.sessions) >= MAX_SESSIONS:
                oldest = min(self.sessions, key=lambda k: self.sessions[k].started)
                del self.sessions[oldest]
            ident = secrets.token_urlsafe(32)
            session = Session(secrets.token_urlsafe(32), time.time(), signed_in=signed_in)
            self.sessions[ident] = session
            return ident, session

    def end(self, cookie: str | None) -> None:
        with self.lock:
            self.sessions.pop(cookie or "", None)

    def waiting(self) -> int:
        """Seconds to wait before the next try after too many wrong passwords (0: none)."""
        with self.lock:
            now = time.time()
            self.failures = [t for t in self.failures if now - t < WAIT_SECONDS]
            if len(self.failures) < FAILURES_BEFORE_WAIT:
                return 0
            return int(WAIT_SECONDS - (now - self.failures[0])) + 1

    def sign_in(self, password: str) -> bool:
        if self.password is None or self.waiting():
            return False
        if verify_password(password, self.password):
            return True
        with self.lock:
            self.failures.append(time.time())
        return False


def csrf_ok(session: Session | None, token: str) -> bool:
    return session is not None and bool(token) and hmac.compare_digest(session.csrf.encode(), token.encode())
