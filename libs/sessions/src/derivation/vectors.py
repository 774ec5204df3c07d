#!/usr/bin/env python3
"""Known-answer vectors for libs/sessions/src/derivation, computed independently of the TypeScript code
(hmac/hashlib only; HKDF written here from RFC 5869). Run: python3 libs/sessions/src/derivation/vectors.py"""
import base64, hashlib, hmac


def hkdf(ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:  # RFC 5869, SHA-256
    prk = hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()
    okm, block, counter = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm, counter = okm + block, counter + 1
    return okm[:length]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def otp(master: bytes, token_id: str, session_id: str, random_hex: str) -> str:  # spec §6.1
    k = hkdf(master, bytes.fromhex(random_hex), f"IDToken/v1/otp|{token_id}|{session_id}".encode(), 32)
    h = mac(k, session_id)
    offset = h[31] & 0x0F
    o = int.from_bytes(h[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{o % 1_000_000:06d}"


MASTER = bytes(range(32))
TOKEN_ID = "3f1c0c3e-9c1d-4c43-9a55-1c1f4b9e7a10"
SESSION_ID = "sess_AAECAwQFBgcICQoLDA0ODw"
RANDOM = "00112233445566778899aabbccddeeff"
EXPIRES_AT = 1767225660
SERVICE_ID = "shop"
JWT = "a.b.c"

ws_token = b64url(mac(hkdf(MASTER, b"", b"IDToken/v1/ws", 32), f"{SESSION_ID}|{EXPIRES_AT}"))
print("OTP              ", otp(MASTER, TOKEN_ID, SESSION_ID, RANDOM))
print("OTP_CLAIMS_ONLY  ", otp(MASTER, "", SESSION_ID, RANDOM))
print("WS_TOKEN         ", ws_token)
print("APPROVAL_HASH    ", b64url(mac(base64.urlsafe_b64decode(ws_token + "="), f"approved|{SESSION_ID}|{RANDOM}|{JWT}")))
print("PAIRWISE_SUB     ", b64url(mac(hkdf(MASTER, b"", b"IDToken/v1/pairwise-sub", 32), f"{SERVICE_ID}|{TOKEN_ID}")))
