"""The daemon's seams to the outside world: a command runner, files under a root prefix."""
