"""The command line: exit codes, reports naming recording/frame/path, JSON, waivers."""

import json

import pytest

from harness import transcript as wsgm
from harness.cli import build_parser, main
from harness.corpus import compare_corpus
from harness_support import EDITED, ISSUER, SUBJECT_TABLES


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[tool.harness]\nwaivers_file = "waivers.toml"\nconcurrency = 4\n'
        "[tool.harness.timeouts]\nquiet = 0.05\nframe = 2\n" + SUBJECT_TABLES
    )
    return path


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("harness ")


def test_usage_errors_exit_2(capsys):
    assert main([]) == 2
    assert main(["replay"]) == 2
    assert main(["frobnicate"]) == 2


def test_subcommand_table():
    choices = build_parser([])._subparsers._group_actions[0].choices
    assert {"replay", "diff", "record", "record-scenarios"} <= set(choices)
    only = build_parser(["replay", "x", "--target", "legacy"])._subparsers._group_actions[0].choices
    assert set(only) == {"replay"}


def test_replay_matches(corpus, project, capsys, tmp_path):
    out = tmp_path / "out" / "replay.json"
    assert (
        main(["replay", str(corpus), "--target", ISSUER, "--config", str(project), "--json", str(out)]) == 0
    )
    assert (
        capsys.readouterr()
        .out.strip()
        .endswith("3 recordings: 3 match, 0 differences, 0 failed, 0 waived, 0 unused waivers")
    )
    data = json.loads(out.read_text())
    assert data["ok"] is True and {r["name"] for r in data["recordings"]} == {
        "issuer_path_and_refusal",
        "issuer_ping",
        "issuer_tour",
    }


def test_diff_same_server_is_clean(corpus, project, capsys):
    assert (
        main(["diff", "--legacy", ISSUER, "--candidate", ISSUER, str(corpus), "--config", str(project)]) == 0
    )


def test_diff_catches_an_edited_message(corpus, project, capsys, tmp_path):
    out = tmp_path / "diff.json"
    code = main(
        [
            "diff",
            "--legacy",
            ISSUER,
            "--candidate",
            EDITED,
            str(corpus),
            "--config",
            str(project),
            "--json",
            str(out),
        ]
    )
    report = capsys.readouterr().out
    assert code == 1
    assert f"--- {ISSUER}/issuer_tour" in report
    assert "@@ issuer_tour c1 frame 4 $.error_message (changed) @@" in report
    assert '-"Invalid username or password"\n+"Wrong username or password"' in report
    data = json.loads(out.read_text())
    assert data["unwaived_count"] == 1
    [tour] = [r for r in data["recordings"] if r["name"] == "issuer_tour"]
    assert tour["differences"][0]["path"] == "$.error_message"


def test_waivers_used_and_unused(corpus, project, capsys):
    waivers = project.parent / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\nrecording = "issuer_tour"\npath = "$.error_message"\nclient = "c1"\n'
        'reason = "clearer wording"\n'
    )
    args = ["diff", "--legacy", ISSUER, "--candidate", EDITED, str(corpus), "--config", str(project)]
    assert main(args) == 0
    assert (
        "=== waived issuer_tour c1 frame 4 $.error_message (changed): clearer wording"
        in capsys.readouterr().out
    )
    waivers.write_text(
        waivers.read_text() + '[[waiver]]\nrecording = "issuer_ping"\npath = "$.x"\nreason = "stale"\n'
    )
    assert main(args) == 1
    assert "waivers.toml:6: unused waiver for issuer_ping $.x: stale" in capsys.readouterr().out
    waivers.write_text(waivers.read_text().replace('"issuer_ping"', '"no_such_recording"'))
    assert main(args) == 1
    assert "unused waiver for no_such_recording" in capsys.readouterr().out
    assert main(args[:-3] + [str(corpus / "issuer_tour.jsonl")] + args[-2:]) == 0  # files only


def test_bad_inputs_exit_2(corpus, project, tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"kind":"meta","format":"wsgm/1","name":"b"}\n{"kind":"send","client":"c1","text":"x"}\n')
    assert main(["replay", str(bad), "--target", ISSUER, "--config", str(project)]) == 2
    assert f"{bad}:2: unknown client 'c1'" in capsys.readouterr().err
    assert main(["replay", str(tmp_path / "missing"), "--target", ISSUER, "--config", str(project)]) == 2
    assert main(["replay", str(corpus), "--target", "not a target", "--config", str(project)]) == 2
    assert "bad target 'not a target'" in capsys.readouterr().err
    project.write_text("[tool.harness]\nconcurency = 3\n")
    assert main(["diff", str(bad), "--config", str(project)]) == 2
    assert f"{project}:2: unknown key tool.harness.concurency" in capsys.readouterr().err


async def test_failed_target_does_not_stop_the_run(corpus, fast_config):
    result = await compare_corpus(ISSUER, "harness_servers:RefusingServer", [corpus], fast_config)
    assert [r.error is not None for r in result.recordings] == [True, True, True]
    assert "cannot connect" in result.recordings[0].error
    assert result.unwaived_count == 3 and not result.ok
    assert "3 failed" in result.summary()


async def test_compare_recording_reports_a_failed_target(corpus, fast_config):
    from harness.corpus import compare_recording
    transcript = wsgm.load(corpus / "issuer_ping.jsonl")
    result = await compare_recording(transcript, "harness_servers:CrashingStartServer", ISSUER, fast_config)
    assert result.error.startswith("harness_servers:CrashingStartServer: ") and "boom at start" in result.error
    assert list(result.timings) == ["0:harness_servers:CrashingStartServer"]


async def test_a_bad_transcript_fails_alone(corpus, fast_config, tmp_path):
    import shutil
    mixed = tmp_path / "mixed"
    shutil.copytree(corpus, mixed)
    (mixed / "nested").mkdir()
    shutil.copy(corpus / "issuer_ping.jsonl", mixed / "nested" / "again.jsonl")
    (mixed / "truncated.jsonl").write_text('{"kind":"meta","format":"wsgm/1","name":"t"}\n{"kind":"send",')
    result = await compare_corpus(ISSUER, ISSUER, [mixed], fast_config)
    bad = [r for r in result.recordings if r.invalid]
    assert [r.name for r in bad] == ["truncated"]
    assert bad[0].error.startswith(f"{mixed / 'truncated.jsonl'}:2: ")
    assert sum(r.ok for r in result.recordings) == len(result.recordings) - 1 == 4


def test_a_bad_transcript_exits_2_after_the_others_ran(corpus, project, tmp_path, capsys):
    import shutil
    mixed = tmp_path / "mixed"
    shutil.copytree(corpus, mixed)
    (mixed / "zz_unknown_kind.jsonl").write_text(
        '{"kind":"meta","format":"wsgm/1","name":"u"}\n{"kind":"teleport","client":"c1"}\n'
    )
    assert main(["diff", "--legacy", ISSUER, "--candidate", ISSUER, str(mixed), "--config", str(project)]) == 2
    out, err = capsys.readouterr()
    assert f"{mixed / 'zz_unknown_kind.jsonl'}:2: " in err
    assert "4 recordings: 3 match" in out
