"""PMapper's side of the cross-check; runs in bench/pmapper/.venv (PMapper 1.1.5 + moto), never in accessgraph's.

    bench/pmapper/.venv/bin/python bench/pmapper/run_pmapper.py IN-GAAD.json OUT-DIR [--who-can ACTION=RESOURCE ...]

Starts moto's server on a free loopback port for the account of IN-GAAD.json (MOTO_ACCOUNT_ID), replays the
account into it through boto3 (customer policies with their versions, groups, users, roles, boundaries,
memberships, and one instance profile per role EC2 trusts), then:

- writes OUT-DIR/gaad-<account>.json: moto's own get_account_authorization_details, the account both tools read;
- runs PMapper's graph creation against the moto endpoint (every edge checker PMapper has);
- writes OUT-DIR/pmapper.json: nodes (admin or not), edges with PMapper's reason, for every node what it can
  reach (PMapper's transitive search; an admin reaches every node, as `is_connected` says), the privesc preset,
  and PMapper's transitive "who can do" for each --who-can question.

AWS managed policies in IN-GAAD.json are created as customer-managed policies of the same name under the path
/aws-managed-copy/ (moto attaches only the managed policies it bundles); both tools read the copies. moto 5.2.5
does not implement user permissions boundaries, so users lose theirs (roles keep them): both tools read moto.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

COPY_PATH = "/aws-managed-copy/"
CHECKERS = ["autoscaling", "cloudformation", "codebuild", "ec2", "iam", "lambda", "sagemaker", "ssm", "sts"]
CLIENT_SERVICES = [*CHECKERS, "s3", "sns", "sqs", "kms", "secretsmanager"]
REGION = "us-east-1"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("gaad", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--who-can", action="append", default=[], metavar="ACTION=RESOURCE")
    args = parser.parse_args()
    source = json.loads(args.gaad.read_text())
    account = _account_of(source)
    os.environ["MOTO_ACCOUNT_ID"] = account  # read per request by moto's responses: the replayed ARNs keep it
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        started = time.perf_counter()
        skipped = _replay(source, url)
        replay_seconds = time.perf_counter() - started
        gaad = _moto_gaad(url)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / f"gaad-{account}.json").write_text(json.dumps(gaad, indent=1, default=str))
        started = time.perf_counter()
        report = _pmapper(url, [tuple(q.split("=", 1)) for q in args.who_can])
        report.update(account=account, skipped=skipped, replaySeconds=round(replay_seconds, 1),
                      pmapperSeconds=round(time.perf_counter() - started, 1))
        (args.out / "pmapper.json").write_text(json.dumps(report, indent=1))
    finally:
        server.stop()
    print(f"pmapper: {len(report['nodes'])} nodes, {len(report['edges'])} edges, "
          f"{sum(n['admin'] for n in report['nodes'])} admins, {len(report['privesc'])} can escalate, "
          f"{len(skipped)} entities moto refused; replay {report['replaySeconds']} s, "
          f"PMapper {report['pmapperSeconds']} s")
    return 0


def _account_of(gaad: dict[str, Any]) -> str:
    for key in ("UserDetailList", "RoleDetailList", "GroupDetailList"):
        for entity in gaad[key]:
            return str(entity["Arn"].split(":")[4])
    raise SystemExit("run_pmapper: the GAAD file has no user, role or group to take the account id from")


def _client(url: str, service: str) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=url, region_name=REGION, aws_access_key_id="testing",
                        aws_secret_access_key="testing")  # noqa: S106 - moto's fixed test credentials


def _policy_arn(arn: str, account: str) -> str:
    if ":aws:policy/" not in arn:
        return arn
    return f"arn:aws:iam::{account}:policy{COPY_PATH.rstrip('/')}/{arn.rsplit('/', 1)[-1]}"


def _doc(document: Any) -> str:
    return document if isinstance(document, str) else json.dumps(document)


def _replay(gaad: dict[str, Any], url: str) -> list[str]:
    """Create the account in moto; the ARNs of entities moto refused (with its message)."""
    iam = _client(url, "iam")
    account = _account_of(gaad)
    skipped: list[str] = []

    def attempt(what: str, call: Any, **kwargs: Any) -> bool:
        try:
            call(**kwargs)
        except Exception as exc:  # moto's validation: recorded and reported, never silent
            skipped.append(f"{what}: {type(exc).__name__}: {str(exc)[:160]}")
            return False
        return True

    for policy in gaad["Policies"]:
        versions = sorted(policy.get("PolicyVersionList") or [], key=lambda v: int(v["VersionId"].lstrip("v")))
        if not versions:
            continue
        aws_copy = ":aws:policy/" in policy["Arn"]
        path = COPY_PATH if aws_copy else policy.get("Path", "/")
        if not attempt(policy["Arn"], iam.create_policy, PolicyName=policy["PolicyName"], Path=path,
                       PolicyDocument=_doc(versions[0]["Document"])):
            continue
        arn = _policy_arn(policy["Arn"], account)
        for version in versions[1:]:
            attempt(f"{arn} {version['VersionId']}", iam.create_policy_version, PolicyArn=arn,
                    PolicyDocument=_doc(version["Document"]), SetAsDefault=bool(version["IsDefaultVersion"]))
        if versions[0]["IsDefaultVersion"] and len(versions) > 1:
            attempt(f"{arn} default", iam.set_default_policy_version, PolicyArn=arn, VersionId="v1")
    for group in gaad["GroupDetailList"]:
        name = group["GroupName"]
        if not attempt(group["Arn"], iam.create_group, GroupName=name, Path=group.get("Path", "/")):
            continue
        for inline in group.get("GroupPolicyList") or ():
            attempt(f"{group['Arn']} {inline['PolicyName']}", iam.put_group_policy, GroupName=name,
                    PolicyName=inline["PolicyName"], PolicyDocument=_doc(inline["PolicyDocument"]))
        for attached in group.get("AttachedManagedPolicies") or ():
            attempt(f"{group['Arn']} {attached['PolicyArn']}", iam.attach_group_policy, GroupName=name,
                    PolicyArn=_policy_arn(attached["PolicyArn"], account))
    for user in gaad["UserDetailList"]:
        name = user["UserName"]
        if not attempt(user["Arn"], iam.create_user, UserName=name, Path=user.get("Path", "/")):
            continue
        _common(attempt, iam, "user", name, user, account)
        for group_name in user.get("GroupList") or ():
            attempt(f"{user['Arn']} in {group_name}", iam.add_user_to_group, GroupName=group_name, UserName=name)
    for role in gaad["RoleDetailList"]:
        name = role["RoleName"]
        if not attempt(role["Arn"], iam.create_role, RoleName=name, Path=role.get("Path", "/"),
                       AssumeRolePolicyDocument=_doc(role["AssumeRolePolicyDocument"])):
            continue
        _common(attempt, iam, "role", name, role, account)
        ec2_trusts = "ec2.amazonaws.com" in _doc(role["AssumeRolePolicyDocument"])
        if ec2_trusts and attempt(f"{role['Arn']} instance profile", iam.create_instance_profile,
                                  InstanceProfileName=name):
            attempt(f"{role['Arn']} in its instance profile", iam.add_role_to_instance_profile,
                    InstanceProfileName=name, RoleName=name)
    return skipped


def _common(attempt: Any, iam: Any, kind: str, name: str, entity: dict[str, Any], account: str) -> None:
    """What users and roles share: inline policies, attached policies, the permissions boundary."""
    title = kind.capitalize()
    for inline in entity.get(f"{title}PolicyList") or ():
        attempt(f"{entity['Arn']} {inline['PolicyName']}", getattr(iam, f"put_{kind}_policy"),
                **{f"{title}Name": name, "PolicyName": inline["PolicyName"],
                   "PolicyDocument": _doc(inline["PolicyDocument"])})
    for attached in entity.get("AttachedManagedPolicies") or ():
        attempt(f"{entity['Arn']} {attached['PolicyArn']}", getattr(iam, f"attach_{kind}_policy"),
                **{f"{title}Name": name, "PolicyArn": _policy_arn(attached["PolicyArn"], account)})
    boundary = (entity.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    if boundary and kind == "role":  # moto 5.2.5 has no user boundaries: both tools see users without one
        attempt(f"{entity['Arn']} boundary", getattr(iam, f"put_{kind}_permissions_boundary"),
                **{f"{title}Name": name, "PermissionsBoundary": _policy_arn(boundary, account)})


def _moto_gaad(url: str) -> dict[str, Any]:
    iam = _client(url, "iam")
    merged: dict[str, list[Any]] = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    for page in iam.get_paginator("get_account_authorization_details").paginate():
        for key, items in merged.items():
            items.extend(page.get(key, []))
    return merged


def _pmapper(url: str, who_can: list[tuple[str, ...]]) -> dict[str, Any]:
    import botocore.session
    from principalmapper.graphing import gathering
    from principalmapper.querying import query_interface, query_utils
    from principalmapper.querying.presets import privesc

    session = botocore.session.Session()
    session.set_credentials("testing", "testing")
    session.set_config_variable("region", REGION)
    client_args = {service: {"endpoint_url": url} for service in CLIENT_SERVICES}
    graph = gathering.create_graph(session, CHECKERS, region_allow_list=[REGION], client_args_map=client_args)
    reach: dict[str, list[str]] = {}
    for node in graph.nodes:
        if node.is_admin:
            reach[node.arn] = [other.arn for other in graph.nodes if other is not node]
        else:
            reach[node.arn] = sorted({path[-1].destination.arn for path in query_utils.get_search_list(graph, node)}
                                     - {node.arn})
    escalating = {}
    for node in graph.nodes:
        if node.is_admin:
            continue
        found, path = privesc.can_privesc(graph, node)
        if found:
            escalating[node.arn] = [edge.describe_edge() for edge in path]
    answers = []
    for action, resource in who_can:
        allowed: dict[str, list[str]] = {}
        for node in graph.nodes:
            result = query_interface.search_authorization_for(graph, node, action, resource, {})
            if result.allowed:
                path = result.edge_list if isinstance(result.edge_list, list) else []
                allowed[node.arn] = [edge.describe_edge() for edge in path] or (
                    ["admin"] if node.is_admin and isinstance(result.edge_list, type(node)) else ["direct"])
        answers.append({"action": action, "resource": resource, "principals": allowed})
    return {
        "nodes": [{"arn": node.arn, "admin": bool(node.is_admin)} for node in graph.nodes],
        "edges": [{"from": e.source.arn, "to": e.destination.arn, "reason": e.reason, "service": e.short_reason}
                  for e in graph.edges],
        "reach": reach,
        "privesc": escalating,
        "whoCanDo": answers,
    }


if __name__ == "__main__":
    sys.exit(main())
