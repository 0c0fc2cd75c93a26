"""Connection lifecycle: the registry of live connections, saved sessions, critical-message delivery, rate limits."""
