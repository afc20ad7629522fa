"""AWS managed policies as GAAD lists them: the documents of the ones the synthetic organization attaches.

AdministratorAccess, PowerUserAccess, AmazonS3FullAccess, AmazonS3ReadOnlyAccess, IAMReadOnlyAccess,
AWSLambdaBasicExecutionRole and AmazonSSMManagedInstanceCore are written as AWS publishes them (current
default versions, statement for statement). ReadOnlyAccess and SecurityAudit are long lists of
`service:Describe*`/`Get*`/`List*` patterns in AWS's documents; here they keep that shape over a shorter
list of services (about 400 patterns instead of about 1,700), which is what the loaders and the
evaluator's action index see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_READ_SERVICES = (
    "access-analyzer", "acm", "apigateway", "application-autoscaling", "appsync", "athena", "autoscaling",
    "backup", "batch", "cloudformation", "cloudfront", "cloudhsm", "cloudtrail", "cloudwatch", "codebuild",
    "codecommit", "codedeploy", "codepipeline", "cognito-identity", "cognito-idp", "config", "datasync",
    "dax", "directconnect", "dms", "ds", "dynamodb", "ec2", "ecr", "ecs", "eks", "elasticache",
    "elasticbeanstalk", "elasticfilesystem", "elasticloadbalancing", "elasticmapreduce", "es", "events",
    "firehose", "fsx", "glacier", "glue", "guardduty", "health", "iam", "inspector2", "iot", "kafka",
    "kinesis", "kms", "lambda", "logs", "macie2", "mq", "organizations", "rds", "redshift", "route53",
    "route53resolver", "s3", "sagemaker", "secretsmanager", "securityhub", "servicecatalog", "ses", "shield",
    "sns", "sqs", "ssm", "sso", "states", "storagegateway", "sts", "support", "tag", "transfer", "waf",
    "wafv2", "workspaces", "xray",
)
_READ_VERBS = ("BatchGet*", "Describe*", "Get*", "List*")
_AUDIT_VERBS = ("Describe*", "Get*", "List*")


@dataclass(frozen=True)
class AwsManagedPolicy:
    name: str
    policy_id: str
    version: str
    created: str
    updated: str
    document: dict[str, Any]
    path: str = "/"

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::aws:policy{self.path}{self.name}"

    def gaad_entry(self, attachments: int, boundary_uses: int) -> dict[str, Any]:
        """The `Policies` entry `get-account-authorization-details` prints for it (default version only)."""
        return {
            "PolicyName": self.name,
            "PolicyId": self.policy_id,
            "Arn": self.arn,
            "Path": self.path,
            "DefaultVersionId": self.version,
            "AttachmentCount": attachments,
            "PermissionsBoundaryUsageCount": boundary_uses,
            "IsAttachable": True,
            "CreateDate": self.created,
            "UpdateDate": self.updated,
            "PolicyVersionList": [
                {"Document": self.document, "VersionId": self.version, "IsDefaultVersion": True,
                 "CreateDate": self.updated}
            ],
        }


def _document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _read_actions(services: tuple[str, ...], verbs: tuple[str, ...]) -> list[str]:
    return [f"{service}:{verb}" for service in services for verb in verbs]


ADMINISTRATOR = AwsManagedPolicy(
    "AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK", "v1", "2015-02-06T18:39:46+00:00", "2015-02-06T18:39:46+00:00",
    _document({"Effect": "Allow", "Action": "*", "Resource": "*"}),
)
POWER_USER = AwsManagedPolicy(
    "PowerUserAccess", "ANPAJYRXTHIB4FOVS3ZXS", "v5", "2015-02-06T18:39:47+00:00", "2023-07-06T22:04:00+00:00",
    _document(
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
        {"Effect": "Allow",
         "Action": ["account:GetAccountInformation", "account:GetPrimaryEmail", "account:ListRegions",
                    "iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles",
                    "organizations:DescribeOrganization"],
         "Resource": "*"},
    ),
)
READ_ONLY = AwsManagedPolicy(
    "ReadOnlyAccess", "ANPAILL3HVNFSB6DCOWYQ", "v120", "2015-02-06T18:39:48+00:00", "2025-06-18T17:02:00+00:00",
    _document({"Sid": "ReadOnlyActions", "Effect": "Allow", "Action": _read_actions(_READ_SERVICES, _READ_VERBS),
               "Resource": "*"}),
)
SECURITY_AUDIT = AwsManagedPolicy(
    "SecurityAudit", "ANPAIX2T3QCXHR2OGGCTO", "v45", "2015-02-06T18:41:01+00:00", "2025-05-20T19:12:00+00:00",
    _document(
        {"Sid": "BaseSecurityAuditStatement", "Effect": "Allow",
         "Action": _read_actions(_READ_SERVICES[::2], _AUDIT_VERBS), "Resource": "*"},
        {"Sid": "S3SecurityAuditStatement", "Effect": "Allow",
         "Action": ["s3:GetAccessPoint*", "s3:GetAccountPublicAccessBlock", "s3:GetBucket*",
                    "s3:GetEncryptionConfiguration", "s3:GetJobTagging", "s3:GetLifecycleConfiguration",
                    "s3:ListAccessPoints", "s3:ListAllMyBuckets"],
         "Resource": "*"},
    ),
)
S3_FULL = AwsManagedPolicy(
    "AmazonS3FullAccess", "ANPAIFIR6V6BVTRAHWINE", "v2", "2015-02-06T18:40:58+00:00", "2021-09-27T20:16:37+00:00",
    _document({"Effect": "Allow", "Action": ["s3:*", "s3-object-lambda:*"], "Resource": "*"}),
)
S3_READ_ONLY = AwsManagedPolicy(
    "AmazonS3ReadOnlyAccess", "ANPAIZTJ4DXE7G6AGAE6M", "v3", "2015-02-06T18:40:59+00:00", "2023-08-10T21:31:39+00:00",
    _document({"Effect": "Allow",
               "Action": ["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"],
               "Resource": "*"}),
)
IAM_READ_ONLY = AwsManagedPolicy(
    "IAMReadOnlyAccess", "ANPAJKSO7NDY4T57MWDSQ", "v4", "2015-02-06T18:40:39+00:00", "2018-01-25T19:11:27+00:00",
    _document({"Effect": "Allow",
               "Action": ["iam:GenerateCredentialReport", "iam:GenerateServiceLastAccessedDetails", "iam:Get*",
                          "iam:List*", "iam:SimulateCustomPolicy", "iam:SimulatePrincipalPolicy"],
               "Resource": "*"}),
)
LAMBDA_BASIC = AwsManagedPolicy(
    "AWSLambdaBasicExecutionRole", "ANPAJNCQGXC42545SKXIK", "v1", "2015-04-09T15:03:43+00:00",
    "2015-04-09T15:03:43+00:00",
    _document({"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
               "Resource": "*"}),
    path="/service-role/",
)
SSM_CORE = AwsManagedPolicy(
    "AmazonSSMManagedInstanceCore", "ANPAIXSHM2BNB2D3AXXRU", "v2", "2019-03-15T17:22:12+00:00",
    "2019-05-23T16:54:21+00:00",
    _document(
        {"Effect": "Allow",
         "Action": ["ssm:DescribeAssociation", "ssm:GetDeployablePatchSnapshotForInstance", "ssm:GetDocument",
                    "ssm:DescribeDocument", "ssm:GetManifest", "ssm:GetParameter", "ssm:GetParameters",
                    "ssm:ListAssociations", "ssm:ListInstanceAssociations", "ssm:PutInventory",
                    "ssm:PutComplianceItems", "ssm:PutConfigurePackageResult", "ssm:UpdateAssociationStatus",
                    "ssm:UpdateInstanceAssociationStatus", "ssm:UpdateInstanceInformation"],
         "Resource": "*"},
        {"Effect": "Allow",
         "Action": ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
         "Resource": "*"},
        {"Effect": "Allow",
         "Action": ["ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage",
                    "ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply"],
         "Resource": "*"},
    ),
    path="/",
)

ALL = (ADMINISTRATOR, POWER_USER, READ_ONLY, SECURITY_AUDIT, S3_FULL, S3_READ_ONLY, IAM_READ_ONLY, LAMBDA_BASIC,
       SSM_CORE)
BY_ARN = {policy.arn: policy for policy in ALL}
