"""`sensei bank verify`: prove every bank item against its own key (composes bank, grading and runner)."""
