"""Issue 12, finding 12: a model's origin is checked, not only its hashes.

A bundle copied from the shipped one, its threshold set to 0.99 and its hashes recomputed, passes
the hash checks (it would accept everyone): it is refused unless signed by a trusted key. Keys are
generated at run time; no private key is ever committed.
"""

from __future__ import annotations

import base64
import json
import shutil
import stat
import sys

import pytest

from desktop.cli import main
from desktop.context import AppContext
from desktop.startup import problem_page
from desktop.window import Launch
from engine.bundle import MANIFEST_FILE, BundleError, load_bundle
from engine.resources import default_bundle
from engine.signing import (
    SIGNATURE_FILE,
    SigningError,
    key_id,
    load_public_key,
    load_trusted_bundle,
    new_key_pair,
    sign_bundle,
    trusted_keys,
)
from bundle_helpers import edit_manifest, forged_bundle


@pytest.fixture
def forged(tmp_path):
    """The shipped bundle, copied, with its threshold set to 0.99 and its hashes recomputed."""
    return forged_bundle(tmp_path / "forged")


@pytest.fixture
def keys(tmp_path):
    """The risk team's key pair, made now."""
    return new_key_pair(tmp_path / "keys", "risk-team")


@pytest.fixture
def application(small_batch):
    """300 real demo clients with their history (CSV files)."""
    return str(small_batch)


def test_the_forged_bundle_passes_the_hashes_but_is_refused_for_its_origin(forged):
    assert load_bundle(forged).threshold == 0.99  # the finding: integrity holds, origin is unknown
    with pytest.raises(SigningError, match="is not signed"):
        load_trusted_bundle(forged)


def test_the_cli_refuses_the_forged_bundle_with_exit_2_and_says_how_to_sign(forged, application, capsys):
    assert main(["score", application, "--bundle", str(forged)]) == 2
    err = capsys.readouterr().err
    assert "is not signed" in err and "creditscore sign" in err and "--trust" in err
    assert "Traceback" not in err


def test_keygen_sign_and_trust_with_the_cli_accept_the_bundle(forged, application, tmp_path, capsys):
    folder = tmp_path / "team"
    assert main(["keygen", str(folder)]) == 0
    private, public = folder / "signing.key", folder / "signing.pub"
    if sys.platform != "win32":
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert main(["sign", str(forged), "--key", str(private)]) == 0
    assert json.loads((forged / SIGNATURE_FILE).read_text())["key_id"] == key_id(load_public_key(public))
    capsys.readouterr()
    for trust in (public, folder):  # a key file, or a folder of them
        assert main(["score", application, "--bundle", str(forged), "--trust", str(trust)]) == 0
        assert "threshold 0.9900" in capsys.readouterr().out
    assert main(["score", application, "--bundle", str(forged)]) == 2  # without --trust: not trusted
    assert "not trusted" in capsys.readouterr().err


def test_a_signature_by_an_untrusted_key_is_refused(forged, keys, tmp_path):
    other = new_key_pair(tmp_path / "other", "someone")
    sign_bundle(forged, other.private)
    with pytest.raises(SigningError, match=f"signed by key {other.key_id}, which is not trusted"):
        load_trusted_bundle(forged, [keys.public])
    assert load_trusted_bundle(forged, [keys.public, other.public]).threshold == 0.99


def test_a_signature_that_does_not_match_the_manifest_is_refused(tmp_path, keys):
    bundle = tmp_path / "model"
    shutil.copytree(default_bundle(), bundle)
    sign_bundle(bundle, keys.private)
    assert load_trusted_bundle(bundle, [keys.public]).threshold < 0.99
    edit_manifest(bundle, lambda m: m.update(threshold=0.99))  # changed after signing, hashes recomputed
    with pytest.raises(SigningError, match="the model was changed after it was signed") as raised:
        load_trusted_bundle(bundle, [keys.public])
    assert raised.value.code == "signature_mismatch" and raised.value.params["file"] == str(bundle / SIGNATURE_FILE)

    record = json.loads((bundle / SIGNATURE_FILE).read_text())  # the signature claims the new digest
    record["manifest_sha256"] = json.loads((bundle / MANIFEST_FILE).read_text())["manifest_sha256"]
    (bundle / SIGNATURE_FILE).write_text(json.dumps(record))
    with pytest.raises(SigningError, match="does not match"):
        load_trusted_bundle(bundle, [keys.public])

    sign_bundle(bundle, keys.private)
    record = json.loads((bundle / SIGNATURE_FILE).read_text())
    signature = bytearray(base64.b64decode(record["signature"]))
    signature[0] ^= 1
    record["signature"] = base64.b64encode(bytes(signature)).decode()
    (bundle / SIGNATURE_FILE).write_text(json.dumps(record))
    with pytest.raises(SigningError, match="does not match"):
        load_trusted_bundle(bundle, [keys.public])

    (bundle / SIGNATURE_FILE).write_text('{"key_id": 1}')
    with pytest.raises(SigningError, match="cannot be read as a signature"):
        load_trusted_bundle(bundle, [keys.public])


