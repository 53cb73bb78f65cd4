"""Field-level encryption of personal data (ID numbers, phones, bank accounts) and blind indexes.

Plain module: no Django models. Keys come from the environment or a key file, never the database.

Keys
    ``FANPIN_DATA_KEYS="kid:base64key,kid2:base64key"`` (first is the primary, used for new values;
    the others only decrypt) and ``FANPIN_INDEX_KEY="kid:base64key"`` (the blind-index key), or a key
    file (``FANPIN_KEY_FILE``, default ``$FANPIN_HOME/keys/data-keys``, mode 0600) with lines::

        data  <kid> <base64 32 bytes>      # first data line = primary
        index <kid> <base64 32 bytes>      # first index line = current blind-index key
        index-next <kid> <base64>          # only while `fanpin keys rotate --index` runs

Ciphertext (a text token, self-describing so rotation and mixed states work)::

    f1.<kid>.<alg>.<base64url(nonce ‖ ciphertext ‖ tag)>

``alg`` is ``ag`` (AES-256-GCM) or ``sg`` (SM4-GCM, 128-bit key derived from the data key). Both are
authenticated (AEAD). The associated data is the token header plus the column name (for example
``registry.member.id_number``), so a value copied to another column or under another key id fails to
decrypt. ``FANPIN_CIPHER=sm4|aes-gcm`` picks the algorithm for new values; old values keep theirs.

Blind index: HMAC-SHA256 with the separate index key over the normalised value (ID numbers: spaces
removed, full-width to half-width, upper-case X; phones and accounts: digits only), prefixed by the
kind, truncated to 32 hex characters. Equal inputs give equal indexes, so exact lookups and dedup work
without decrypting; without the key it cannot be computed from a guessed number.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import stat
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "f1"
PREFIX = VERSION + "."
ALG_AES = "ag"
ALG_SM4 = "sg"
ALG_NAMES = {ALG_AES: "AES-256-GCM", ALG_SM4: "SM4-GCM"}
INDEX_HEX = 32
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16


class CryptoKeyError(Exception):
    """Missing or unusable keys; the message is Chinese and says what to do."""


class DecryptError(ValueError):
    """A token that cannot be decrypted: tampered, wrong column, or its key is not in the keyring."""


def _b64d(text: str) -> bytes:
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _b64e(data: bytes) -> str:
    return binascii.b2a_base64(data, newline=False).translate(_URLSAFE).rstrip(b"=").decode("ascii")


class _Nonces:
    """12-byte random nonces, drawn from os.urandom 4 KiB at a time (one system call per ~340 values)."""

    SIZE = NONCE_BYTES * 341

    def __init__(self):
        self.lock = threading.Lock()
        self.buffer = b""
        self.at = 0

    def take(self) -> bytes:
        with self.lock:
            if self.at >= len(self.buffer):
                self.buffer, self.at = os.urandom(self.SIZE), 0
            at = self.at
            self.at = at + NONCE_BYTES
            return self.buffer[at : at + NONCE_BYTES]

    def reset(self) -> None:
        self.lock = threading.Lock()
        self.buffer, self.at = b"", 0


_nonces = _Nonces()
# A forked child (synth's generator processes, gunicorn workers) must never reuse the parent's buffered
# nonces under the same key: it starts with an empty buffer.
os.register_at_fork(after_in_child=_nonces.reset)


def new_key() -> str:
    """A fresh 256-bit key, base64 text."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def new_kid(prefix: str = "k") -> str:
    """A key id: prefix + date + random suffix (letters/digits only, no dots)."""
    from datetime import date

    return f"{prefix}{date.today():%Y%m%d}{secrets.token_hex(2)}"


def _decode_key(kid: str, text: str, source: str) -> bytes:
    if not kid or not kid.replace("-", "").replace("_", "").isalnum():
        raise CryptoKeyError(f"{source}：密钥编号“{kid}”无效，只能包含字母、数字、- 和 _。")
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise CryptoKeyError(f"{source}：密钥“{kid}”不是有效的 base64 文本。") from None
    if len(raw) != KEY_BYTES:
        raise CryptoKeyError(
            f"{source}：密钥“{kid}”应为 32 字节（base64 编码后 44 个字符），实际 {len(raw)} 字节。"
        )
    return raw


