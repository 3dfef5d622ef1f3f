"""Reading delivered files safely: regular files only, the size limit enforced while reading, encodings named.

- A symlink is followed only when its target is inside the folder being ingested or the project's corpus
  folder, and refused otherwise (said which); a broken link, a FIFO, a device, a socket or a folder named
  like an article is a clear problem, never a hang: the type is checked with stat before opening, the
  file is opened with O_NONBLOCK, and checked again on the open descriptor.
- At most `max_bytes + 1` bytes are ever read, so a file that grows (or a link to /dev/zero) cannot.
- Text must be UTF-8; UTF-16 (a byte order mark), Latin-1/Windows-1252 and Windows-1256 are named with the
  `iconv` command that converts them.
- Every message that quotes a name or a value escapes control characters (`safe`), so a file name or
  an article cannot send escape sequences to the user's terminal.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from goldkit.schema.loading import schema_value

# suffix -> SourceFormat; the longest suffix wins (.warc.gz before .gz)
FORMATS = {
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".warc": "warc",
    ".warc.gz": "warc",
    ".jsonl": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
}
_CHUNK = 1 << 20
# C0 and C1 controls, DEL, and the bidirectional overrides/isolates that reorder what a terminal shows
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class FileProblem(Exception):
    """One input (a file, or one record of it) is unusable; the message says why and how to fix it."""


def safe(text: object) -> str:
    """Return text with control characters escaped (\\x1b, \\n …), fit to print in a message."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def source_format(path: Path) -> str | None:
    """The SourceFormat of a file, from its name (None: not a format goldkit reads)."""
    name = path.name.lower()
    for suffix in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return schema_value("SourceFormat", FORMATS[suffix])
    return None


def checked_target(path: Path, allowed_roots: Iterable[Path]) -> tuple[Path, str | None]:
    """Return (the regular file to read, a note when a symlink was followed); raise FileProblem otherwise."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        raise FileProblem("no such file or folder — check the path") from None
    note = None
    target = path
    if stat.S_ISLNK(info.st_mode):
        target = Path(os.path.realpath(path))
        if not target.exists():
            raise FileProblem(f"broken symlink (points to {safe(os.readlink(path))}) — fix the link or remove it")
        roots = [Path(os.path.realpath(root)) for root in allowed_roots]
        if not any(target == root or target.is_relative_to(root) for root in roots):
            raise FileProblem(
                f"symlink to {safe(target)}, outside the corpus — goldkit follows links only inside the corpus "
                "folder; copy the file into it instead"
            )
        note = f"symlink followed to {target} (inside the corpus)"
        info = target.stat()
    _require_regular(info.st_mode)
    return target, note


def _require_regular(mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kind = (
        "a folder"
        if stat.S_ISDIR(mode)
        else "a named pipe (FIFO)"
        if stat.S_ISFIFO(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    raise FileProblem(f"{kind}, not a regular file — ingest reads regular files only; remove it or rename it")


def open_regular(path: Path) -> int:
    """Open a regular file for reading without ever blocking (O_NONBLOCK), checked again once open."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except PermissionError:
        raise FileProblem("not readable (permission denied) — give goldkit read access, e.g. chmod a+r") from None
    except OSError as e:
        raise FileProblem(f"cannot be opened: {safe(e.strerror)}") from None
    try:
        _require_regular(os.fstat(fd).st_mode)
        os.set_blocking(fd, True)  # a regular file never blocks; plain reads from here on
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_limited(path: Path, max_bytes: int) -> bytes:
    """Read a regular file, refusing it as soon as more than max_bytes have been read."""
    fd = open_regular(path)
    chunks: list[bytes] = []
    size = 0
    try:
        if (stated := os.fstat(fd).st_size) > max_bytes:
            raise FileProblem(
                f"{stated:,} bytes, over the limit of {max_bytes:,} — split the file or raise --max-bytes"
            )
        while chunk := os.read(fd, min(_CHUNK, max_bytes + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise FileProblem(f"grew past the limit of {max_bytes:,} bytes while read — raise --max-bytes")
    finally:
        os.close(fd)
    return b"".join(chunks)


def decode_text(data: bytes) -> tuple[str, list[str]]:
    """Return UTF-8 bytes as text and the normalizations applied; raise FileProblem naming the encoding."""
    normalizations: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        order = "little" if data.startswith(b"\xff\xfe") else "big"
        raise FileProblem(
            f"UTF-16 ({order}-endian, byte order mark {data[:2].hex(' ').upper()}), not UTF-8 — "
            f"convert it: iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8"
        )
    if (nul := data.find(b"\x00")) >= 0:
        raise FileProblem(f"binary file (NUL byte at byte {nul}) — not an article; remove it")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        normalizations.append(schema_value("Normalization", "bom_removed"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        offset = e.start + (3 if normalizations else 0)
        if _looks_binary(data):
            raise FileProblem(f"binary file (undecodable from byte {offset}) — not an article; remove it") from e
        encoding, iconv = _guess_encoding(data)
        raise FileProblem(
            f"not UTF-8 at byte {offset} (0x{data[e.start]:02x}); it looks like {encoding} — "
            f"re-save it as UTF-8: iconv -f {iconv} -t UTF-8 FILE > FILE.utf8"
        ) from e
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
        normalizations.append(schema_value("Normalization", "crlf_to_lf"))
    if not text.strip():
        raise FileProblem(f"empty file ({len(data)} bytes, no text) — put the article text in it or remove it")
    return text, normalizations


def _looks_binary(data: bytes) -> bool:
    control = sum(1 for byte in data[:4096] if byte < 0x09 or 0x0E <= byte < 0x20)
    return control > len(data[:4096]) * 0.1


def _guess_encoding(data: bytes) -> tuple[str, str]:
    """Name the likely 8-bit encoding: Arabic Windows-1256 writes words as runs of high bytes, Latin-1 as
    single accented letters between ASCII ones; bytes 0x80-0x9F are printable only in Windows-125x."""
    high = [i for i, byte in enumerate(data) if byte >= 0x80]
    in_runs = sum(1 for i in high if (i > 0 and data[i - 1] >= 0x80) or (i + 1 < len(data) and data[i + 1] >= 0x80))
    if high and in_runs >= 0.8 * len(high) and _arabic_share(data) >= 0.6:
        return "Windows-1256 (Arabic)", "CP1256"
    if any(0x80 <= data[i] <= 0x9F for i in high):
        return "Windows-1252 (Western European)", "CP1252"
    return "Latin-1 (ISO-8859-1)", "LATIN1"


def _arabic_share(data: bytes) -> float:
    text = data.decode("cp1256", errors="replace")
    letters = [ch for ch in text if ord(ch) >= 0x80 and ch.isalpha()]
    return sum("\u0600" <= ch <= "\u06ff" for ch in letters) / max(len(letters), 1)
