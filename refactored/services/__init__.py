"""Domain services: users, the strategy catalogue and store, trading records and the simulated controller."""
