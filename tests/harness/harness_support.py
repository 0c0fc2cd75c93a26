"""Shared constants of the harness tests: target specs and transcript helpers."""

SERVERS = "harness_servers"
ISSUER = f"{SERVERS}:IssuerServer"
EDITED = f"{SERVERS}:EditedIssuerServer"
ECHO = f"{SERVERS}:EchoServer"

META = '{"kind":"meta","format":"wsgm/1","name":"t","settings":{}}'


def jsonl(*lines: str) -> str:
    return "\n".join((META,) + lines) + "\n"
