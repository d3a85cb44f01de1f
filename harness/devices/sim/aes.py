"""AES-128-CBC with PKCS#7 padding, in pure Python, for the reference device's encrypted
``send`` actions (apps that encrypt what they upload, as many SDKs do).

The harness has no cryptography library among its core dependencies and the reference device
must stay deterministic and dependency-free, so the models' payloads are encrypted here; the
unit tests check every output against the ``cryptography`` package (FIPS-197 vectors too). Slow
(tens of microseconds per block) and not constant-time: fit for simulated payloads, never for
protecting anything.
"""

from __future__ import annotations

__all__ = ["aes128_cbc_encrypt", "encrypt_block"]


def _xtime(a: int) -> int:
    a <<= 1
    return (a ^ 0x11B) & 0xFF if a & 0x100 else a


def _make_sbox() -> list[int]:
    # the multiplicative inverse in GF(2^8) (from powers of the generator 3) followed by the
    # affine map (FIPS-197 5.1.1)
    exp = [0] * 255
    log = [0] * 256
    x = 1
    for i in range(255):
        exp[i] = x
        log[x] = i
        x ^= _xtime(x)  # x * 3
    inv = [0] + [exp[(255 - log[a]) % 255] for a in range(1, 256)]
    box = []
    for a in range(256):
        b = inv[a]
        s = b
        for i in range(1, 5):
            s ^= ((b << i) | (b >> (8 - i))) & 0xFF
        box.append(s ^ 0x63)
    return box


_SBOX = _make_sbox()


def _expand(key: bytes) -> list[list[int]]:
    if len(key) != 16:
        raise ValueError("AES-128 needs a 16-byte key")
    words = [list(key[i : i + 4]) for i in range(0, 16, 4)]
    rcon = 1
    for i in range(4, 44):
        w = list(words[i - 1])
        if i % 4 == 0:
            w = w[1:] + w[:1]
            w = [_SBOX[b] for b in w]
            w[0] ^= rcon
            rcon = _xtime(rcon)
        words.append([a ^ b for a, b in zip(words[i - 4], w, strict=True)])
    return [sum(words[r * 4 : r * 4 + 4], []) for r in range(11)]


def encrypt_block(block: bytes, key: bytes, _keys: list[list[int]] | None = None) -> bytes:
    """One 16-byte block encrypted under a 16-byte key."""
    keys = _keys if _keys is not None else _expand(key)
    s = [b ^ k for b, k in zip(block, keys[0], strict=True)]
    for rnd in range(1, 11):
        s = [_SBOX[b] for b in s]
        # ShiftRows: row r (bytes r, r+4, r+8, r+12) rotates left by r
        s = [s[(i + 4 * (i % 4)) % 16] for i in range(16)]
        if rnd != 10:
            out = []
            for c in range(4):
                a = s[4 * c : 4 * c + 4]
                t = a[0] ^ a[1] ^ a[2] ^ a[3]
                out += [a[i] ^ t ^ _xtime(a[i] ^ a[(i + 1) % 4]) for i in range(4)]
            s = out
        s = [b ^ k for b, k in zip(s, keys[rnd], strict=True)]
    return bytes(s)


def aes128_cbc_encrypt(plain: bytes, key: bytes, iv: bytes) -> bytes:
    """AES-128-CBC of ``plain`` with PKCS#7 padding (what Java calls AES/CBC/PKCS5Padding)."""
    if len(iv) != 16:
        raise ValueError("the IV must be 16 bytes")
    keys = _expand(key)
    pad = 16 - len(plain) % 16
    data = plain + bytes([pad]) * pad
    prev = iv
    out = bytearray()
    for i in range(0, len(data), 16):
        block = bytes(a ^ b for a, b in zip(data[i : i + 16], prev, strict=True))
        prev = encrypt_block(block, key, keys)
        out += prev
    return bytes(out)
