"""[tool.harness] parsing: defaults, overrides, errors as path:line."""

import pytest

from harness.config import HarnessConfig, load_config
from harness.errors import ConfigError


def write(tmp_path, body: str):
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n\n[tool.harness]\n' + body, encoding="utf-8")
    return path


def test_defaults_without_file(tmp_path):
    config = load_config(tmp_path / "pyproject.toml")
    assert config.legacy == "legacy" and config.candidate == "refactored"
    # defaults name no subject: no passwords, only generic secrets redacted
    assert config.fixtures.passwords == {} and config.redact.tokens == () and config.redact.ids == ()
    assert config.redact.passwords == ("password",) and config.shim == "" and config.plugin == ""


def test_targets_and_env(tmp_path):
    path = write(tmp_path, 'env = { LOG = "warn" }\n[tool.harness.targets]\n'
                           'aliases = { old = "cmd:node s.js {port}" }\nconstructor_keywords = ["limit"]\n')
    config = load_config(path)
    assert config.env == {"LOG": "warn"}
    assert config.targets.aliases == {"old": "cmd:node s.js {port}"} and config.targets.constructor_keywords == ("limit",)
    assert HarnessConfig().targets.aliases == {} and HarnessConfig().env == {}  # generic defaults


def test_values_and_sections(tmp_path):
    path = write(
        tmp_path,
        'candidate = "compat"\nnoise.add = ["$.x"]\nthresholds = { bench_ratio = 1.05 }\n'
        '[tool.harness.timeouts]\nframe = 1.5\n[tool.harness.fixtures]\npasswords = { bob = "pw" }\n',
    )
    config = load_config(path)
    assert config.candidate == "compat"
    assert config.noise.add == ("$.x",)
    assert config.timeouts.frame == 1.5 and config.timeouts.quiet == HarnessConfig().timeouts.quiet
    assert config.thresholds == {"bench_ratio": 1.05}
    assert config.fixtures.password_for("bob", {}) == "pw"
    assert config.fixtures.password_for("bob", {"passwords": {"bob": "other"}}) == "other"
    assert config.resolve("recordings") == tmp_path / "recordings"


@pytest.mark.parametrize(
    "body, line, reason",
    [
        ('legacy = "legacy"\ncolour = "red"\n', 6, "unknown key tool.harness.colour"),
        ("legacy = 3\n", 5, "legacy must be a string"),
        ('\nnoise.add = "$.x"\n', 6, "noise.add must be an array of strings"),
        ("timeouts = { frame = -1 }\n", 5, "timeouts.frame must be a positive number"),
        ("noise = { drop = [] }\n", 5, "unknown key tool.harness.noise.drop"),
        ("fixtures = 3\n", 5, "fixtures must be a table"),
        ("concurrency = 0\n", 5, "concurrency must be a positive integer"),
        ("legacy = \n", 5, "bad TOML"),
        ("\ntargets.aliases = { old = 3 }\n", 6, "targets.aliases must be a table of strings"),
        ("targets = { constructor_keywords = \"port\" }\n", 5, "targets.constructor_keywords must be an array"),
        ("targets = { kinds = [] }\n", 5, "unknown key tool.harness.targets.kinds"),
        ("env = { PORT = 8080 }\n", 5, "env must be a table of strings"),
    ],
)
def test_errors_have_line(tmp_path, body, line, reason):
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert reason in str(info.value)
