"""libcst codemods: the shim import and consumer migration."""
