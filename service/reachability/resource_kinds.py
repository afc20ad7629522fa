"""The kind each loaded resource type (#14) has in answers and in the explorer (explorer/src/kinds.ts)."""

from __future__ import annotations

from collections.abc import Mapping

RESOURCE_KINDS: Mapping[str, str] = {
    "AWS::S3::Bucket": "s3-bucket",
    "AWS::KMS::Key": "kms-key",
    "AWS::SQS::Queue": "sqs-queue",
    "AWS::SNS::Topic": "sns-topic",
    "AWS::Lambda::Function": "lambda-function",
    "AWS::SecretsManager::Secret": "secret",
    "AWS::ECR::Repository": "ecr-repository",
}