@dataclass
class Keyring:
    data: dict[str, bytes]  # kid -> key, in order; first = primary
    index_kid: str
    index_key: bytes
    index_next: tuple[str, bytes] | None = None
    source: str = ""
    cipher: str = ALG_AES
    _aes: dict = field(default_factory=dict, repr=False)
    _sm4: dict = field(default_factory=dict, repr=False)
    _hmac: hmac.HMAC | None = field(default=None, repr=False)

    @property
    def primary(self) -> str:
        return next(iter(self.data))

    # -- ciphers (built once per key and reused) --
    def aes(self, kid: str) -> AESGCM:
        c = self._aes.get(kid)
        if c is None:
            c = self._aes[kid] = AESGCM(self._key(kid))
        return c

    def sm4_key(self, kid: str) -> bytes:
        k = self._sm4.get(kid)
        if k is None:
            k = self._sm4[kid] = hmac.new(self._key(kid), b"fanpin sm4-gcm key", hashlib.sha256).digest()[:16]
        return k

    def _key(self, kid: str) -> bytes:
        try:
            return self.data[kid]
        except KeyError:
            raise DecryptError(
                f"密钥“{kid}”不在密钥文件中，无法解密。请恢复该密钥（见 docs/security.md）后再试。"
            ) from None

    def index_hmac(self) -> hmac.HMAC:
        if self._hmac is None:
            self._hmac = hmac.new(self.index_key, digestmod=hashlib.sha256)
        return self._hmac


# ---------------------------------------------------------------- loading


def key_file_path() -> Path:
    from fanpin.settings import env

    return env.key_file()


def _parse_env(data_text: str, index_text: str) -> tuple[dict[str, bytes], tuple[str, bytes]]:
    source = "环境变量 FANPIN_DATA_KEYS"
    data: dict[str, bytes] = {}
    for part in data_text.split(","):
        part = part.strip()
        if not part:
            continue
        kid, sep, value = part.partition(":")
        if not sep:
            raise CryptoKeyError(f"{source}：格式应为“编号:base64密钥,编号2:base64密钥”。")
        data[kid.strip()] = _decode_key(kid.strip(), value, source)
    if not data:
        raise CryptoKeyError(f"{source} 为空。")
    if not index_text.strip():
        raise CryptoKeyError(
            "设置了 FANPIN_DATA_KEYS 但没有设置 FANPIN_INDEX_KEY（盲索引密钥，格式“编号:base64密钥”）。"
        )
    kid, sep, value = index_text.strip().partition(":")
    if not sep:
        raise CryptoKeyError("环境变量 FANPIN_INDEX_KEY：格式应为“编号:base64密钥”。")
    return data, (kid.strip(), _decode_key(kid.strip(), value, "环境变量 FANPIN_INDEX_KEY"))


def check_file_mode(path: Path) -> None:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CryptoKeyError(
            f"密钥文件 {path} 的权限是 {stat.filemode(mode)}，同组或其他用户可以读取，已拒绝使用。"
            f"请执行 chmod 600 {path} 后再启动。"
        )


def read_key_file(path: Path) -> dict:
    """{'data': [(kid, key)], 'index': [(kid, key)], 'index-next': [(kid, key)]} from a key file."""
    check_file_mode(path)
    source = f"密钥文件 {path}"
    found: dict[str, list[tuple[str, bytes]]] = {"data": [], "index": [], "index-next": []}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 3 or parts[0] not in found:
            raise CryptoKeyError(f"{source} 第 {number} 行格式不对，应为“data|index 编号 base64密钥”。")
        found[parts[0]].append((parts[1], _decode_key(parts[1], parts[2], f"{source} 第 {number} 行")))
    if not found["data"]:
        raise CryptoKeyError(f"{source} 中没有数据密钥（data 行）。")
    if not found["index"]:
        raise CryptoKeyError(f"{source} 中没有盲索引密钥（index 行）。")
    return found


