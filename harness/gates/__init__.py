"""Gates: each returns a GateResult with figures, thresholds and a decision."""
