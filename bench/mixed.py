"""Mixed workload for bench/run.sh: some interpreter compute plus a few
hundred small file operations (create, write, read back, stat, unlink)."""
import hashlib
import os
import tempfile

FILES = 300

digest = hashlib.sha256()
with tempfile.TemporaryDirectory(prefix="rewind-bench-") as d:
    for i in range(FILES):
        path = os.path.join(d, "f%03d.txt" % i)
        with open(path, "w") as f:
            f.write(("line %d\n" % i) * 50)
        with open(path) as f:
            digest.update(f.read().encode())
        digest.update(str(os.stat(path).st_size).encode())
    names = sorted(os.listdir(d))
    for name in names:
        os.unlink(os.path.join(d, name))

total = sum(i * i % 7 for i in range(5_000_000))
print(len(names), digest.hexdigest()[:16], total)
