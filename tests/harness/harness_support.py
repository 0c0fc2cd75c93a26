"""Shared constants of the harness tests: target specs and transcript helpers."""

SERVERS = "harness_servers"
ISSUER = f"{SERVERS}:IssuerServer"
EDITED = f"{SERVERS}:EditedIssuerServer"
ECHO = f"{SERVERS}:EchoServer"

META = '{"kind":"meta","format":"wsgm/1","name":"t","settings":{}}'


def jsonl(*lines: str) -> str:
    return "\n".join((META,) + lines) + "\n"


# The test servers speak the worked subject's protocol: its passwords and issued values.
SUBJECT_TABLES = (
    '[tool.harness.fixtures]\npasswords = { admin = "admin123", trader = "trader123", viewer = "viewer123" }\n'
    '[tool.harness.redact]\ntokens = ["reconnect_token", "access_token", "refresh_token"]\n'
    'ids = ["client_id", "session_id", "collection_id"]\n'
)
