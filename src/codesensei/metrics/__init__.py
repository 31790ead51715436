"""Per-scope metrics: running averages per user over `difficulty#topic` scopes (the Code Sensei paper)."""
