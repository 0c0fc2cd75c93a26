"""Users: passwords, lockout, JWTs."""

import jwt
import pytest

from refactored.core.errors import AccountLocked, AuthenticationFailed
from refactored.services.users import DEV_PASSWORDS, UserDirectory

SECRET = "s" * 32


class Wall:
    now = 1_700_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def wall():
    return Wall()


@pytest.fixture
def users(wall):
    return UserDirectory(passwords={"admin": "root!"}, secret=SECRET, access_ttl=60, refresh_ttl=600,
                         lockout_threshold=3, lockout_seconds=100, wall=wall)


def test_roles_and_partial_password_override(users):
    assert users.login("admin", "root!").can("manage_strategies")
    trader = users.login("trader", DEV_PASSWORDS["trader"])
    assert trader.permissions == ("read", "trade", "execute_live_trading")
    assert users.login("viewer", "viewer123").permissions == ("read",)


@pytest.mark.parametrize("username,password", [("admin", "admin123"), ("ghost", "x"), ("admin", ""), ("admin", "\ud800")])
def test_bad_credentials(users, username, password):
    with pytest.raises(AuthenticationFailed, match="Invalid username or password"):
        users.login(username, password)


def test_lockout_after_threshold_then_expires(users, wall):
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            users.login("trader", "x")
    with pytest.raises(AccountLocked):
        users.login("trader", "trader123")
    wall.now += 101
    with pytest.raises(AuthenticationFailed):
        users.login("trader", "x")  # the count starts again after the lock
    assert users.login("trader", "trader123").username == "trader"


def test_unknown_usernames_lock_too(users):
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            users.login("ghost", "x")
    with pytest.raises(AccountLocked):
        users.login("ghost", "x")


def test_success_resets_failures(users):
    for _ in range(2):
        for _ in range(2):
            with pytest.raises(AuthenticationFailed):
                users.login("trader", "x")
        users.login("trader", "trader123")


def test_unlock_expired(users, wall):
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            users.login("viewer", "x")
    wall.now += 100
    users.unlock_expired()
    assert users.login("viewer", "viewer123")


def test_token_claims_and_roundtrip(users):
    user = users.principal("trader")
    token = users.token(user, "access")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert list(claims) == ["sub", "permissions", "type", "iat", "exp", "jti"]
    assert claims["exp"] - claims["iat"] == 60


def test_verify(users, wall):
    import time
    wall.now = time.time()
    user = users.principal("trader")
    assert users.verify(users.token(user, "access"), "access") == user
    with pytest.raises(AuthenticationFailed, match="Invalid token"):
        users.verify(users.token(user, "access"), "refresh")
    wall.now -= 1000
    with pytest.raises(AuthenticationFailed, match="Token has expired"):
        users.verify(users.token(user, "access"), "access")


@pytest.mark.parametrize("token", [
    "garbage",
    jwt.encode({"sub": "admin", "type": "access", "exp": 4_000_000_000}, "other-secret" * 3, algorithm="HS256"),
    jwt.encode({"sub": "admin", "type": "access", "exp": 4_000_000_000}, None, algorithm="none"),
    jwt.encode({"sub": "root", "type": "access", "exp": 4_000_000_000}, SECRET, algorithm="HS256"),
    jwt.encode({"sub": "admin", "type": "access"}, SECRET, algorithm="HS256"),
])
def test_rejected_tokens(users, token):
    with pytest.raises(AuthenticationFailed, match="Invalid token"):
        users.verify(token, "access")


def test_refresh_token_works_once(users, wall):
    import time
    wall.now = time.time()
    token = users.token(users.principal("admin"), "refresh")
    assert users.redeem_refresh(token).username == "admin"
    with pytest.raises(AuthenticationFailed, match="Invalid token"):
        users.redeem_refresh(token)
