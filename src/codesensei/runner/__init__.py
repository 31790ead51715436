"""The code runner: sandbox, languages, compile cache, warm boxes, test harnesses and verdicts."""
