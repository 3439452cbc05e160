"""What a content picker's answer did, carried from the deep-linking return (the tool's
cross-site post, no session) to the space's page, signed (`LinkingOutcome`), and said there as
messages of its videos section (issue 25 item 5: no result page of its own)."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.sealed import Unsealable, seal, unseal
from panopto_link.lti.deep_linking import ItemProblem
from panopto_link.models import VideoLink


@dataclass(frozen=True)
class LinkingOutcome:
    """What a deep-linking return did, signed for the page that shows it (`videos_linked`):
    the ids are the portal's own, the texts the tool's, already made plain."""

    space_id: int
    user_id: int
    added: list[int]
    already_linked: list[int]
    msg: str
    errormsg: str
    skipped_items: int
    refused: list[list[str]]  # [title, key, ItemProblem] of each item refused for its custom map

    PURPOSE = "videos_linked"  # sealed as every value the portal hands out (core.sealed)
    MAX_AGE = 15 * 60  # seconds: the page is reached at once, or reloaded soon after

    def seal(self) -> str:
        return seal(
            self.PURPOSE,
            [
                self.space_id,
                self.user_id,
                self.added,
                self.already_linked,
                self.msg,
                self.errormsg,
                self.skipped_items,
                self.refused,
            ],
            compress=True,
        )

    @classmethod
    def open(cls, value: str) -> "LinkingOutcome | None":
        try:
            return cls(*unseal(cls.PURPOSE, value, max_age=cls.MAX_AGE, compress=True))
        except (Unsealable, TypeError):
            return None


# Why an item the picker returned was not linked, in the lecturer's words (issue 20, finding 1):
# its custom parameters would be sent to Panopto with every launch of the video.
ITEM_REFUSAL_MESSAGES: dict[str, Promise] = {
    ItemProblem.RESERVED_KEY: gettext_lazy(
        "“%(title)s” was not linked: Panopto returned it with the setting “%(key)s”, which only "
        "the portal itself may send to Panopto."
    ),
    ItemProblem.BAD_KEY: gettext_lazy(
        "“%(title)s” was not linked: Panopto returned it with a setting named “%(key)s”; the "
        "portal passes on only names of lower-case letters, digits and underscores."
    ),
    ItemProblem.KEY_TOO_LONG: gettext_lazy(
        "“%(title)s” was not linked: Panopto returned it with a setting whose name is too long."
    ),
    ItemProblem.VALUE_TOO_LONG: gettext_lazy(
        "“%(title)s” was not linked: Panopto returned it with a setting “%(key)s” whose value "
        "is too long."
    ),
    ItemProblem.BAD_VALUE: gettext_lazy(
        "“%(title)s” was not linked: Panopto returned it with a setting “%(key)s” that is not "
        "a text, a number or a yes/no value."
    ),
    ItemProblem.TOO_MANY: gettext_lazy(
        "“%(title)s” was not linked: Panopto returned it with more settings than the portal "
        "passes on."
    ),
    ItemProblem.BAD_CUSTOM: gettext_lazy(
        "“%(title)s” was not linked: Panopto returned its settings in a form the portal does "
        "not read."
    ),
}


def item_refusal_message(title: str, key: str, problem: str) -> str:
    message = ITEM_REFUSAL_MESSAGES.get(problem, ITEM_REFUSAL_MESSAGES[ItemProblem.BAD_CUSTOM])
    return str(message) % {"title": title, "key": key}


def _quoted_titles(videos: list[VideoLink]) -> str:
    return ", ".join(_("“%(title)s”") % {"title": video.title} for video in videos)


def linking_messages(
    request: HttpRequest,
    *,
    added: list[VideoLink],
    already_linked: list[VideoLink],
    refused: list[str],
    outcome: "LinkingOutcome",
) -> None:
    """What a picker's answer did, as messages of the space page's videos section."""

    def say(level: int, text: str) -> None:
        messages.add_message(request, level, text, extra_tags="videos")

    if outcome.errormsg:
        say(messages.ERROR, _("Panopto reported a problem: %(text)s") % {"text": outcome.errormsg})
    if outcome.msg:
        say(messages.INFO, outcome.msg)
    if added:
        say(
            messages.SUCCESS,
            ngettext(
                "%(count)d video was added to the space: %(titles)s.",
                "%(count)d videos were added to the space: %(titles)s.",
                len(added),
            )
            % {"count": len(added), "titles": _quoted_titles(added)},
        )
    if already_linked:
        say(
            messages.INFO,
            ngettext(
                "Already among the space's videos, so not added again: %(titles)s.",
                "Already among the space's videos, so not added again: %(titles)s.",
                len(already_linked),
            )
            % {"titles": _quoted_titles(already_linked)},
        )
    for text in refused:
        say(messages.ERROR, text)
    if refused:
        say(
            messages.INFO,
            _(
                "If this happens again, please tell the IT administrators: the Panopto "
                "connection may need their attention."
            ),
        )
    if outcome.skipped_items:
        say(
            messages.INFO,
            ngettext(
                "%(count)d returned item was not a Panopto video link and was left out.",
                "%(count)d returned items were not Panopto video links and were left out.",
                outcome.skipped_items,
            )
            % {"count": outcome.skipped_items},
        )
    if not (added or already_linked or refused or outcome.errormsg):
        say(messages.INFO, _("No video was chosen, so nothing was added."))
