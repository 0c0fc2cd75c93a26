"""The application is complete when built."""

from pathlib import Path

from refactored.app import App, build_app
from refactored.config import Config
from refactored.core.clock import Clock
from refactored.services.controller import SimulatedTradingController


def test_every_field_is_set():
    app = build_app(Config.build(None, jwt_secret=None), Clock())
    assert all(getattr(app, name) is not None for name in App.__slots__)
    assert isinstance(app.controller, SimulatedTradingController)


def test_controller_and_directory_from_outside(tmp_path):
    controller = object()
    app = build_app(Config.build({"strategies_dir": str(tmp_path)}, jwt_secret=None), Clock(), controller)
    assert app.controller is controller and app.store.directory == Path(tmp_path)


def test_default_directory_is_fresh_and_not_created():
    config = Config.build(None, jwt_secret=None)
    first, second = build_app(config, Clock()).store.directory, build_app(config, Clock()).store.directory
    assert first != second and not first.exists()


def test_counters_count_writes():
    app = build_app(Config.build(None, jwt_secret=None), Clock())
    app.counters.wrote(False)
    app.counters.wrote(True)
    assert (app.counters.sent, app.counters.errors) == (2, 1)


def test_the_user_store_and_its_lockout_read_the_servers_clock():
    app = build_app(Config.build({"lockout_threshold": 1}, jwt_secret="k" * 32), Clock(wall=lambda: 100.0))
    assert app.users.wall() == 100.0 and app.users.lockout.wall() == 100.0
