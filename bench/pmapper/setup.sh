#!/usr/bin/env bash
# Create bench/pmapper/.venv (PMapper 1.1.5 + moto's server) and apply the local patches; idempotent.
#   bash bench/pmapper/setup.sh [python3.11]
# The venv is separate from accessgraph's: PMapper pins nothing and would drag its own botocore into ours.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${1:-python3.11}"
if [ ! -x "$here/.venv/bin/python" ]; then
    "$python" -m venv "$here/.venv"
fi
"$here/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
site="$("$here/.venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
for patch_file in "$here"/patches/*.patch; do
    # --forward + a dry run first: a second setup finds the patch applied and leaves it be
    if patch --dry-run --forward --silent -p1 -d "$site" < "$patch_file" >/dev/null 2>&1; then
        patch --forward --silent -p1 -d "$site" < "$patch_file"
        echo "pmapper setup: applied $(basename "$patch_file")"
    elif patch --dry-run --reverse --silent -p1 -d "$site" < "$patch_file" >/dev/null 2>&1; then
        echo "pmapper setup: $(basename "$patch_file") already applied"
    else
        echo "pmapper setup: $(basename "$patch_file") does not apply to $site" >&2
        exit 1
    fi
done
"$here/.venv/bin/python" -c 'import principalmapper.graphing.gathering, moto.server' \
    && echo "pmapper setup: PMapper $("$here/.venv/bin/python" -c 'import principalmapper; print(principalmapper.__version__)') ready in $here/.venv"
