"""Run one command and print "<wall seconds> <peak RSS MB>" of it on stdout.

A child's peak RSS starts at its parent's size (the fork copies it), so the bench process, which
grows as it runs, measures commands through this small process instead of forking them itself.
"""

import os
import subprocess
import sys
import time

start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(proc.pid, 0)
elapsed = time.perf_counter() - start
if os.waitstatus_to_exitcode(status) != 0:
    sys.stderr.write(proc.stderr.read().decode()[-500:])
    sys.exit(1)
print(f"{elapsed} {usage.ru_maxrss / 1024}")
