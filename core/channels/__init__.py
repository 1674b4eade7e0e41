"""The firm's channels to the outside world: their health, their order, clients' choices."""
