"""How fast `sensei` answers commands that need no database (issue 2: `sensei --help` well under half a second).

Each command runs as a fresh process, `--repeat` times, after one unmeasured warm-up run (so the page cache
holds the files); the table gives the median and the worst wall time, next to the baseline measured in the
same run: the bare interpreter (`python -I -c pass`) and the interpreter importing only Typer and Rich, which
every command pays for. The last column says whether the command opened the database: it runs with the data
directory pointing at a fresh temporary folder, and any file appearing there means it did.

    python bench/cli_startup.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SENSEI = str(Path(sys.executable).with_name("sensei"))
SAMPLE_QUESTION = Path(__file__).resolve().parent.parent / "src" / "codesensei" / "bank" / "samples"

COMMANDS: list[tuple[str, list[str]]] = [
    ("bare python", [sys.executable, "-I", "-c", "pass"]),
    ("python + typer + rich", [sys.executable, "-I", "-c", "import typer, rich.console"]),
    ("sensei --help", [SENSEI, "--help"]),
    ("sensei bank --help", [SENSEI, "bank", "--help"]),
    ("sensei languages", [SENSEI, "languages", "--json"]),
    ("sensei bank schema", [SENSEI, "bank", "schema"]),
    ("sensei bank validate (samples)", [SENSEI, "bank", "validate", str(SAMPLE_QUESTION)]),
]


def time_command(argv: list[str], env: dict[str, str], repeat: int) -> tuple[float, float]:
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    print("command:", shlex.join([Path(sys.executable).name, *sys.argv]))
    print("load average (1, 5, 15 min) before:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"\n{'command':<34}{'p50 ms':>9}{'max ms':>9}  opened the database")
    print("-" * 72)
    for label, argv in COMMANDS:
        with tempfile.TemporaryDirectory() as data_dir:
            env = {**os.environ, "SENSEI_DATA_DIR": data_dir}
            env.pop("SENSEI_DATABASE_URL", None)
            median, worst = time_command(argv, env, args.repeat)
            opened = "yes" if any(Path(data_dir).iterdir()) else "no"
        print(f"{label:<34}{median:>9.1f}{worst:>9.1f}  {opened}")
    print("\nload average after:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print("target: `sensei --help` well under 500 ms; commands that need no database never open it")


if __name__ == "__main__":
    main()
