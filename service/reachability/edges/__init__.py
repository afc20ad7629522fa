"""Every role's direct assumers at once, for one generation: who may assume which role, without the answers.

`Assumers.direct_parts` works one role out at a time: it sorts the principals its trust policy admits into
decision classes and decides each class (7 to 30 ms a role at 100k principals: 56 s for all 60,536 roles where
roles nothing tells apart share their classes, `RoleClasses`, 155 s without).
Here the same decisions are made the other way round, a signature class at a time against every role
that admits its account, and each decision in its two sides (service/evaluation/sides.py):

- the caller's side depends on the class and on which of its statements fit the role's ARN: roles are
  split by that fit with one bitset per Resource pattern, matched against every role ARN once (fits.py),
  so a class is decided once per fit, not once per role (decider.py);
- the role's side depends on its trust document and RCPs (`RoleFacts`), whether the caller is of the
  role's account, and what the trust policy's principal clauses give the caller's account: worked out once
  per such group of roles, groups whose sides say the same merged (build.py).

`engine.combined` then makes the decision `evaluate` makes from the two sides: a class assumes the roles
where it is Allowed; its members holding a policy whose document is not loaded, also where it is only
implicitly denied (`decide.counted`). What is kept is a bitset of roles per signature class (`AssumeEdges`).

The principals decided on their own are worked out role by role (alone.py): those a trust policy names,
those outside the loaded data, and the admitted principals of a role whose trust policy gives each one a
result of its own (a condition on aws:PrincipalArn) or names one of them. A role whose trust policy looks
at the role itself (`RoleFacts.of` None) is worked out as before (`direct_parts`).

At 100k principals (60,536 roles, 7.5 million class-role pairs, 54.6 million principal-role pairs) this
takes 7-9 s, and every role's assumers are those `direct_parts` works out (bench/check_edges.py).
"""

from service.reachability.edges.build import assume_edges
from service.reachability.edges.model import AssumeEdges, EdgeBits, from_indices, indices

__all__ = ["AssumeEdges", "EdgeBits", "assume_edges", "from_indices", "indices"]
