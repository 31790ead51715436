"""The `sensei` command line."""
