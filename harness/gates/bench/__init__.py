"""Bench gate: candidate/legacy time ratio on the same work, measured interleaved."""
