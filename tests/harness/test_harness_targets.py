

def test_constructor_settings_become_keyword_arguments():
    from harness.targets import constructor_arguments
    assert constructor_arguments({"max_connections": 3, "rate_limit": 5}) == {
        "settings": {"rate_limit": 5}, "host": "127.0.0.1", "port": 0, "max_connections": 3,
    }
    assert constructor_arguments(None) == {"settings": {}, "host": "127.0.0.1", "port": 0}
