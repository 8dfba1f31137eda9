#!/usr/bin/env bash
# Moves every domain-event dead-letter queue's messages back to its consumer queue, after the fix that
# made them fail has been deployed. Uses SQS StartMessageMoveTask (SQS developer guide "Configuring a
# dead-letter queue redrive"), through the AWS CLI, the same way against the local cloud and AWS:
#
#   scripts/redrive.sh local   the local cloud's SQS at $ENDPOINT (default http://127.0.0.1:4566)
#   scripts/redrive.sh aws     the deployed stack (stack name and region from samconfig.toml)
#
# Every queue <stack>-<name> with a dead-letter queue <stack>-<name>-dlq is redriven (the domain-event
# queues <stack>-<context>-events and notify's <stack>-notify-sms; template.yaml). Stream on-failure
# queues (<stack>-*-stream-dlq) have no source queue — they hold pointers to stream records, not the
# records — so they are not moved: see the README's delivery table.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

target=${1:-local}
setting() { sed -n "s/^$1 *= *\"\(.*\)\"/\1/p" samconfig.toml | head -n 1; }
stack=${STACK_NAME:-$(setting stack_name)}

aws_args=()
case "$target" in
  local)
    aws_args=(--endpoint-url "${ENDPOINT:-http://127.0.0.1:4566}" --region us-east-1)
    export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_SESSION_TOKEN=local
    ;;
  aws)
    aws_args=(--region "${AWS_REGION:-$(setting region)}")
    ;;
  *)
    echo "usage: $0 local|aws" >&2
    exit 2
    ;;
esac

sqs() { aws "${aws_args[@]}" sqs "$@"; }
queue_arn() { sqs get-queue-attributes --queue-url "$1" --attribute-names QueueArn --query Attributes.QueueArn --output text; }

moved=0
queues=" $(sqs list-queues --queue-name-prefix "$stack-" --query 'QueueUrls[]' --output text | tr '\t' ' ') "
for dlq_url in $queues; do
  [[ "$dlq_url" == *-dlq ]] || continue
  source_url=${dlq_url%-dlq}
  [[ "$queues" == *" $source_url "* ]] || continue # a stream's on-failure queue: nothing to move back to
  waiting=$(sqs get-queue-attributes --queue-url "$dlq_url" --attribute-names ApproximateNumberOfMessages \
    --query Attributes.ApproximateNumberOfMessages --output text)
  if [[ "$waiting" == 0 ]]; then
    echo "${dlq_url##*/}: empty"
    continue
  fi
  task=$(sqs start-message-move-task --source-arn "$(queue_arn "$dlq_url")" \
    --destination-arn "$(queue_arn "$source_url")" --query TaskHandle --output text)
  echo "${dlq_url##*/}: moving $waiting message(s) back to ${source_url##*/} (task $task)"
  moved=$((moved + waiting))
done
echo "redrive started for $moved message(s)"
