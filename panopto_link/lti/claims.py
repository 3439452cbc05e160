"""Claim names and vocabulary of LTI 1.3, each with the section of the spec that defines it.

LTI Core 1.3: https://www.imsglobal.org/spec/lti/v1p3/
Deep Linking 2.0: https://www.imsglobal.org/spec/lti-dl/v2p0/
Security Framework 1.0: https://www.imsglobal.org/spec/security/v1p0/
"""

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"

# LTI Core §5.3.1 message type; §5.3.2 version; §5.3.3 deployment id.
MESSAGE_TYPE = LTI + "message_type"
VERSION = LTI + "version"
DEPLOYMENT_ID = LTI + "deployment_id"
# LTI Core §5.3.4 target link URI; §5.3.5 resource link; §5.3.7 roles.
TARGET_LINK_URI = LTI + "target_link_uri"
RESOURCE_LINK = LTI + "resource_link"
ROLES = LTI + "roles"
# LTI Core §5.4.1 context; §5.4.2 platform instance; §5.4.4 launch presentation; §5.4.6 custom.
CONTEXT = LTI + "context"
TOOL_PLATFORM = LTI + "tool_platform"
LAUNCH_PRESENTATION = LTI + "launch_presentation"
CUSTOM = LTI + "custom"
# LTI Core §5.4.5 Learning Information Services: `person_sourcedid`, the person's identifier in
# the institution's student information system (the one tools such as Panopto match accounts on).
LIS = LTI + "lis"
LIS_PERSON_SOURCEDID = "person_sourcedid"
# Deep Linking 2.0 §4.4.1 settings of a request; §4.5.2 items, §4.5.3 data, §4.5.4-7 messages.
DEEP_LINKING_SETTINGS = DL + "deep_linking_settings"
DL_CONTENT_ITEMS = DL + "content_items"
DL_DATA = DL + "data"
DL_MSG = DL + "msg"
DL_LOG = DL + "log"
DL_ERRORMSG = DL + "errormsg"
DL_ERRORLOG = DL + "errorlog"

# LTI Core §5.3.1 and Deep Linking 2.0 §4.4 / §4.5: the message types this platform speaks.
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
LTI_VERSION = "1.3.0"  # LTI Core §5.3.2

# LTI Core Appendix A.2.3 context roles (LIS vocabulary).
ROLE_INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
ROLE_LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
# LTI Core Appendix A.2.2 institution roles.
INSTITUTION_GUEST = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Guest"

# LTI Core Appendix A.1 context type vocabulary.
CONTEXT_COURSE_TEMPLATE = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseTemplate"
CONTEXT_COURSE_OFFERING = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"
CONTEXT_GROUP = "http://purl.imsglobal.org/vocab/lis/v2/course#Group"

# LTI Core §5.4.4: where the platform shows the launched tool. "frame" replaces the platform's
# own page, "window" is a new window or tab, "iframe" is embedded in the platform's page.
DOCUMENT_TARGET_FRAME = "frame"
DOCUMENT_TARGET_WINDOW = "window"
DOCUMENT_TARGET_IFRAME = "iframe"

# LTI Dynamic Registration §3.5.1: the platform-configuration block of the OpenID configuration.
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"

# OpenID Connect Core §2: the standard claims of an id_token this platform sends.
STANDARD_CLAIMS = (
    "iss",
    "aud",
    "azp",
    "sub",
    "iat",
    "exp",
    "nonce",
    "name",
    "given_name",
    "family_name",
    "email",
    "locale",
)
