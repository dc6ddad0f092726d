"""POST /v1/extend: raise an archived bid or e-guarantee signature to CAdES B-LT or B-LTA (EN 319 122-1)."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field, ValidationError

from trustsvc.api.guard import run_verification
from trustsvc.api.models import _Strict
from trustsvc.api.problems import Problem
from trustsvc.api.verify import decode_b64, read_cert

router = APIRouter(prefix="/v1", tags=["extend"])
CMS_MEDIA = "application/pkcs7-signature"


class ExtendRequest(_Strict):
    signature: str = Field(description="Base64 of the CMS / CAdES SignedData (DER) or its PEM.")
    content: str | None = Field(default=None, description="Base64 of the signed content, for a detached signature.")
    level: Literal["B-LT", "B-LTA"] = Field(default="B-LTA", description="EN 319 122-1 level to reach.")
    crls: list[str] = Field(default=[], max_length=64, description="Base64 DER CRLs to embed where they apply.")
    ocsp_responses: list[str] = Field(default=[], max_length=64, description="Base64 DER OCSPResponses to embed.")
    other_certs: list[str] = Field(default=[], max_length=64)
    trust_anchors: list[str] = Field(default=[], max_length=64)
    fetch: bool = Field(default=False, description="Fetch missing CRLs / OCSP responses (SSRF-guarded).")


def timestamper(settings: Any) -> Any:
    """The service's TSA: TRUSTSVC_TSA_URL, or TRUSTSVC_TSA_CERT + TRUSTSVC_TSA_KEY, or the demo TSA in demo mode."""
    env = os.environ
    if env.get("TRUSTSVC_TSA_URL"):
        from trustsvc.tsa_client import HttpTSA

        return HttpTSA(env["TRUSTSVC_TSA_URL"])
    cert, key = env.get("TRUSTSVC_TSA_CERT"), env.get("TRUSTSVC_TSA_KEY")
    demo = getattr(settings, "demo_dir", None)
    if not (cert and key) and demo is not None:
        try:
            index = json.loads((Path(demo) / "pki.json").read_text())
            ent = index["entities"]["hk-tsa"]
            cert, key = str(Path(demo) / ent["cert"]), str(Path(demo) / ent["key"])
        except (OSError, ValueError, KeyError):
            return None
    if not (cert and key):
        return None
    from trustsvc.cms.builder import LocalTSA

    return LocalTSA.from_files(Path(cert), Path(key))


def _extend(req: ExtendRequest, store: Any, settings: Any, service_source: Any = None) -> bytes:
    from trustsvc.errors import TrustsvcError
    from trustsvc.validation.extend import extend_signature

    sig = decode_b64(req.signature, "signature", "invalid-signature-data")
    content = decode_b64(req.content, "content") if req.content is not None else None
    source = None
    if req.fetch:
        # The service's fetching source (TRUSTSVC_REVOCATION_* settings: SSRF guard, trust-list supply
        # points, cache), as the verify endpoints use it; a default guarded one when fetching is off there.
        source = service_source
        if source is None:
            from trustsvc.revocation.online import FetchingRevocationSource

            source = FetchingRevocationSource()
    try:
        return extend_signature(
            sig, level=req.level, content=content, timestamper=timestamper(settings), trust=store,
            trust_anchors=[read_cert(c, "trust_anchors") for c in req.trust_anchors],
            other_certs=[read_cert(c, "other_certs") for c in req.other_certs],
            crls=[decode_b64(c, "crls") for c in req.crls],
            ocsp_responses=[decode_b64(c, "ocsp_responses") for c in req.ocsp_responses], revocation_source=source)
    except TrustsvcError as exc:
        raise Problem(422, "cannot-extend", str(exc)[:500], sub_indication="FORMAT_FAILURE") from None


_EXAMPLE = {"signature": "MIAGCSqGSIb3DQEHAqCAMIA...", "content": "UEsDBBQ...", "level": "B-LTA"}
_RESULT = {"type": "object", "required": ["level", "signature", "size"], "properties": {
    "level": {"type": "string"}, "signature": {"type": "string", "format": "byte"}, "size": {"type": "integer"}}}


@router.post("/extend", responses={200: {"description": "The extended signature: JSON with base64, or DER with "
                                                        f"`Accept: {CMS_MEDIA}`",
                                         "content": {"application/json": {"schema": _RESULT},
                                                     CMS_MEDIA: {"schema": {"type": "string", "format": "binary"}}}}},
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": ExtendRequest.model_json_schema(ref_template="#/components/schemas/{model}"),
                 "example": _EXAMPLE}}}})
async def extend(request: Request) -> Response:
    """Add certificate and revocation values (B-LT) and an archive timestamp (B-LTA) without touching the signed parts."""
    try:
        req = ExtendRequest.model_validate(json.loads(await request.body()))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        if isinstance(exc, ValidationError):
            e = exc.errors()[0] if exc.errors() else {}
            raise Problem(422, "invalid-request", f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg', '')}"[:500]) from None
        raise Problem(400, "invalid-json", f"request body is not JSON: {exc}"[:300]) from None
    svc = request.app.state.svc
    revocation = getattr(svc, "revocation", None)
    der = await run_verification(request, _extend, req, svc.holder.store, svc.settings,
                                 getattr(revocation, "source", None))
    from trustsvc.cms.layout import read_layout
    from trustsvc.cms.levels import signature_level
    from trustsvc.cms.signed_data import parse_signed_data

    sd = parse_signed_data(der)
    layout = read_layout(der)
    level = signature_level(layout, layout.signers[0], sd.signers[0])
    if CMS_MEDIA in request.headers.get("accept", ""):
        return Response(der, media_type=CMS_MEDIA, headers={"X-Signature-Level": level})
    return JSONResponse({"level": level, "signature": base64.b64encode(der).decode("ascii"), "size": len(der)})
