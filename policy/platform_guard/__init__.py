"""What this platform promises, as CrossGuard rules: plain functions over `Resource`, wired into a
policy pack by `pack.py`. Nothing here imports the program it checks: a rule that read its
expectations from the code under test would agree with any change to it."""
