"""Differential fuzzing: generated client sessions replayed against legacy and candidate."""
