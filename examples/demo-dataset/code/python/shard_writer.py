"""Write JSON Lines records into size-limited, numbered shards.

Used by the nightly export of the landing book; no licence header, the repository's LICENSE-MIT and
LICENSE-APACHE apply.
"""

import gzip
import json
import os


class ShardWriter:
    def __init__(self, folder: str, prefix: str, max_bytes: int = 64 * 1024 * 1024):
        self.folder = folder
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.index = 0
        self.written = 0
        self._file = None
        os.makedirs(folder, exist_ok=True)

    def _open(self):
        name = f"{self.prefix}-{self.index:05d}.jsonl.gz"
        self._file = gzip.open(os.path.join(self.folder, name), "wt", encoding="utf-8")
        self.written = 0

    def write(self, record: dict) -> None:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        if self._file is None or self.written + len(line) > self.max_bytes:
            self.close()
            self._open()
        self._file.write(line)
        self.written += len(line)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            self.index += 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
