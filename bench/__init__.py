"""Load and speed measurements for Role Bot; run with make load / make bench."""
