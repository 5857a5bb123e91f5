"""Where a model bundle comes from: Ed25519 signatures of its manifest, and the keys trusted to sign.

The hashes of a bundle (:mod:`engine.bundle`) prove its files are the ones its manifest lists,
not who wrote the manifest: anyone can edit the threshold and recompute them. So a bundle is used
only if it is **the bundle shipped** in the app's read-only resources, or if it is **signed by a
trusted key**: a risk team signs the manifest's digest with its private key (``creditscore
sign``), which writes ``signature.json`` beside the manifest; the app checks it against the public
keys shipped in ``resources/keys/`` and those given with ``--trust``.

Keys are PEM files: ``NAME.key`` (private, PKCS#8, written 0600, never shipped) and ``NAME.pub``
(public, SubjectPublicKeyInfo). A key's id is the SHA-256 of its raw 32-byte public key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from engine.bundle import Bundle, BundleError, load_bundle, verified_manifest
from engine.resources import default_bundle, trusted_keys_dir

log = logging.getLogger(__name__)

SIGNATURE_FILE = "signature.json"
SIGNATURE_FORMAT = "creditscore-bundle-signature"
ALGORITHM = "Ed25519"
PRIVATE_SUFFIX = ".key"
PUBLIC_SUFFIX = ".pub"


class SigningError(BundleError):
    """A bundle whose origin is not established (unsigned, untrusted key, bad signature), or a key
    file that cannot be used: a code and its values (which file), worded from ``resources/i18n/bundle.json``
    with what to do."""


@dataclass(frozen=True)
class KeyPair:
    private: Path
    public: Path
    key_id: str


def key_id(public_key: Ed25519PublicKey) -> str:
    """The key's fingerprint: SHA-256 of its raw public bytes, in hex."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def new_key_pair(folder: Path | str, name: str = "signing") -> KeyPair:
    """Write a new Ed25519 key pair as ``folder/NAME.key`` (mode 0600) and ``folder/NAME.pub``;
    an existing key is never overwritten."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    private_path, public_path = folder / f"{name}{PRIVATE_SUFFIX}", folder / f"{name}{PUBLIC_SUFFIX}"
    for path in (private_path, public_path):
        if path.exists():
            raise SigningError("key_exists", path=str(path))
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Created 0600 in one step (never readable by others, even for an instant); on Windows the
    # profile's ACLs protect it.
    with os.fdopen(os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
        fh.write(pem)
    public = private.public_key()
    public_path.write_bytes(
        public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    log.info("key pair written: %s (private), %s (public)", private_path, public_path)
    return KeyPair(private_path, public_path, key_id(public))


def _read_key(path: Path, loader, kind: type, which: Literal["private", "public"]):
    """The key of type ``kind`` in ``path``; ``which`` key it is words the refusals."""
    try:
        key = loader(Path(path).read_bytes())
    except OSError as exc:
        raise SigningError(f"{which}_key_unreadable", path=str(path), detail=exc.strerror or str(exc)) from exc
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise SigningError(f"{which}_key_invalid", path=str(path), detail=str(exc)) from exc
    if not isinstance(key, kind):
        raise SigningError(f"{which}_key_invalid", path=str(path), detail=f"{type(key).__name__}, not {ALGORITHM}")
    return key


def load_private_key(path: Path | str) -> Ed25519PrivateKey:
    """The private key in ``path``; a warning if others than its owner may read it (POSIX)."""
    if os.name == "posix" and Path(path).is_file() and Path(path).stat().st_mode & 0o077:
        log.warning("%s can be read by other users than its owner: restrict it (chmod 600 %s)", path, path)
    return _read_key(
        path, lambda data: serialization.load_pem_private_key(data, password=None), Ed25519PrivateKey, "private"
    )


def load_public_key(path: Path | str) -> Ed25519PublicKey:
    return _read_key(path, serialization.load_pem_public_key, Ed25519PublicKey, "public")


def trusted_keys(extra: Iterable[Path | str] = ()) -> dict[str, Ed25519PublicKey]:
    """The keys whose signatures are accepted, by id: ``resources/keys/*.pub`` and ``extra``
    (public key files, or folders of ``*.pub`` files)."""
    files = sorted(trusted_keys_dir().glob(f"*{PUBLIC_SUFFIX}"))
    for item in map(Path, extra):
        if item.is_dir():
            files.extend(sorted(item.glob(f"*{PUBLIC_SUFFIX}")))
        elif item.is_file():
            files.append(item)
        else:
            raise SigningError("no_such_key", path=str(item))
    keys = {}
    for file in files:
        key = load_public_key(file)
        keys[key_id(key)] = key
    return keys


def _message(manifest_sha256: str) -> bytes:
    """What is signed: the manifest's digest, tagged so a signature means nothing elsewhere."""
    return f"{SIGNATURE_FORMAT}\n{manifest_sha256}".encode()


def sign_bundle(bundle: Path | str, private_key: Path | str) -> dict:
    """Sign the bundle's manifest digest with ``private_key``, once the bundle's hashes are checked;
    writes ``signature.json`` in the bundle and returns its content."""
    bundle = Path(bundle)
    digest = verified_manifest(bundle)["manifest_sha256"]
    key = load_private_key(private_key)
    record = {
        "format": SIGNATURE_FORMAT,
        "algorithm": ALGORITHM,
        "key_id": key_id(key.public_key()),
        "manifest_sha256": digest,
        "signature": base64.b64encode(key.sign(_message(digest))).decode("ascii"),
        "signed": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    (bundle / SIGNATURE_FILE).write_text(json.dumps(record, indent=1) + "\n", "utf-8")
    log.info("bundle %s signed by key %s", bundle, record["key_id"])
    return record


def is_shipped(bundle: Path | str) -> bool:
    """True for the bundle inside the app's own resources (trusted by being shipped with it)."""
    return Path(bundle).resolve() == default_bundle().resolve()


def check_origin(bundle: Path | str, digest: str, trust: Iterable[Path | str] = ()) -> str:
    """Raise :class:`SigningError` unless the bundle (whose manifest, of SHA-256 ``digest``, is verified) is the shipped
    one or signed by a trusted key; returns ``"shipped"`` or the signing key's id."""
    bundle = Path(bundle)
    if is_shipped(bundle):
        return "shipped"
    keys = trusted_keys(trust)  # first: a --trust file that is not a key is reported as such
    path = bundle / SIGNATURE_FILE
    if not path.is_file():  # the words of both refusals say how a model is signed and trusted
        raise SigningError("not_signed", bundle=str(bundle), signature=SIGNATURE_FILE)
    try:
        record = json.loads(path.read_text("utf-8"))
        signer, signed_digest = record["key_id"], record["manifest_sha256"]
        signature = base64.b64decode(record["signature"], validate=True)
        if record["format"] != SIGNATURE_FORMAT or record["algorithm"] != ALGORITHM:
            raise ValueError(f"not a {SIGNATURE_FORMAT} with {ALGORITHM}")
    except (OSError, KeyError, TypeError, ValueError) as exc:  # JSON, UTF-8 and base64 errors are ValueErrors
        raise SigningError("signature_unreadable", file=str(path), detail=str(exc)) from exc
    key = keys.get(signer)
    if key is None:
        raise SigningError("untrusted_key", bundle=str(bundle), key_id=signer)
    if signed_digest != digest or not _verifies(key, signature, digest):
        raise SigningError("signature_mismatch", file=str(path), bundle=str(bundle))
    log.info("bundle %s signed by trusted key %s", bundle, signer)
    return signer


def _verifies(key: Ed25519PublicKey, signature: bytes, manifest_sha256: str) -> bool:
    try:
        key.verify(signature, _message(manifest_sha256))
    except InvalidSignature:
        return False
    return True


def verified_origin(bundle: Path | str, trust: Iterable[Path | str] = ()) -> dict:
    """The bundle's manifest once its hashes and its origin are checked (no model is parsed: the app
    checks its bundle this way at start)."""
    manifest = verified_manifest(Path(bundle))
    check_origin(bundle, manifest["manifest_sha256"], trust)
    return manifest


def load_trusted_bundle(bundle: Path | str, trust: Iterable[Path | str] = ()) -> Bundle:
    """Load a bundle for scoring: verified (:func:`engine.bundle.load_bundle`) and of a trusted origin."""
    loaded = load_bundle(bundle)
    check_origin(loaded.path, loaded.id, trust)
    return loaded
