"""core/crypto.py: authenticated field encryption, blind indexes, keys from the environment or a key file."""

from __future__ import annotations

import base64
import os

import pytest

from fanpin.core import crypto

ID = "140321198001011234"


def _keyring(*kids: str, cipher: str = crypto.ALG_AES, index: bytes | None = None) -> crypto.Keyring:
    return crypto.Keyring(
        data={kid: os.urandom(32) for kid in kids},
        index_kid="i1",
        index_key=index or os.urandom(32),
        cipher=cipher,
    )


@pytest.mark.parametrize("cipher", [crypto.ALG_AES, crypto.ALG_SM4])
def test_round_trip_and_self_describing_token(cipher):
    if cipher == crypto.ALG_SM4 and not crypto.sm4_available():
        pytest.skip("this cryptography build has no SM4-GCM")
    kr = _keyring("k1", cipher=cipher)
    token = crypto.encrypt(ID, column="registry.member.id_number", kr=kr)
    assert ID not in token
    assert token.startswith(f"f1.k1.{cipher}.")
    assert crypto.decrypt(token, column="registry.member.id_number", kr=kr) == ID
    # a fresh nonce each time: the same number never gives the same token
    assert crypto.encrypt(ID, column="registry.member.id_number", kr=kr) != token
    assert crypto.decrypt_many(
        crypto.encrypt_many([ID, "", None, "一卡通 6217"], column="c", kr=kr), column="c", kr=kr
    ) == [ID, "", None, "一卡通 6217"]


def test_tampered_token_is_refused():
    kr = _keyring("k1")
    token = crypto.encrypt(ID, column="registry.member.id_number", kr=kr)
    body = bytearray(crypto._b64d(token.split(".", 3)[3]))
    body[14] ^= 0x01
    tampered = ".".join(token.split(".")[:3]) + "." + crypto._b64e(bytes(body))
    with pytest.raises(crypto.DecryptError, match="篡改"):
        crypto.decrypt(tampered, column="registry.member.id_number", kr=kr)
    # header changed to claim another algorithm / version also fails
    with pytest.raises(crypto.DecryptError):
        crypto.decrypt(token.replace(".ag.", ".sg."), column="registry.member.id_number", kr=kr)


def test_token_copied_to_another_column_is_refused():
    kr = _keyring("k1")
    token = crypto.encrypt("13800001234", column="registry.member.phone", kr=kr)
    with pytest.raises(crypto.DecryptError, match="其他字段"):
        crypto.decrypt(token, column="registry.household.phone", kr=kr)


def test_wrong_or_missing_key_is_refused():
    a, b = _keyring("k1"), _keyring("k1")
    token = crypto.encrypt(ID, column="c", kr=a)
    with pytest.raises(crypto.DecryptError):
        crypto.decrypt(token, column="c", kr=b)
    with pytest.raises(crypto.DecryptError, match="不在密钥文件中"):
        crypto.decrypt(token, column="c", kr=_keyring("k2"))
    with pytest.raises(crypto.DecryptError, match="不是密文"):
        crypto.decrypt(ID, column="c", kr=a)


def test_rotation_keeps_old_tokens_readable_then_reencrypts():
    old = _keyring("k1")
    token = crypto.encrypt(ID, column="c", kr=old)
    both = crypto.Keyring(
        data={"k2": os.urandom(32), "k1": old.data["k1"]}, index_kid="i1", index_key=old.index_key
    )
    assert crypto.decrypt(token, column="c", kr=both) == ID
    assert crypto.needs_reencrypt(token, both)
    new_token = crypto.reencrypt(token, column="c", kr=both)
    assert crypto.token_kid(new_token) == "k2" and not crypto.needs_reencrypt(new_token, both)
    assert crypto.reencrypt(new_token, column="c", kr=both) == new_token  # idempotent
    only_new = crypto.Keyring(data={"k2": both.data["k2"]}, index_kid="i1", index_key=old.index_key)
    assert crypto.decrypt(new_token, column="c", kr=only_new) == ID
    # plaintext left over from before encryption is encrypted by reencrypt
    assert crypto.decrypt(crypto.reencrypt(ID, column="c", kr=both), column="c", kr=both) == ID


