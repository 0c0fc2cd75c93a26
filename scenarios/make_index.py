"""Write `recordings/README.md`, the corpus index, from the scenario scripts.

    python scenarios/make_index.py            # rewrite recordings/README.md
    python scenarios/make_index.py --check    # exit 1 when it is out of date

One line per recording: its name, the scenario file, its tags and the first paragraph of the
scenario's docstring. `tests/golden/test_corpus_index.py` fails when the file is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SLOW = SCENARIOS / "slow"
INDEX = ROOT / "recordings" / "README.md"

HEADER = """# Recordings

The golden-master corpus: `wsgm/1` transcripts recorded against the legacy server from the
scenario scripts in `scenarios/`. Never edit a recording by hand: change its scenario and record
it again. The slow connection-limit recording (1001 connections, from `scenarios/slow/`) lives in
`tests/golden/slow_recordings/` so that `harness diff recordings/` stays fast; it runs with
`pytest -m slow tests/golden`.

```
.venv/bin/harness record-scenarios scenarios/ --target legacy --out recordings/
.venv/bin/harness record-scenarios scenarios/slow --target legacy --out tests/golden/slow_recordings/
.venv/bin/python scenarios/make_index.py                 # this file
.venv/bin/python -m pytest tests/golden -k legacy --snapshot-update   # legacy snapshots only
```

`tests/golden` replays every recording against the legacy (snapshot) and the candidate (diffed
against the legacy snapshot, waivers in `waivers.toml`). `hostile/` holds the hostile-input
corpus (`scenarios/hostile/`), indexed separately.

| recording | scenario file | tags | covers |
| --- | --- | --- | --- |
"""


def _summary(doc: str | None) -> str:
    paragraph = (doc or "").strip().split("\n\n")[0]
    return " ".join(paragraph.split()).replace("|", "\\|")


def _file_of(sc) -> str:
    module = sys.modules.get(sc.fn.__module__)
    path = Path(getattr(module, "__file__", "") or "")
    return path.relative_to(SCENARIOS).as_posix() if path.is_relative_to(SCENARIOS) else path.name


def index_lines(scenarios, prefix: str = "") -> list[str]:
    rows = sorted(scenarios, key=lambda sc: sc.name)
    return [f"| `{prefix}{sc.name}` | `{_file_of(sc)}` | {', '.join(sc.tags)} | {_summary(sc.fn.__doc__)} |"
            for sc in rows]


def render() -> str:
    """The index text for the scenarios currently in `scenarios/` and `scenarios/slow/`."""
    sys.path.insert(0, str(ROOT))
    from harness.scenario import load_scenarios

    fast = [sc for sc in load_scenarios([SCENARIOS])]
    slow = [sc for sc in load_scenarios([SLOW])]
    return HEADER + "\n".join(index_lines(fast) + index_lines(slow, "../tests/golden/slow_recordings/")) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = INDEX.read_text(encoding="utf-8") if INDEX.is_file() else ""
        if current != text:
            print(f"{INDEX}: out of date, run python scenarios/make_index.py", file=sys.stderr)
            return 1
        return 0
    INDEX.write_text(text, encoding="utf-8")
    print(f"{INDEX}: {text.count(chr(10) + '| `')} recordings")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
