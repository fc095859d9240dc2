"""What the tokens API takes and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import ConfigDict, Field

from supercp.web.core.models import ApiToken
from supercp.web.core.services import MAX_TOKEN_DAYS


class StrictIn(Schema):
    """Request bodies: unknown fields are an error, and "1" is not a number."""

    model_config = ConfigDict(extra="forbid", strict=True)


class TokenIn(StrictIn):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    read_only: bool = False
    # Days until the token stops working; none means it works until revoked.
    expires_days: Annotated[int, Field(ge=1, le=MAX_TOKEN_DAYS)] | None = None


class TokenOut(Schema):
    id: str
    name: str
    read_only: bool
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @staticmethod
    def of(token: ApiToken) -> TokenOut:
        return TokenOut(
            id=token.public_id,
            name=token.name,
            read_only=token.read_only,
            created_at=token.created_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
            last_used_at=token.last_used_at,
        )


class TokenCreated(TokenOut):
    # The whole token, shown this once; only its hash is kept.
    token: str


class ErrorDetail(Schema):
    code: str
    message: str
    field: str | None


class ErrorOut(Schema):
    """Every error response."""

    error: ErrorDetail
