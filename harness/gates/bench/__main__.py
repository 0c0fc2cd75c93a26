"""``python -m harness.gates.bench LEGACY CANDIDATE REPORTS --quick|--full RATIO CONFIG``: one JSON line."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

from harness.config import load_config
from harness.errors import HarnessError
from harness.gates.bench.gate import FULL, QUICK, bench_gate


def main(argv: list[str]) -> int:
    legacy, candidate, reports, effort, ratio, config_path = argv
    settings = replace(QUICK if effort == "--quick" else FULL, threshold=float(ratio), history=Path(".benchmarks"))
    try:
        result = bench_gate(legacy, candidate, Path(reports), load_config(Path(config_path)), settings)
    except HarnessError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(json.dumps(result.to_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
