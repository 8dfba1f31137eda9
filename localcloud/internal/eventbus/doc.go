// Package eventbus is the local cloud's Amazon EventBridge: event buses, rules with event patterns
// (CompilePattern implements EventBridge content filtering), the PutEvents JSON API the SDK calls, and
// asynchronous delivery of matching events to Lambda targets with a retry policy and dead-letter queues.
//
// Differences from AWS, on purpose:
//   - Delivery retries start at 100 ms and double up to 2 s; AWS backs off much more slowly (exponential with
//     jitter, spreading up to 185 retries over 24 hours), so failures surface locally in seconds.
//   - AWS invokes a Lambda target asynchronously: function errors are retried by Lambda's own async retry
//     settings, and EventBridge's retry policy only covers failed Invoke API calls. Here the bus calls the
//     Invoker and retries any error (throttle, function error, stopped function) under the rule's policy.
//   - One Rule value is one rule target; a rule with two targets is added twice with the same name.
//   - Scheduled rules, input transformers, archives and cross-bus targets are not emulated.
package eventbus
