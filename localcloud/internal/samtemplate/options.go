package samtemplate

// Options are the deployment settings a template is resolved against.
type Options struct {
	StackName          string            // default "call-taxi"
	Region             string            // default "us-east-1"
	AccountID          string            // default "000000000000"
	ParameterOverrides map[string]string // win over parameter Defaults
}

const (
	defaultStackName = "call-taxi"
	defaultRegion    = "us-east-1"
	defaultAccountID = "000000000000"
)

func (o Options) withDefaults() Options {
	if o.StackName == "" {
		o.StackName = defaultStackName
	}
	if o.Region == "" {
		o.Region = defaultRegion
	}
	if o.AccountID == "" {
		o.AccountID = defaultAccountID
	}
	return o
}
