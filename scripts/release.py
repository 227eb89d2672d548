#!/usr/bin/env python3
"""The release key's tools (docs/updates.md): make a key pair, sign a release, check one.

    python scripts/release.py keygen --private ~/offline/foyer-release-key.pem \\
        --public images/files/foyer-release-key.pub
    python scripts/release.py sign dist/foyer-0.2.0-py3-none-any.whl --version 0.2.0 \\
        --key ~/offline/foyer-release-key.pem [--output foyer-0.2.0.sig]
    python scripts/release.py verify dist/foyer-0.2.0-py3-none-any.whl --version 0.2.0 \\
        --signature-file foyer-0.2.0.sig [--keys images/files]

The private key never goes into the repository nor onto the backend: whoever holds it can make
every tablet install anything. Keep it offline; the backend and the tablets only need the
public half.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import release_signature

ROOT = Path(__file__).resolve().parents[1]


def _keygen(args: argparse.Namespace) -> int:
    for path in (args.private, args.public):
        if path.exists() and not args.force:
            print(f"release.py: {path} exists (--force to replace it)", file=sys.stderr)
            return 2
    private_pem, public_pem = release_signature.generate_keypair()
    args.private.parent.mkdir(parents=True, exist_ok=True)
    # 0600 from its first byte: nobody else on the machine ever reads the private key.
    fd = os.open(args.private, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(private_pem)
    os.chmod(args.private, 0o600)
    args.public.parent.mkdir(parents=True, exist_ok=True)
    args.public.write_bytes(public_pem)
    print(f"private key (keep it offline): {args.private}")
    print(f"public key (commit it): {args.public}")
    return 0


def _sign(args: argparse.Namespace) -> int:
    sha256, size = release_signature.file_digest(args.file)
    signature = release_signature.sign(args.key.read_bytes(), args.version, sha256, size)
    if args.output is not None:
        args.output.write_text(signature + "\n", encoding="ascii")
    print(signature)
    return 0


def _verify(args: argparse.Namespace) -> int:
    signature = args.signature
    if args.signature_file is not None:
        signature = args.signature_file.read_text(encoding="ascii").strip()
    keys = release_signature.load_public_keys(args.keys)
    sha256, size = release_signature.file_digest(args.file)
    if release_signature.verify(keys, args.version, sha256, size, signature):
        print(f"good signature: {args.file.name} {args.version} sha256 {sha256} {size} bytes")
        return 0
    print(f"BAD signature for {args.file.name} {args.version} ({len(keys)} key(s))")
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="release.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    keygen = sub.add_parser("keygen", help="make an ed25519 release key pair")
    keygen.add_argument("--private", type=Path, required=True, help="private key PEM (0600)")
    keygen.add_argument("--public", type=Path, required=True, help="public key PEM (.pub)")
    keygen.add_argument("--force", action="store_true", help="replace existing files")
    sign = sub.add_parser("sign", help="print the signature of a release")
    sign.add_argument("file", type=Path)
    sign.add_argument("--version", required=True)
    sign.add_argument("--key", type=Path, required=True, help="the private key PEM")
    sign.add_argument("--output", type=Path, help="also write the signature to this file")
    verify = sub.add_parser("verify", help="check a release's signature (exit 1 if bad)")
    verify.add_argument("file", type=Path)
    verify.add_argument("--version", required=True)
    given = verify.add_mutually_exclusive_group(required=True)
    given.add_argument("--signature")
    given.add_argument("--signature-file", type=Path)
    verify.add_argument(
        "--keys", type=Path, default=ROOT / "images" / "files", help="directory of *.pub keys"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "keygen":
            return _keygen(args)
        if args.command == "sign":
            return _sign(args)
        return _verify(args)
    except (OSError, ValueError) as exc:
        print(f"release.py: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