def write_key_file(path: Path, found: dict) -> None:
    """Write a key file atomically with mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path.parent, 0o700)
    except OSError:
        pass
    lines = [
        "# fanpin 个人信息加密密钥。丢失此文件 = 加密数据永久无法读取。务必与数据库备份分开、妥善备份。",
        "# 第一条 data 行是当前主密钥（加密新数据）；其余 data 行只用于解密旧数据。",
    ]
    for kind in ("data", "index", "index-next"):
        for kid, key in found.get(kind, []):
            lines.append(f"{kind} {kid} {base64.b64encode(key).decode('ascii')}")
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def create_key_file(path: Path | None = None) -> Path:
    """A new key file with one data key and one index key. Refuses to overwrite an existing one."""
    path = path or key_file_path()
    if path.exists():
        raise CryptoKeyError(f"密钥文件 {path} 已存在，未覆盖。")
    found = {
        "data": [(new_kid("k"), base64.b64decode(new_key()))],
        "index": [(new_kid("i"), base64.b64decode(new_key()))],
    }
    write_key_file(path, found)
    reset()
    return path


def load_keyring() -> Keyring:
    from fanpin.settings import env

    cipher = _cipher_setting(env.cipher())
    data_text, index_text = env.data_keys(), env.index_key()
    if data_text:
        data, (ikid, ikey) = _parse_env(data_text, index_text)
        return Keyring(data=data, index_kid=ikid, index_key=ikey, source="环境变量", cipher=cipher)
    path = key_file_path()
    if not path.exists():
        raise CryptoKeyError(
            f"找不到加密密钥：没有设置环境变量 FANPIN_DATA_KEYS，也没有密钥文件 {path}。"
            "系统拒绝在没有密钥时运行，以免把身份证号、电话写成明文。"
            "新安装请执行“fanpin keys init”；已有数据请恢复原来的密钥文件（见 docs/security.md）。"
        )
    found = read_key_file(path)
    nxt = found["index-next"][0] if found["index-next"] else None
    ikid, ikey = found["index"][0]
    return Keyring(
        data=dict(found["data"]),
        index_kid=ikid,
        index_key=ikey,
        index_next=nxt,
        source=str(path),
        cipher=cipher,
    )


def _cipher_setting(value: str) -> str:
    value = (value or "aes-gcm").strip().lower()
    if value in {"aes-gcm", "aes", "aes-256-gcm"}:
        return ALG_AES
    if value in {"sm4", "sm4-gcm"}:
        if not sm4_available():
            raise CryptoKeyError(
                "FANPIN_CIPHER=sm4，但本机安装的 cryptography/OpenSSL 不支持 SM4-GCM。请改用 aes-gcm。"
            )
        return ALG_SM4
    raise CryptoKeyError(f"FANPIN_CIPHER=“{value}”无效，可选 aes-gcm 或 sm4。")


def sm4_available() -> bool:
    try:
        enc = Cipher(algorithms.SM4(b"\0" * 16), modes.GCM(b"\0" * 12)).encryptor()
        enc.update(b"x")
        enc.finalize()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not offered by this build"
        return False


_lock = threading.Lock()
_keyring: Keyring | None = None


def keyring() -> Keyring:
    global _keyring
    kr = _keyring
    if kr is None:
        with _lock:
            if _keyring is None:
                _keyring = load_keyring()
            kr = _keyring
    return kr


def reset() -> None:
    """Forget the loaded keyring (after `keys init`/`rotate`, or in tests that change keys)."""
    global _keyring
    with _lock:
        _keyring = None


def use_keyring(kr: Keyring | None) -> None:
    global _keyring
    with _lock:
        _keyring = kr


# ---------------------------------------------------------------- encrypt / decrypt


def _aad(header: str, column: str) -> bytes:
    return (header + "|" + column).encode("utf-8")


def encrypt(value: str | None, *, column: str, kr: Keyring | None = None) -> str:
    """The token for `value` in `column`. "" and None stay as they are (emptiness is not secret)."""
    if value is None or value == "":
        return value
    kr = kr or keyring()
    return _encrypt(kr, kr.primary, kr.cipher, str(value), column)


def _encrypt(kr: Keyring, kid: str, alg: str, text: str, column: str) -> str:
    header = f"{VERSION}.{kid}.{alg}"
    nonce = _nonces.take()
    data = text.encode("utf-8")
    if alg == ALG_AES:
        sealed = kr.aes(kid).encrypt(nonce, data, _aad(header, column))
    else:
        enc = Cipher(algorithms.SM4(kr.sm4_key(kid)), modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(_aad(header, column))
        sealed = enc.update(data) + enc.finalize() + enc.tag
    return header + "." + _b64e(nonce + sealed)


def is_token(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def token_kid(token: str) -> str | None:
    if not is_token(token):
        return None
    return token.split(".", 3)[1]


def decrypt(token: str | None, *, column: str, kr: Keyring | None = None) -> str:
    """Plain text of a token written for `column`; DecryptError if it was tampered with, belongs to
    another column, or its key is not in the keyring."""
    if token is None or token == "":
        return token
    if not is_token(token):
        raise DecryptError(
            f"{column} 中的值不是密文（可能是未加密的旧数据）。请执行“fanpin keys rotate”加密。"
        )
    kr = kr or keyring()
    try:
        _v, kid, alg, body = token.split(".", 3)
        raw = _b64d(body)
    except ValueError:
        raise DecryptError(f"{column} 中的密文格式已损坏。") from None
    header = f"{_v}.{kid}.{alg}"
    nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    if len(nonce) != NONCE_BYTES or len(sealed) < TAG_BYTES:
        raise DecryptError(f"{column} 中的密文长度不对，已损坏。")
    try:
        if alg == ALG_AES:
            data = kr.aes(kid).decrypt(nonce, sealed, _aad(header, column))
        elif alg == ALG_SM4:
            dec = Cipher(algorithms.SM4(kr.sm4_key(kid)), modes.GCM(nonce, sealed[-TAG_BYTES:])).decryptor()
            dec.authenticate_additional_data(_aad(header, column))
            data = dec.update(sealed[:-TAG_BYTES]) + dec.finalize()
        else:
            raise DecryptError(f"{column} 中的密文使用了未知算法“{alg}”。")
    except InvalidTag:
        raise DecryptError(
            f"{column} 中的密文校验失败：已被篡改、属于其他字段或密钥不对，拒绝解密。"
        ) from None
    return data.decode("utf-8")


def encrypt_many(values: Iterable[str | None], *, column: str, kr: Keyring | None = None) -> list:
    kr = kr or keyring()
    kid, alg = kr.primary, kr.cipher
    return [v if v is None or v == "" else _encrypt(kr, kid, alg, str(v), column) for v in values]


def decrypt_many(tokens: Iterable[str | None], *, column: str, kr: Keyring | None = None) -> list:
    kr = kr or keyring()
    return [decrypt(t, column=column, kr=kr) for t in tokens]


def needs_reencrypt(token: str | None, kr: Keyring | None = None) -> bool:
    """True when a stored value is not under the primary key and current algorithm (or is plaintext)."""
    if token is None or token == "":
        return False
    kr = kr or keyring()
    if not is_token(token):
        return True
    parts = token.split(".", 3)
    return parts[1] != kr.primary or parts[2] != kr.cipher


def reencrypt(token: str | None, *, column: str, kr: Keyring | None = None) -> str | None:
    """The same value under the primary key; plaintext (a legacy row) is encrypted."""
    kr = kr or keyring()
    if not needs_reencrypt(token, kr):
        return token
    plain = decrypt(token, column=column, kr=kr) if is_token(token) else token
    return _encrypt(kr, kr.primary, kr.cipher, plain, column)


# ---------------------------------------------------------------- blind index


def normalize(value: str | None, kind: str) -> str:
    """The canonical form a blind index is computed over."""
    text = str(value or "")
    if kind == "id" and text.isascii() and text.isalnum():  # the usual case: nothing to normalise
        return text.upper()
    text = unicodedata.normalize("NFKC", text)  # full-width digits, X and spaces → ASCII
    if kind == "id":
        return "".join(text.split()).upper()
    if kind in {"phone", "account"}:
        return "".join(ch for ch in text if ch.isdigit())
    return text.strip()


def blind_index(value: str | None, *, kind: str, kr: Keyring | None = None, key: bytes | None = None) -> str:
    """32 hex characters of HMAC-SHA256(index key, kind ‖ normalised value); "" for an empty value."""
    norm = normalize(value, kind)
    if not norm:
        return ""
    if key is not None:
        mac = hmac.new(key, digestmod=hashlib.sha256)
    else:
        mac = (kr or keyring()).index_hmac().copy()
    mac.update(kind.encode("ascii") + b":" + norm.encode("utf-8"))
    return mac.hexdigest()[:INDEX_HEX]


def blind_index_many(
    values: Iterable[str | None], *, kind: str, kr: Keyring | None = None, key: bytes | None = None
) -> list[str]:
    base = hmac.new(key, digestmod=hashlib.sha256) if key is not None else (kr or keyring()).index_hmac()
    prefix = kind.encode("ascii") + b":"
    out = []
    for value in values:
        norm = normalize(value, kind)
        if not norm:
            out.append("")
            continue
        mac = base.copy()
        mac.update(prefix + norm.encode("utf-8"))
        out.append(mac.hexdigest()[:INDEX_HEX])
    return out


def check_keys() -> Keyring:
    """Load the keyring and prove it works (used at start-up: the app refuses to run without keys)."""
    kr = keyring()
    token = encrypt("check", column="core.crypto.check", kr=kr)
    if decrypt(token, column="core.crypto.check", kr=kr) != "check":  # pragma: no cover - defensive
        raise CryptoKeyError("密钥自检失败。")
    return kr