def test_the_shipped_bundle_needs_no_signature_but_a_copy_of_it_does(tmp_path):
    assert not (default_bundle() / SIGNATURE_FILE).exists()
    assert load_trusted_bundle(default_bundle()).id == load_bundle(default_bundle()).id
    copy = tmp_path / "copy"
    shutil.copytree(default_bundle(), copy)
    with pytest.raises(SigningError, match="is not signed"):
        load_trusted_bundle(copy)


def test_keys_shipped_in_resources_are_trusted_without_the_option(forged, keys, tmp_path, monkeypatch):
    import engine.signing

    shipped = tmp_path / "resources-keys"
    shipped.mkdir()
    shutil.copy(keys.public, shipped)
    monkeypatch.setattr(engine.signing, "trusted_keys_dir", lambda: shipped)
    sign_bundle(forged, keys.private)
    assert set(trusted_keys()) == {keys.key_id}
    assert load_trusted_bundle(forged).threshold == 0.99


def test_the_project_ships_public_keys_only():
    from engine.resources import trusted_keys_dir

    shipped = [p.name for p in trusted_keys_dir().iterdir()]
    assert not [name for name in shipped if not (name.endswith(".pub") or name == "README.md")]
    for name in shipped:
        assert b"PRIVATE KEY" not in (trusted_keys_dir() / name).read_bytes()
    trusted_keys()  # every shipped key loads


def test_a_key_is_never_overwritten_and_bad_key_files_are_named(keys, tmp_path, forged):
    with pytest.raises(SigningError, match="never overwritten"):
        new_key_pair(keys.private.parent, "risk-team")
    with pytest.raises(SigningError, match="no such public key"):
        trusted_keys([tmp_path / "absent.pub"])
    with pytest.raises(SigningError, match="model.txt is not an Ed25519 public key in PEM"):
        load_trusted_bundle(forged, [forged / "model.txt"])
    with pytest.raises(SigningError, match="risk-team.pub is not an Ed25519 private key in PEM") as raised:
        sign_bundle(forged, keys.public)
    assert raised.value.code == "private_key_invalid"
    with pytest.raises(SigningError, match="the private key .*absent.key cannot be read") as raised:
        sign_bundle(forged, tmp_path / "absent.key")
    assert raised.value.code == "private_key_unreadable"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_signing_with_a_private_key_others_can_read_warns(forged, keys, caplog):
    keys.private.chmod(0o644)
    sign_bundle(forged, keys.private)
    assert "can be read by other users" in caplog.text and str(keys.private) in caplog.text


def test_a_bundle_whose_hashes_fail_is_not_signed(forged, keys):
    edit_manifest(forged, lambda m: m.update(threshold=0.5), rehash=False)
    with pytest.raises(BundleError, match="modified after training"):
        sign_bundle(forged, keys.private)
    assert not (forged / SIGNATURE_FILE).exists()


def test_a_freshly_trained_bundle_is_used_once_signed(small_bundle, keys, tmp_path):
    bundle = tmp_path / "trained"
    shutil.copytree(small_bundle.path, bundle)
    with pytest.raises(SigningError, match="is not signed"):
        load_trusted_bundle(bundle)
    sign_bundle(bundle, keys.private)
    assert load_trusted_bundle(bundle, [keys.public]).id == small_bundle.id


def test_the_app_shows_why_it_does_not_start_on_an_untrusted_model(forged, keys, tmp_path):
    launch = Launch(tmp_path / "home", forged)
    launch._start()
    assert launch.problem.code == "bundle_untrusted" and launch.server is None
    assert "is not signed" in launch.problem.detail
    page = problem_page(launch.problem, None, "t")
    assert "n'est pas signé par une clé de confiance" in page and "not signed by a trusted key" in page
    assert 'id="keep-copy"' not in page

    with pytest.raises(SigningError):
        AppContext(tmp_path / "home", forged, "token").scorer
    sign_bundle(forged, keys.private)
    trusted = AppContext(tmp_path / "home", forged, "token", trust=(keys.public,))
    assert trusted.scorer.bundle.threshold == 0.99
