"""Load tests: a Locust user that replays recordings, a server runner and a capacity search."""
