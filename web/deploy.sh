#!/usr/bin/env bash
# Publishes the console to the stack's S3 bucket behind CloudFront, after `sam deploy`:
# writes config.json from the stack's outputs, uploads web/ without its tests, and invalidates the cache.
# Needs the AWS CLI and jq. Usage: web/deploy.sh [stack-name] (default call-taxi).
set -euo pipefail

stack="${1:-call-taxi}"
cd "$(dirname "${BASH_SOURCE[0]}")"

output() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}

api_url="$(output ApiUrl)"
bucket="$(output WebBucketName)"
distribution="$(output WebDistributionId)"
web_url="$(output WebUrl)"
client_id="$(output UserPoolClientId)"
domain="$(output UserPoolDomainUrl)"
if [ -z "$domain" ] || [ "$domain" = "None" ]; then
  echo "the stack has no Cognito hosted-UI domain: deploy with UserPoolDomainPrefix=<prefix>" >&2
  exit 1
fi

config="$(mktemp)"
trap 'rm -f "$config"' EXIT
jq -n --arg api "${api_url%/}" --arg domain "$domain" --arg client "$client_id" --arg web "${web_url%/}" \
  '{apiUrl: $api, auth: "cognito", cognito: {domain: $domain, clientId: $client, redirectUri: ($web + "/callback"), logoutUri: ($web + "/")}}' >"$config"

aws s3 sync . "s3://$bucket/" --delete --exclude 'e2e/*' --exclude 'deploy.sh' --exclude 'README.md' --exclude 'config.json'
aws s3 cp "$config" "s3://$bucket/config.json" --content-type application/json --cache-control no-store
aws cloudfront create-invalidation --distribution-id "$distribution" --paths '/*' >/dev/null
echo "console published at $web_url"
