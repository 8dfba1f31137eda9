#!/usr/bin/env bash
# Adds a manager or a driver: admin-create-user (Cognito mails a temporary password, which the user changes
# at first sign-in) and admin-add-user-to-group, through the AWS CLI, the same way against AWS and the
# local cloud:
#
#   scripts/add-user.sh EMAIL ROLE [aws]   the deployed stack's pool (its UserPoolId output; stack name and
#                                         region from samconfig.toml, or STACK_NAME / AWS_REGION)
#   scripts/add-user.sh EMAIL ROLE local   the local cloud's pool at $ENDPOINT (default http://127.0.0.1:4566)
#
# ROLE is managers or drivers. Customers join by signing up (the pool's PostConfirmation trigger puts them
# in customers); ROLE=customers repairs a user whose trigger failed. An existing user is only added to ROLE.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() {
  echo "usage: $0 EMAIL managers|drivers|customers [aws|local]" >&2
  exit 2
}
email=${1:-}
role=${2:-}
target=${3:-aws}
[[ "$email" == ?*@?*.?* ]] || usage
case "$role" in managers | drivers | customers) ;; *) usage ;; esac

setting() { sed -n "s/^$1 *= *\"\(.*\)\"/\1/p" samconfig.toml | head -n 1; }
stack=${STACK_NAME:-$(setting stack_name)}

aws_args=()
case "$target" in
  local)
    aws_args=(--endpoint-url "${ENDPOINT:-http://127.0.0.1:4566}" --region us-east-1)
    export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_SESSION_TOKEN=local
    pool=${USER_POOL_ID:-us-east-1_local}
    ;;
  aws)
    aws_args=(--region "${AWS_REGION:-$(setting region)}")
    pool=${USER_POOL_ID:-$(aws "${aws_args[@]}" cloudformation describe-stacks --stack-name "$stack" \
      --query "Stacks[0].Outputs[?OutputKey=='UserPoolId'].OutputValue" --output text)}
    if [[ -z "$pool" || "$pool" == None ]]; then
      echo "stack $stack has no UserPoolId output: deploy it first (sam deploy)" >&2
      exit 1
    fi
    ;;
  *) usage ;;
esac

idp() { aws "${aws_args[@]}" cognito-idp "$@"; }

if idp admin-get-user --user-pool-id "$pool" --username "$email" >/dev/null 2>&1; then
  echo "$email already exists in $pool"
else
  idp admin-create-user --user-pool-id "$pool" --username "$email" \
    --user-attributes Name=email,Value="$email" Name=email_verified,Value=true \
    --desired-delivery-mediums EMAIL --query User.Username --output text >/dev/null
  echo "$email created in $pool: Cognito mails a temporary password, changed at first sign-in"
fi
idp admin-add-user-to-group --user-pool-id "$pool" --username "$email" --group-name "$role"
echo "$email is in $role"
