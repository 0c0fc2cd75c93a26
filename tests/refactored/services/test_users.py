"""Users: passwords, lockout, JWTs."""

import jwt
import pytest

from refactored.core.errors import AccountLocked, AuthenticationFailed
from refactored.services.guards import Lockout, SpentTokens
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
                         lockout=Lockout(threshold=3, seconds=100, wall=wall), revoked=SpentTokens(), wall=wall)


async def test_roles_and_partial_password_override(users):
    assert (await users.login("admin", "root!")).can("manage_strategies")
    trader = await users.login("trader", DEV_PASSWORDS["trader"])
    assert trader.permissions == ("read", "trade", "execute_live_trading")
    assert (await users.login("viewer", "viewer123")).permissions == ("read",)


@pytest.mark.parametrize("username,password", [("admin", "admin123"), ("ghost", "x"), ("admin", ""), ("admin", "\ud800")])
async def test_bad_credentials(users, username, password):
    with pytest.raises(AuthenticationFailed, match="Invalid username or password"):
        await users.login(username, password)


async def test_lockout_after_threshold_then_expires(users, wall):
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            await users.login("trader", "x")
    with pytest.raises(AccountLocked):
        await users.login("trader", "trader123")
    wall.now += 101
    with pytest.raises(AuthenticationFailed):
        await users.login("trader", "x")  # the count starts again after the lock
    assert (await users.login("trader", "trader123")).username == "trader"


async def test_unknown_usernames_lock_too(users):
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            await users.login("ghost", "x")
    with pytest.raises(AccountLocked):
        await users.login("ghost", "x")


async def test_success_resets_failures(users):
    for _ in range(2):
        for _ in range(2):
            with pytest.raises(AuthenticationFailed):
                await users.login("trader", "x")
        await users.login("trader", "trader123")


async def test_unlock_expired(users, wall):
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            await users.login("viewer", "x")
    wall.now += 100
    await users.unlock_expired()
    assert await users.login("viewer", "viewer123")


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


async def test_refresh_token_works_once(users, wall):
    import time
    wall.now = time.time()
    token = users.token(users.principal("admin"), "refresh")
    assert (await users.redeem_refresh(token)).username == "admin"
    with pytest.raises(AuthenticationFailed, match="Invalid token"):
        await users.redeem_refresh(token)
