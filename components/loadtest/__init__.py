"""Load tests: the article presets, the measurement core, and the in-cluster benchmark Job."""
