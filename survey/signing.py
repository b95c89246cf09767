"""The signed session cookie, with its serializer, signer and derived keys made once per app
instead of on every request (the respondents' submit reads and rewrites the cookie on each
request: bench/submit.py). Same cookie, same keys, same signature as Flask's own interface;
a change of ``SECRET_KEY`` or its fallbacks makes a new serializer."""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import want_bytes


class _KeptKeySigner(TimestampSigner):
    """A timestamp signer that derives each secret key's signing key once."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._derived: dict[bytes, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        key = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        derived = self._derived.get(key)
        if derived is None:
            derived = self._derived[key] = super().derive_key(key)
        return derived


class _KeptSignerSerializer(URLSafeTimedSerializer):
    """A serializer that keeps its signer for each salt (a signer holds no request state)."""

    default_signer = _KeptKeySigner

    def make_signer(self, salt=None):
        salt = self.salt if salt is None else salt
        signers = self.__dict__.setdefault("_signers", {})
        signer = signers.get(salt)
        if signer is None:
            signer = signers[salt] = super().make_signer(salt)
        return signer


class KeptSerializerSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with one serializer per set of secret keys."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        serializer = self._serializers.get(keys)
        if serializer is None:
            if len(self._serializers) > 8:
                self._serializers.clear()
            serializer = self._serializers[keys] = _KeptSignerSerializer(
                list(keys),
                salt=self.salt,
                serializer=self.serializer,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": self.digest_method,
                },
            )
        return serializer


def init_app(app: Flask) -> None:
    app.session_interface = KeptSerializerSessionInterface()
