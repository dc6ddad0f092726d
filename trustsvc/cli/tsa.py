"""`trustsvc tsa serve` (an RFC 3161 TSA over HTTP) and `trustsvc timestamp FILE --tsa-url URL` (its client)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from trustsvc.cli import app
from trustsvc.cli.inputs import RESULT_LONG_OPTION, TextOrJson, emit

tsa_app = typer.Typer(help="An RFC 3161 time-stamping authority over HTTP.", no_args_is_help=True)
app.add_typer(tsa_app, name="tsa")


def _fail(msg: str) -> None:
    print(f"error: {msg}", file=sys.stderr)
    raise typer.Exit(2)


@tsa_app.command("serve")
def tsa_serve(
    cert: Path = typer.Option(..., "--cert", help="TSA certificate (PEM/DER; EKU timeStamping, critical)"),
    key: Path = typer.Option(..., "--key", help="TSA private key (PEM: RSA, EC, Ed25519 or SM2)"),
    chain: list[Path] = typer.Option([], "--chain", help="CA certificates to put in tokens (repeatable)"),
    host: str = typer.Option("127.0.0.1", "--host", help="address to bind"),
    port: int = typer.Option(3161, "--port", help="TCP port"),
    policy: str = typer.Option(None, "--policy", help="TSA policy OID (default: the demo policy)"),
    accuracy: int = typer.Option(1, "--accuracy", min=1, help="accuracy of genTime, seconds"),
    database_url: Optional[str] = typer.Option(None, "--database-url", envvar="TRUSTSVC_DATABASE_URL",
                                               help="where serial numbers are kept (default sqlite:///var/trustsvc.db)"),
    log_level: str = typer.Option("warning", "--log-level", help="uvicorn log level"),
) -> None:
    """Answer RFC 3161 requests (application/timestamp-query -> application/timestamp-reply) at / and /tsa."""
    import uvicorn

    from trustsvc.cms.builder import DEMO_TSA_POLICY
    from trustsvc.store import db
    from trustsvc.tsa.app import create_tsa_app
    from trustsvc.tsa.authority import TimeStampAuthority, database_serials

    engine = db.make_engine(database_url)
    db.upgrade(engine)
    try:
        authority = TimeStampAuthority.from_files(cert, key, chain, policy=policy or DEMO_TSA_POLICY,
                                                  accuracy_seconds=accuracy, serials=database_serials(engine))
    except OSError as exc:
        _fail(f"cannot read {exc.filename}: {exc.strerror}")
        return
    typer.echo(f"TSA {authority.cert.subject_str} on http://{host}:{port}/ (policy {authority.policy})", err=True)
    uvicorn.run(create_tsa_app(authority), host=host, port=port, log_level=log_level)


@app.command("timestamp")
def timestamp_cmd(
    file: Path = typer.Argument(..., help="the file to timestamp"),
    tsa_url: str = typer.Option(..., "--tsa-url", help="RFC 3161 TSA over HTTP, e.g. http://127.0.0.1:8000/tsa"),
    hash_name: str = typer.Option("sha256", "--hash", help="imprint algorithm: sha256, sha384, sha512, sm3, ..."),
    policy: Optional[str] = typer.Option(None, "--policy", help="ask for this TSA policy OID"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="output (default FILE.tsr, a TimeStampResp)"),
    output: TextOrJson = RESULT_LONG_OPTION,
) -> None:
    """Timestamp FILE at a TSA; write the TimeStampResp (check it with `trustsvc verify timestamp`)."""
    from trustsvc.cms.signed_data import compute_digest
    from trustsvc.tsa.client import request_timestamp
    from trustsvc.tsa.protocol import ACCEPTED_DIGESTS, TSAResponseError

    if hash_name not in ACCEPTED_DIGESTS:
        _fail(f"--hash must be one of {', '.join(sorted(ACCEPTED_DIGESTS))}")
    try:
        data = file.read_bytes()
    except OSError as exc:
        _fail(f"cannot read file {file}: {exc.strerror or exc}")
        return
    try:
        reply = request_timestamp(tsa_url, compute_digest(hash_name, data), hash_name, policy=policy)
    except TSAResponseError as exc:
        _fail(str(exc))
        return
    from trustsvc.cms.timestamp import parse_timestamp_token

    token = parse_timestamp_token(reply)
    target = out or file.with_name(file.name + ".tsr")
    target.write_bytes(reply)
    gen_time = token.gen_time.isoformat().replace("+00:00", "Z")
    emit(output, {"file": str(target), "gen_time": gen_time, "serial_number": str(token.serial_number),
                  "tsa_name": token.tsa_name, "hash": hash_name},
         f"wrote {target}: genTime {gen_time}, serial {token.serial_number}, {token.tsa_name or 'TSA'}")
