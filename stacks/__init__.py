"""Stack assembly: config schema, per-cloud wiring, the outputs contract, the offline plan."""
