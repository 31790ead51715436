"""Inside the compile box: stream the compiler's outputs to stdout as length-prefixed records.

Only regular files directly in the working directory that match the language's patterns are sent; a
symlink or anything else is refused, so the server never reads a path the compiled program controls.
"""

from __future__ import annotations

import fnmatch
import os
import stat
import struct
import sys


def main(patterns: list[str]) -> int:
    out = sys.stdout.buffer
    for name in sorted(os.listdir(".")):
        if not any(fnmatch.fnmatchcase(name, p) for p in patterns):
            continue
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                continue
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read()
        finally:
            os.close(fd)
        encoded = name.encode()
        out.write(struct.pack(">I", len(encoded)) + encoded + struct.pack(">IQ", info.st_mode & 0o777, len(data)))
        out.write(data)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1].split(",")))