def test_blind_index_normalises_and_depends_on_key():
    kr = _keyring("k1")
    idx = crypto.blind_index(ID[:-1] + "X", kind="id", kr=kr)
    assert len(idx) == 32 and int(idx, 16) >= 0
    assert crypto.blind_index(" １４０３２１１９８００１０１１２３ｘ ", kind="id", kr=kr) == idx
    assert crypto.blind_index(ID[:-1] + "x", kind="id", kr=kr) == idx
    assert crypto.blind_index(ID, kind="id", kr=kr) != idx
    assert crypto.blind_index("138-0000 1234", kind="phone", kr=kr) == crypto.blind_index(
        "13800001234", kind="phone", kr=kr
    )
    # the kind is part of the hash: a phone and an account with the same digits differ
    assert crypto.blind_index("13800001234", kind="phone", kr=kr) != crypto.blind_index(
        "13800001234", kind="account", kr=kr
    )
    assert crypto.blind_index("", kind="id", kr=kr) == ""
    assert crypto.blind_index(ID, kind="id", kr=_keyring("k1")) != crypto.blind_index(ID, kind="id", kr=kr)
    assert crypto.blind_index_many([ID, "", ID.lower()], kind="id", kr=kr) == [
        crypto.blind_index(ID, kind="id", kr=kr),
        "",
        crypto.blind_index(ID, kind="id", kr=kr),
    ]


@pytest.fixture
def no_env_keys(monkeypatch, tmp_path):
    monkeypatch.delenv("FANPIN_DATA_KEYS", raising=False)
    monkeypatch.delenv("FANPIN_INDEX_KEY", raising=False)
    monkeypatch.setenv("FANPIN_KEY_FILE", str(tmp_path / "keys" / "data-keys"))
    crypto.reset()
    yield tmp_path / "keys" / "data-keys"
    crypto.reset()


def test_missing_key_gives_a_clear_chinese_error(no_env_keys):
    with pytest.raises(crypto.CryptoKeyError, match="找不到加密密钥.*fanpin keys init"):
        crypto.encrypt(ID, column="c")


def test_key_file_created_with_mode_0600_and_used(no_env_keys):
    path = crypto.create_key_file()
    assert path == no_env_keys
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    token = crypto.encrypt(ID, column="c")
    crypto.reset()
    assert crypto.decrypt(token, column="c") == ID
    with pytest.raises(crypto.CryptoKeyError, match="已存在"):
        crypto.create_key_file()


def test_group_readable_key_file_is_refused(no_env_keys):
    path = crypto.create_key_file()
    os.chmod(path, 0o640)
    crypto.reset()
    with pytest.raises(crypto.CryptoKeyError, match="chmod 600"):
        crypto.encrypt(ID, column="c")


def test_keys_from_environment(monkeypatch):
    key = base64.b64encode(os.urandom(32)).decode()
    old = base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("FANPIN_DATA_KEYS", f"prod2:{key},prod1:{old}")
    monkeypatch.setenv("FANPIN_INDEX_KEY", f"idx1:{base64.b64encode(os.urandom(32)).decode()}")
    crypto.reset()
    try:
        kr = crypto.keyring()
        assert kr.primary == "prod2" and set(kr.data) == {"prod1", "prod2"}
        assert crypto.token_kid(crypto.encrypt(ID, column="c")) == "prod2"
        monkeypatch.setenv("FANPIN_DATA_KEYS", "prod2:short")
        crypto.reset()
        with pytest.raises(crypto.CryptoKeyError, match="32 字节|base64"):
            crypto.keyring()
    finally:
        crypto.reset()


def test_forked_children_never_reuse_nonces():
    kr = _keyring("k1")
    crypto.encrypt("warm up the nonce buffer", column="c", kr=kr)
    read, write = os.pipe()
    pids = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:  # child: a few tokens' nonces back to the parent
            os.close(read)
            nonces = [
                crypto._b64d(crypto.encrypt(ID, column="c", kr=kr).split(".")[3])[:12] for _ in range(5)
            ]
            os.write(write, b"".join(nonces))
            os._exit(0)
        pids.append(pid)
    os.close(write)
    for pid in pids:
        os.waitpid(pid, 0)
    data = b""
    while chunk := os.read(read, 4096):
        data += chunk
    os.close(read)
    mine = [crypto._b64d(crypto.encrypt(ID, column="c", kr=kr).split(".")[3])[:12] for _ in range(5)]
    nonces = [data[i : i + 12] for i in range(0, len(data), 12)] + mine
    assert len(nonces) == 15 and len(set(nonces)) == 15
