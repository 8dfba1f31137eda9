// Package eventbus is the local cloud's Amazon EventBridge: event buses, rules with event patterns
// (CompilePattern implements EventBridge content filtering and refuses what EventBridge refuses), the
// JSON API subset the SDK and standard tools call (PutEvents, ListRules, DescribeEventBus, ListEventBuses,
// TestEventPattern), and delivery of matching events to rule targets as AWS has them: a Lambda function
// invoked asynchronously (the rule's retry policy covers only a failed hand-over to Lambda; the function's
// errors are retried by Lambda) or an SQS queue sent the event as the message body. Failed deliveries are
// retried with exponential backoff and jitter under the rule's RetryPolicy, in AWS time through an
// awsclock.Clock, and then go to the rule's dead-letter queue.
//
// Differences from AWS, on purpose:
//   - AWS does not publish its backoff constants; here the wait before retry n is drawn from
//     [c/2, c] with c = 1 s doubling up to 11 min, which spreads the default 185 retries over about the
//     default 24 hours.
//   - One Rule value is one rule target; a rule with two targets is added twice with the same name.
//   - Rules are configured in Go (AddRule), not through PutRule/PutTargets.
//   - Scheduled rules are fired by the scheduler package, which hands each firing to one target with
//     Deliver; they do not appear in ListRules. Input transformers, archives and cross-bus targets are
//     not emulated.
package eventbus
