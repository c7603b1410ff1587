"""What an operator checks before trusting a deployment: cookie flags, file modes, the secret key."""

import os
import stat
from dataclasses import dataclass

WEAK_KEYS = {"dev", "test", "secret", "changeme", "change-me", "development", "password", "visitscore"}
MIN_KEY_LENGTH = 32
MIN_KEY_DISTINCT = 12


@dataclass(frozen=True)
class Finding:
    ok: bool
    message: str


def key_finding(key: str | bytes | None) -> Finding:
    """A secret key signs sessions and CSRF tokens: it must be long and random."""
    text = key.decode(errors="replace") if isinstance(key, bytes) else (key or "")
    if text.lower() in WEAK_KEYS or len(text) < MIN_KEY_LENGTH or len(set(text)) < MIN_KEY_DISTINCT:
        return Finding(
            False,
            f"The secret key is weak ({len(text)} characters); unset VISITSCORE_SECRET_KEY to have one "
            f"generated, or set at least {MIN_KEY_LENGTH} random characters (python -c 'import secrets; "
            "print(secrets.token_hex(32))').",
        )
    return Finding(True, f"The secret key has {len(text)} characters and looks random.")


def cookie_findings(config) -> list[Finding]:
    findings = []
    secure = config.get("SESSION_COOKIE_SECURE")
    if secure is None:
        findings.append(
            Finding(
                True,
                "The session cookie is Secure on every HTTPS request (VISITSCORE_SESSION_COOKIE_SECURE "
                "unset); serve the site over HTTPS only; behind a proxy set VISITSCORE_BEHIND_PROXY=true.",
            )
        )
    elif secure:
        findings.append(Finding(True, "The session cookie is always Secure."))
    else:
        findings.append(
            Finding(
                False, "VISITSCORE_SESSION_COOKIE_SECURE is false: the session cookie may travel in clear."
            )
        )
    httponly = bool(config.get("SESSION_COOKIE_HTTPONLY"))
    findings.append(Finding(httponly, f"The session cookie is {'' if httponly else 'not '}HttpOnly."))
    samesite = config.get("SESSION_COOKIE_SAMESITE")
    findings.append(
        Finding(samesite in ("Lax", "Strict"), f"The session cookie's SameSite is {samesite or 'not set'}.")
    )
    return findings


def file_finding(path: str, what: str) -> Finding | None:
    """A file holding data or keys must be readable by its owner only; None when it does not exist."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return Finding(False, f"{what} {path} has mode {mode:04o}; run: chmod 600 {path}")
    return Finding(True, f"{what} {path} has mode {mode:04o}.")


def deployment_findings(config, instance_path: str, extra_files=()) -> list[Finding]:
    """Everything check-security reports, in order."""
    findings = [key_finding(config.get("SECRET_KEY")), *cookie_findings(config)]
    database = config["DATABASE"]
    files = [
        (database, "The database"),
        (database + "-wal", "The database's WAL file"),
        (database + "-shm", "The database's shared-memory file"),
        (os.path.join(instance_path, "secret_key"), "The secret key file"),
        *((path, "The file") for path in extra_files),
    ]
    for path, what in files:
        finding = file_finding(path, what)
        if finding is not None:
            findings.append(finding)
        elif path in extra_files:
            findings.append(Finding(False, f"{path} does not exist."))
    return findings
