package samtemplate

import "fmt"

// StreamLabel is the fixed label of every local DynamoDB stream ARN: table/<name>/stream/<StreamLabel>.
const StreamLabel = "2024-01-01T00:00:00.000"

func (r *resolver) arn(service, resource string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, r.opts.Region, r.opts.AccountID, resource)
}

func (r *resolver) tableArn(name string) string  { return r.arn("dynamodb", "table/"+name) }
func (r *resolver) streamArn(name string) string { return r.tableArn(name) + "/stream/" + StreamLabel }
func (r *resolver) functionArn(name string) string {
	return r.arn("lambda", "function:"+name)
}
func (r *resolver) busArn(name string) string   { return r.arn("events", "event-bus/"+name) }
func (r *resolver) queueArn(name string) string { return r.arn("sqs", name) }
func (r *resolver) queueURL(name string) string {
	return fmt.Sprintf("http://localhost/%s/%s", r.opts.AccountID, name)
}
func (r *resolver) topicArn(name string) string { return r.arn("sns", name) }
func (r *resolver) roleArn(name string) string {
	return fmt.Sprintf("arn:aws:iam::%s:role/%s", r.opts.AccountID, name)
}
func (r *resolver) stackID() string {
	return r.arn("cloudformation", "stack/"+r.opts.StackName+"/00000000-0000-0000-0000-000000000000")
}
