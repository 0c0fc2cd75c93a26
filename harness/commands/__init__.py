"""The built-in subcommands of `harness`."""
