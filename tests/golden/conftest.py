"""Golden-master fixtures: one batch replays every selected recording; coverage in the summary."""

from __future__ import annotations

import os

import pytest

from golden_support import GoldenRun, corpus_files, coverage_line, golden_config, run_batch

RUN_KEY = pytest.StashKey[GoldenRun]()


class GoldenCorpus:
    """Replays, on first use, every recording the selected golden tests need (one parallel batch)."""

    def __init__(self, session: pytest.Session) -> None:
        self.session = session
        self.config = golden_config()
        self.run: GoldenRun | None = None
        self.error: str | None = None

    def targets(self) -> list[str]:
        """Replayed once each: the legacy again (checked against its first run), and the candidate
        when a selected test compares it (the slow recordings' candidate cases)."""
        wanted = {item.callspec.params.get("target") for item in self.session.items if hasattr(item, "callspec")}
        candidate = [self.config.candidate] if self.config.candidate in wanted else []
        return list(dict.fromkeys(candidate + [self.config.legacy]))

    def needed(self) -> list:
        names, paths = set(), []
        for item in self.session.items:
            if item.get_closest_marker("skip"):
                continue
            callspec = getattr(item, "callspec", None)
            if callspec is not None and "recording" in callspec.params:
                names.add(callspec.params["recording"])
            if item.get_closest_marker("needs_whole_corpus"):
                names.update(p.stem for p in corpus_files())
        for path in corpus_files() + corpus_files(slow=True):
            if path.stem in names:
                paths.append(path)
        return paths

    def get(self) -> GoldenRun:
        """The batch result (run once; a failed batch fails every golden test without rerunning)."""
        if self.error is not None:
            pytest.fail(self.error)
        if self.run is None:
            try:
                self.run = run_batch(self.needed(), self.targets(), self.config)
            except Exception as exc:
                self.error = f"golden batch failed: {exc}"
                raise
            self.session.config.stash[RUN_KEY] = self.run
        return self.run


def pytest_configure(config):
    config.addinivalue_line("markers", "needs_whole_corpus: the test needs every (fast) recording replayed")


def pytest_collection_modifyitems(config, items):
    """Slow golden tests run only when asked for (`-m slow`, or WSGM_GOLDEN_SLOW=1)."""
    if "slow" in (config.getoption("markexpr") or "") or os.environ.get("WSGM_GOLDEN_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow golden test: select with -m slow or WSGM_GOLDEN_SLOW=1")
    for item in items:
        if item.get_closest_marker("slow") and item.get_closest_marker("golden"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def golden_corpus(request) -> GoldenCorpus:
    return GoldenCorpus(request.session)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    run = config.stash.get(RUN_KEY, None)
    if run is not None:
        terminalreporter.write_sep("-", "golden master")
        terminalreporter.write_line(coverage_line(run))
