"""A real mutation run on a tiny candidate: one mutant killed, one covered survivor, one not covered."""

from __future__ import annotations

import json

from harness.cli import main
from harness.strength.mutation import MutationOptions, run_mutation
from harness.strength.picking import Pick


def _run(tiny, corpus, config, where):
    options = MutationOptions("tinyws.server:Server", "tinyws.server:Server", (tiny,),
                              Pick(where=tuple(f"{tiny}:{line}" for line in where)), mutant_timeout=60, replays=2)
    return run_mutation(options, [corpus], config, tiny.parent)


def test_killed_survivor_and_not_covered(tiny, ping_corpus, fast):
    result = _run(tiny, ping_corpus, fast, where=(10, 13, 15))
    by_line = {o.mutant.line: o for o in result.outcomes}
    assert by_line[13].killed and by_line[13].by == "ping_once"  # "pong" changed
    assert not by_line[10].killed and by_line[10].selection == "covered"  # `>` -> `>=` at 1000
    assert by_line[10].covered_by == 1
    assert not by_line[15].killed and by_line[15].selection == "not covered" and by_line[15].seconds < 1
    assert result.extra["control"] == {"killed": False, "by": None}
    assert result.extra["recordings"] == 1


def test_cli_writes_the_report_and_reruns_survivors(tiny, ping_corpus, tmp_path):
    out = tmp_path / "strength.json"
    equivalents = tmp_path / "equivalent_mutants.toml"
    equivalents.write_text(f'[[mutant]]\nfile = "{tiny}"\nline = 11\nmutation = "GreaterThan \' > \'"\n'
                           'reason = "no request is exactly 1000 bytes long"\n')
    common = [str(ping_corpus), "--legacy", "tinyws.server:Server", "--candidate", "tinyws.server:Server",
              "--files", str(tiny), "--out", str(out), "--equivalents", str(equivalents), "--quiet"]
    assert main(["mutate", *common, "--where", f"{tiny}:10", "--where", f"{tiny}:13"]) == 0
    data = json.loads(out.read_text())["mutation"]
    assert (data["mutants_run"], data["killed"], data["equivalent"], data["survived"]) == (3, 2, 1, 0)
    assert data["score_percent"] == 100.0
    assert data["equivalents"][0]["declared"]["reason"].startswith("no request")
    assert main(["mutate", *common, "--only-survivors"]) == 0
    again = json.loads(out.read_text())["mutation"]
    assert (again["mutants_run"], again["killed"], again["equivalent"]) == (3, 2, 1)
