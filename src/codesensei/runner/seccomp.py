"""The seccomp filter every sandboxed process runs under, written as a classic BPF program with `struct`.

We assemble the program ourselves instead of depending on libseccomp bindings: `python3-seccomp` only
serves Debian's system Python and `pyseccomp` needs a shared library at run time, while the program is
small, fixed and easy to review here. bubblewrap loads it with `--seccomp FD` just before the command runs.
"""

from __future__ import annotations

import errno
import os
import struct
from dataclasses import dataclass
from functools import lru_cache

AUDIT_ARCH_X86_64 = 0xC000003E
X32_SYSCALL_BIT = 0x40000000

RET_ALLOW = 0x7FFF0000
RET_KILL_PROCESS = 0x80000000
RET_ERRNO = 0x00050000

# Syscalls that reach across namespaces or into the kernel's global state (x86_64 numbers).
DENIED: dict[str, int] = {
    "add_key": 248,
    "request_key": 249,
    "keyctl": 250,
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "ptrace": 101,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "kcmp": 312,
    "pidfd_getfd": 438,
    "process_madvise": 440,
    "kexec_load": 246,
    "kexec_file_load": 320,
    "init_module": 175,
    "finit_module": 313,
    "delete_module": 176,
    "create_module": 174,
    "get_kernel_syms": 177,
    "query_module": 178,
    "bpf": 321,
    "perf_event_open": 298,
    "userfaultfd": 323,
    "fanotify_init": 300,
    "mount": 165,
    "umount2": 166,
    "pivot_root": 155,
    "chroot": 161,
    "mount_setattr": 442,
    "move_mount": 429,
    "open_tree": 428,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "swapon": 167,
    "swapoff": 168,
    "reboot": 169,
    "setns": 308,
    "unshare": 272,
    "open_by_handle_at": 304,
    "name_to_handle_at": 303,
    "acct": 163,
    "quotactl": 179,
    "quotactl_fd": 443,
    "lookup_dcookie": 212,
    "syslog": 103,
    "uselib": 134,
    "personality": 135,
    "vhangup": 153,
    "settimeofday": 164,
    "clock_settime": 227,
    "clock_adjtime": 305,
    "adjtimex": 159,
    "ioperm": 173,
    "iopl": 172,
    "nfsservctl": 180,
    "afs_syscall": 183,
    "tuxcall": 184,
    "security": 185,
    "vserver": 236,
    "_sysctl": 156,
    "sethostname": 170,
    "setdomainname": 171,
    "mbind": 237,
    "set_mempolicy": 238,
    "migrate_pages": 256,
    "move_pages": 279,
}
NR_CLONE = 56
NR_CLONE3 = 435
NR_SOCKET = 41
NR_SOCKETPAIR = 53
NR_IOCTL = 16

# clone() flags that would create namespaces; clone3() hides its flags in memory a filter cannot read,
# so it answers ENOSYS and the C library falls back to clone(), which we can inspect.
NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x80
ALLOWED_SOCKET_FAMILIES = (1, 2, 10)  # AF_UNIX, AF_INET, AF_INET6 (the box has no network device anyway)
DENIED_IOCTLS = (0x5412, 0x541C)  # TIOCSTI, TIOCLINUX: pushing input into a terminal

_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_JSET_K = 0x45
_RET_K = 0x06

_OFF_NR = 0
_OFF_ARCH = 4
_OFF_ARG0 = 16
_OFF_ARG1 = 24


@dataclass
class _Insn:
    code: int
    k: int
    jt: str | int = 0
    jf: str | int = 0


def _program() -> list[_Insn]:
    prog: list[_Insn] = [
        _Insn(_LD_W_ABS, _OFF_ARCH),
        _Insn(_JEQ_K, AUDIT_ARCH_X86_64, 0, "kill"),
        _Insn(_LD_W_ABS, _OFF_NR),
        _Insn(_JGE_K, X32_SYSCALL_BIT, "eperm", 0),
    ]
    prog += [_Insn(_JEQ_K, nr, "eperm", 0) for nr in sorted(DENIED.values())]
    prog += [
        _Insn(_JEQ_K, NR_CLONE3, "enosys", 0),
        _Insn(_JEQ_K, NR_CLONE, "clone", 0),
        _Insn(_JEQ_K, NR_SOCKET, "socket", 0),
        _Insn(_JEQ_K, NR_SOCKETPAIR, "socket", 0),
        _Insn(_JEQ_K, NR_IOCTL, "ioctl", 0),
        _Insn(_RET_K, RET_ALLOW),
    ]
    labels: dict[str, int] = {}
    labels["clone"] = len(prog)
    prog += [_Insn(_LD_W_ABS, _OFF_ARG0), _Insn(_JSET_K, NAMESPACE_FLAGS, "eperm", "allow")]
    labels["socket"] = len(prog)
    prog += [_Insn(_LD_W_ABS, _OFF_ARG0)]
    prog += [_Insn(_JEQ_K, family, "allow", 0) for family in ALLOWED_SOCKET_FAMILIES]
    prog += [_Insn(_RET_K, RET_ERRNO | errno.EAFNOSUPPORT)]
    labels["ioctl"] = len(prog)
    prog += [_Insn(_LD_W_ABS, _OFF_ARG1)]
    prog += [_Insn(_JEQ_K, request, "eperm", 0) for request in DENIED_IOCTLS]
    for name, ret in (
        ("allow", RET_ALLOW),
        ("eperm", RET_ERRNO | errno.EPERM),
        ("enosys", RET_ERRNO | errno.ENOSYS),
        ("kill", RET_KILL_PROCESS),
    ):
        labels[name] = len(prog)
        prog.append(_Insn(_RET_K, ret))
    # The ioctl block falls through into "allow", which is placed right after it.
    for index, insn in enumerate(prog):
        for attr in ("jt", "jf"):
            target = getattr(insn, attr)
            if isinstance(target, str):
                offset = labels[target] - index - 1
                if not 0 <= offset <= 255:
                    raise ValueError(f"seccomp jump to {target} out of range")
                setattr(insn, attr, offset)
    return prog


@lru_cache(maxsize=1)
def filter_bytes() -> bytes:
    """The compiled filter as bwrap's `--seccomp` expects it: an array of `struct sock_filter`."""
    return b"".join(struct.pack("=HBBI", i.code, int(i.jt), int(i.jf), i.k) for i in _program())


def filter_fd() -> int:
    """A readable fd holding the filter (bwrap reads it to the end); the caller closes it."""
    read_end, write_end = os.pipe()
    data = filter_bytes()
    if len(data) > 60000:
        raise ValueError("seccomp program larger than a pipe buffer")
    os.write(write_end, data)
    os.close(write_end)
    return read_end
