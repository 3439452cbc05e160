"""The LTI 1.3 platform on Django, for any tool (docs/decisions/0007): the message hint sealed
and consumed once, the authorization endpoint, the signing keys and the JWKS, the verification
of a deep-linking return, and the audit row of every launch step.

A tool's part hands it a `plan.LaunchPlan` and implements `tools.LaunchTool`; the platform never
imports a tool's policy, models or views (an import contract holds this). Its public surface:
`initiation.login_initiation_url` / `login_initiation_refused` at the click,
`authorization.authorize` behind the endpoint, `content.receive_content` at a deep-linking
return, `tools.tool_register` when a tool's app is ready.
"""
