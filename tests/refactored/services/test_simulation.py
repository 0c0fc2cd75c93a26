"""Simulation records."""

from refactored.services.simulation import Simulation, StrategyTally


def test_defaults_are_fresh_per_instance():
    a = Simulation([], {}, 1.0, [], {})
    b = Simulation([], {}, 1.0, [], {})
    a.positions[("S", "X")] = 1.0
    assert b.positions == {} and a.orders == 0 and a.bars == 0
    assert StrategyTally() == StrategyTally(0, 0, 0, 0.0)
