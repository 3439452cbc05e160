"""The stand-in's own data, kept apart from the portal's: its registration of our platform, its
signing key, the folders it keys by context id, who may enter them, and the single-use values of
its launches. Nothing here refers to the portal's models: the stand-in knows the portal only
through LTI, as Panopto does."""

import uuid

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Plain http(s) URLs, single-label host names included: the tests' portal is http://testserver,
# which Django's URLValidator refuses.
http_url = RegexValidator(r"^https?://[^\s/?#]+(/\S*)?$", _("Enter an http:// or https:// URL."))

# The stand-in's page languages that write the family name first.
FAMILY_NAME_FIRST = frozenset({"hu"})


class PlatformRegistration(models.Model):
    """The stand-in's registration of the portal (Panopto calls it an LTI 1.3 identity
    provider), and where the stand-in itself is reached. A single row."""

    issuer = models.CharField(_("platform issuer"), max_length=500, validators=[http_url])
    client_id = models.CharField(_("client id"), max_length=255)
    deployment_ids = models.TextField(
        _("deployment ids"), help_text=_("One per line, as the platform sends them.")
    )
    auth_login_url = models.CharField(
        _("platform authorization endpoint"),
        max_length=500,
        validators=[http_url],
        help_text=_("Where the stand-in sends the browser to be signed in by the platform."),
    )
    key_set_url = models.CharField(_("platform JWKS URL"), max_length=500, validators=[http_url])
    public_origin = models.CharField(
        _("stand-in origin"),
        max_length=200,
        validators=[http_url],
        help_text=_("scheme://host:port where browsers reach the stand-in."),
    )
    promised_claims = models.TextField(
        _("promised claims"),
        blank=True,
        help_text=_(
            "What the platform promised to send with every launch, one per line: name, "
            "given_name, family_name, email, lis.person_sourcedid, or custom.<key>. A launch "
            "without one of them is refused."
        ),
    )
    username_parameter = models.CharField(
        _("username parameter override"),
        max_length=64,
        blank=True,
        help_text=_(
            "As Panopto's option of that name: the custom parameter whose value is the user's "
            "username here. Empty: lis.person_sourcedid is the username."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("stand-in registration of the portal")
        verbose_name_plural = _("stand-in registration of the portal")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="standin_registration_single_row"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} ({self.client_id})"

    @classmethod
    def load(cls) -> "PlatformRegistration | None":
        return cls.objects.filter(pk=1).first()

    @property
    def deployment_id_list(self) -> list[str]:
        return [line.strip() for line in self.deployment_ids.splitlines() if line.strip()]

    @property
    def promised_claim_list(self) -> list[str]:
        return [line.strip() for line in self.promised_claims.splitlines() if line.strip()]


class ToolKey(models.Model):
    """The stand-in's RSA key pair: it signs the stand-in's deep-linking responses, and its
    public half is published at the stand-in's JWKS URL. A demo tool, so the private key is
    stored as plain PEM; never install the stand-in in production."""

    kid = models.CharField(_("key id"), max_length=64, unique=True)
    private_pem = models.TextField(_("private key (PEM)"))
    public_pem = models.TextField(_("public key (PEM)"))
    public_jwk = models.JSONField(_("public key (JWK)"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("stand-in signing key")
        verbose_name_plural = _("stand-in signing keys")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.kid


class ToolUser(models.Model):
    """A person as the stand-in knows them: the platform's issuer and the user's `sub` once they
    have launched; a user that Panopto's API created (`UserManagement.SyncExternalUser`) has
    neither until their first launch, which finds them by their username, as Panopto matches a
    launch to an account on it."""

    public_id = models.UUIDField(_("user id"), default=uuid.uuid4, unique=True, editable=False)
    issuer = models.CharField(_("issuer"), max_length=500)
    subject = models.CharField(_("LTI subject"), max_length=255)
    username = models.CharField(
        _("username"),
        max_length=255,
        blank=True,
        help_text=_(
            "What the stand-in matches the person on, as Panopto does: the username parameter "
            "override's custom parameter, else lis.person_sourcedid."
        ),
    )
    # Panopto keeps a person's given and family names apart (its `User`: FirstName, LastName;
    # `SyncExternalUser(firstName, lastName)`), filled from a launch's `given_name` and
    # `family_name`; `name` is the launch's full name as it arrived, only shown when the two
    # parts are missing (docs/connecting-panopto.md, section 5, "Names").
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    name = models.CharField(
        _("full name as sent"),
        max_length=300,
        blank=True,
        help_text=_("The launch's name claim, as the platform ordered it."),
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    last_launch_at = models.DateTimeField(_("last launch"), default=timezone.now)

    class Meta:
        verbose_name = _("stand-in user")
        verbose_name_plural = _("stand-in users")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"],
                condition=~Q(subject=""),
                name="tooluser_once_per_issuer",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username or self.subject

    @property
    def display_name(self) -> str:
        """The name the stand-in's pages show: the given and family names in the order of the
        page's language (family name first in Hungarian), never the platform's order of the
        `name` claim; that claim only when the two parts are missing."""
        first, last = self.first_name.strip(), self.last_name.strip()
        language = (get_language() or "").split("-")[0]
        parts = [last, first] if language in FAMILY_NAME_FIRST else [first, last]
        return " ".join(part for part in parts if part) or self.name.strip()


class FolderRole(models.TextChoices):
    CREATOR = "creator", _("Creator")
    VIEWER = "viewer", _("Viewer")


class Folder(models.Model):
    """A Panopto folder, keyed by the launch's context id as Panopto keys it: a new context id
    means a new, empty folder."""

    public_id = models.UUIDField(_("folder id"), default=uuid.uuid4, unique=True, editable=False)
    context_id = models.CharField(_("context id"), max_length=255, unique=True)
    name = models.CharField(_("name"), max_length=500)
    context_label = models.CharField(_("course code"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        ToolUser,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("stand-in folder")
        verbose_name_plural = _("stand-in folders")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FolderAccess(models.Model):
    """Who may enter a folder, and as what. Each launch sets the role it carries, so a role
    taken away in the portal is taken away here at the user's next launch."""

    user = models.ForeignKey(
        ToolUser, verbose_name=_("user"), on_delete=models.CASCADE, related_name="accesses"
    )
    folder = models.ForeignKey(
        Folder, verbose_name=_("folder"), on_delete=models.CASCADE, related_name="accesses"
    )
    role = models.CharField(_("role"), max_length=16, choices=FolderRole.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("stand-in folder access")
        verbose_name_plural = _("stand-in folder accesses")
        constraints = [
            models.UniqueConstraint(fields=["user", "folder"], name="folderaccess_once"),
            models.CheckConstraint(
                condition=Q(role__in=[choice.value for choice in FolderRole]),
                name="folderaccess_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.folder} ({self.role})"


class ExternalGroup(models.Model):
    """An external group of Panopto's API (`UserManagement`'s `Group` with an `ExternalId` and
    a `MembershipProviderName`), with the access it has to one folder.
    `ProvisionExternalCourseWithRoles` creates `{externalId}_viewers`, `_creators` and
    `_publishers` for the folder it provisions, as Panopto's Moodle block names them;
    `SyncExternalUser` sets who is in which. A publisher group's access is listed as a
    creator's (`FolderAccessDetails` has creator and viewer lists only)."""

    public_id = models.UUIDField(_("group id"), default=uuid.uuid4, unique=True, editable=False)
    provider_name = models.CharField(_("membership provider"), max_length=100)
    external_id = models.CharField(_("external id"), max_length=300)
    name = models.CharField(_("name"), max_length=500)
    folder = models.ForeignKey(
        Folder,
        verbose_name=_("folder"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="groups",
    )
    role = models.CharField(_("role"), max_length=16, choices=FolderRole.choices)
    members = models.ManyToManyField(
        ToolUser, verbose_name=_("members"), related_name="external_groups", blank=True
    )

    class Meta:
        verbose_name = _("stand-in external group")
        verbose_name_plural = _("stand-in external groups")
        ordering = ["external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider_name", "external_id"], name="externalgroup_once_per_provider"
            ),
            models.CheckConstraint(
                condition=Q(role__in=[choice.value for choice in FolderRole]),
                name="externalgroup_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.external_id


class Recording(models.Model):
    """A sample recording of a folder, for the content picker of deep linking."""

    public_id = models.UUIDField(_("session id"), default=uuid.uuid4, unique=True, editable=False)
    folder = models.ForeignKey(
        Folder, verbose_name=_("folder"), on_delete=models.CASCADE, related_name="recordings"
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"))
    recorded_at = models.DateTimeField(_("recorded at"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("stand-in recording")
        verbose_name_plural = _("stand-in recordings")
        ordering = ["folder", "position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def duration_display(self) -> str:
        minutes, seconds = divmod(self.duration_seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class LoginState(models.Model):
    """What a login initiation named, stored under the OIDC `state` the stand-in issued, so
    that the launch can be held to it: the nonce sent with this state, the target link URI and
    the deployment (plain pylti1p3 compares none of them)."""

    state = models.CharField(_("state"), max_length=255, unique=True)
    nonce = models.CharField(_("nonce"), max_length=255)
    client_id = models.CharField(_("client id"), max_length=255)
    deployment_id = models.CharField(_("deployment id"), max_length=255, blank=True)
    target_link_uri = models.CharField(_("target link URI"), max_length=500)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("stand-in login state")
        verbose_name_plural = _("stand-in login states")

    def __str__(self) -> str:
        return self.state


class ConsumedNonce(models.Model):
    """A nonce a launch has used. Inserting is the consumption: the unique index refuses the
    second use on every app server at once."""

    nonce = models.CharField(_("nonce"), max_length=255, unique=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("stand-in consumed nonce")
        verbose_name_plural = _("stand-in consumed nonces")

    def __str__(self) -> str:
        return self.nonce


class ApiProvider(models.Model):
    """An identity provider as Panopto's API knows it: its instance name and application key.
    A SOAP call is answered only for "{instance name}\\{user}" with the auth code that key
    gives (simulator/soap.py). The stand-in's folders, created by LTI launches or provisioned,
    are all under this provider: looked up by their external id, the launch's context id."""

    instance_name = models.CharField(_("instance name"), max_length=100, unique=True)
    application_key = models.CharField(_("application key"), max_length=200)

    class Meta:
        verbose_name = _("stand-in API identity provider")
        verbose_name_plural = _("stand-in API identity providers")

    def __str__(self) -> str:
        return self.instance_name


class ApiClient(models.Model):
    """An API client registered in Panopto (System → API Clients) for its REST API: the OAuth2
    client whose id and secret the token endpoint checks. With the password grant it gets a
    token for "{instance name}\\{user}" of any identity provider whose application key gives
    the password (simulator/rest.py; Panopto's `auth-id-provider` sample)."""

    name = models.CharField(_("name"), max_length=100)
    client_id = models.CharField(_("client id"), max_length=100, unique=True)
    client_secret = models.CharField(_("client secret"), max_length=200)

    class Meta:
        verbose_name = _("stand-in API client")
        verbose_name_plural = _("stand-in API clients")

    def __str__(self) -> str:
        return self.name
