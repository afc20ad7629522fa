// accessgraph's graph schema: every key the loaders MERGE on or the API looks up has a constraint or
// an index. Statements are separated by `;` at line ends; each is idempotent (IF NOT EXISTS).
// The model itself is described in docs/graph-model.md.

// --- node keys (MERGE) -------------------------------------------------------------------------
CREATE CONSTRAINT account_id IF NOT EXISTS FOR (n:Account) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT principal_arn IF NOT EXISTS FOR (n:Principal) REQUIRE n.arn IS UNIQUE;
CREATE CONSTRAINT group_arn IF NOT EXISTS FOR (n:Group) REQUIRE n.arn IS UNIQUE;
CREATE CONSTRAINT policy_arn IF NOT EXISTS FOR (n:Policy) REQUIRE n.arn IS UNIQUE;
CREATE CONSTRAINT external_principal_key IF NOT EXISTS FOR (n:ExternalPrincipal) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT organization_id IF NOT EXISTS FOR (n:Organization) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT org_root_id IF NOT EXISTS FOR (n:OrgRoot) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT organizational_unit_id IF NOT EXISTS FOR (n:OrganizationalUnit) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT org_policy_arn IF NOT EXISTS FOR (n:OrgPolicy) REQUIRE n.arn IS UNIQUE;

// --- look-ups ----------------------------------------------------------------------------------
// Users, roles and placeholders of one account; a role by name (assumed-role trust principals).
CREATE INDEX principal_account IF NOT EXISTS FOR (n:Principal) ON (n.accountId);
CREATE INDEX principal_unique_id IF NOT EXISTS FOR (n:Principal) ON (n.id);
CREATE INDEX user_account_name IF NOT EXISTS FOR (n:User) ON (n.accountId, n.name);
CREATE INDEX role_account_name IF NOT EXISTS FOR (n:Role) ON (n.accountId, n.name);
CREATE INDEX group_account_name IF NOT EXISTS FOR (n:Group) ON (n.accountId, n.name);
CREATE INDEX policy_account IF NOT EXISTS FOR (n:Policy) ON (n.accountId);
CREATE INDEX policy_name IF NOT EXISTS FOR (n:Policy) ON (n.name);
CREATE INDEX policy_kind IF NOT EXISTS FOR (n:Policy) ON (n.kind);
CREATE INDEX external_principal_kind IF NOT EXISTS FOR (n:ExternalPrincipal) ON (n.kind);
CREATE INDEX account_loaded IF NOT EXISTS FOR (n:Account) ON (n.loaded);
// An organization snapshot reload finds its own nodes through organizationId.
CREATE INDEX account_organization IF NOT EXISTS FOR (n:Account) ON (n.organizationId);
CREATE INDEX org_root_organization IF NOT EXISTS FOR (n:OrgRoot) ON (n.organizationId);
CREATE INDEX organizational_unit_organization IF NOT EXISTS FOR (n:OrganizationalUnit) ON (n.organizationId);
CREATE INDEX org_policy_organization IF NOT EXISTS FOR (n:OrgPolicy) ON (n.organizationId);
CREATE INDEX org_policy_id IF NOT EXISTS FOR (n:OrgPolicy) ON (n.id);

// --- credential and security facts (#16): each loader replaces its own nodes of an account -------------
CREATE CONSTRAINT credential_report_account IF NOT EXISTS FOR (n:CredentialReport) REQUIRE n.accountId IS UNIQUE;
CREATE CONSTRAINT credential_report_user_arn IF NOT EXISTS FOR (n:CredentialReportUser) REQUIRE n.arn IS UNIQUE;
CREATE CONSTRAINT security_snapshot_account IF NOT EXISTS FOR (n:SecuritySnapshot) REQUIRE n.accountId IS UNIQUE;
CREATE CONSTRAINT access_key_key IF NOT EXISTS FOR (n:AccessKey) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT mfa_device_key IF NOT EXISTS FOR (n:MfaDevice) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT login_profile_key IF NOT EXISTS FOR (n:LoginProfile) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT trail_key IF NOT EXISTS FOR (n:Trail) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT config_recorder_key IF NOT EXISTS FOR (n:ConfigRecorder) REQUIRE n.key IS UNIQUE;
CREATE INDEX credential_report_user_account IF NOT EXISTS FOR (n:CredentialReportUser) ON (n.accountId);
CREATE INDEX access_key_account IF NOT EXISTS FOR (n:AccessKey) ON (n.accountId);
CREATE INDEX mfa_device_account IF NOT EXISTS FOR (n:MfaDevice) ON (n.accountId);
CREATE INDEX login_profile_account IF NOT EXISTS FOR (n:LoginProfile) ON (n.accountId);
CREATE INDEX trail_account IF NOT EXISTS FOR (n:Trail) ON (n.accountId);
CREATE INDEX config_recorder_account IF NOT EXISTS FOR (n:ConfigRecorder) ON (n.accountId);

// --- search ------------------------------------------------------------------------------------
// `CALL db.index.fulltext.queryNodes('entity_search', $text)` over names, ARNs, ids and keys.
CREATE FULLTEXT INDEX entity_search IF NOT EXISTS
FOR (n:Principal|Group|Policy|Account|ExternalPrincipal|Organization|OrgRoot|OrganizationalUnit|OrgPolicy)
ON EACH [n.name, n.arn, n.id, n.key, n.alias];
