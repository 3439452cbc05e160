"""The `data` value of a deep-linking request: it comes back in the tool's response and tells
the return endpoint which space and user the picked videos belong to — without relying on the
portal's session cookie, which a cross-site form post does not carry (SameSite=Lax).

Sealed (`panopto_link.sealed`), expiring, and single use (`ConsumedToken`)."""

import uuid
from dataclasses import asdict, dataclass, field

from panopto_link.sealed import SealError, seal, unseal

PURPOSE = "picker_data"
# The content picker is a page a person works in; an hour is generous and still bounded.
PICKER_DATA_MAX_AGE = 3600


class PickerDataError(Exception):
    def __init__(self, reason: str, description: str) -> None:
        super().__init__(description)
        self.reason = reason
        self.description = description


@dataclass(frozen=True)
class PickerData:
    space_id: int
    user_id: int
    jti: str = field(default_factory=lambda: uuid.uuid4().hex)


def picker_data_encode(*, space_id: int, user_id: int) -> str:
    return seal(asdict(PickerData(space_id=space_id, user_id=user_id)), purpose=PURPOSE)


def picker_data_decode(token: str, *, max_age: int = PICKER_DATA_MAX_AGE) -> PickerData:
    """The space and user of a data value; raises PickerDataError."""
    try:
        return PickerData(**unseal(token, purpose=PURPOSE, max_age=max_age))
    except SealError as error:
        if error.reason == "expired":
            raise PickerDataError("data_expired", "The data value has expired.") from None
        raise PickerDataError("wrong_data", "The data value is not one this portal sent.") from None
    except TypeError:
        raise PickerDataError("wrong_data", "The data value is not one this portal sent.") from None
