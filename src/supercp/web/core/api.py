"""/api/v1/tokens: the caller's own API tokens."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from supercp.web.core import services
from supercp.web.core.rest import actor
from supercp.web.core.schemas import ErrorOut, TokenCreated, TokenIn, TokenOut

router = Router(tags=["tokens"])
ERRORS: dict[int, type[ErrorOut]] = {c: ErrorOut for c in (400, 401, 403, 404)}


@router.get("", response={200: list[TokenOut], **ERRORS}, summary="List your API tokens")
def list_tokens(request: HttpRequest) -> list[TokenOut]:
    return [TokenOut.of(t) for t in services.list_tokens(actor(request))]


@router.post("", response={201: TokenCreated, **ERRORS}, summary="Create an API token (shown once)")
def create_token(request: HttpRequest, body: TokenIn) -> Status[TokenCreated]:
    new = services.create_token(
        actor(request), body.name, read_only=body.read_only, expires_days=body.expires_days
    )
    out = TokenOut.of(new.token)
    return Status(201, TokenCreated(**out.model_dump(), token=new.plaintext))


@router.delete("/{token_id}", response={204: None, **ERRORS}, summary="Revoke an API token")
def revoke_token(request: HttpRequest, token_id: str) -> Status[None]:
    services.revoke_token(actor(request), token_id)
    return Status(204, None)
