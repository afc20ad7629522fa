// Policy documents by ARN (the evaluator parses each once per distinct document). $arns: policy ARNs.
UNWIND $arns AS wanted
MATCH (pol:Policy {arn: wanted})
RETURN pol.arn AS arn, pol.name AS name, pol.kind AS kind, pol.known AS known, pol.document AS document,
       pol.versionId AS versionId
